"""Deliberation meetings: agenda, RSVPs, reminders and minutes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.list_syntax import AgendaEntry
from bot.domain.meetings import Rsvp, next_reminder, reminders_already_past
from storage.database import Database
from storage.list_history import record_event, record_link
from storage.outbox import OutgoingMessage, enqueue
from storage.roles import ensure_person


@dataclass(frozen=True)
class AgendaItem:
    position: int
    title: str
    ref: ItemRef | None
    summary: str | None


@dataclass(frozen=True)
class Meeting:
    id: int
    building_id: int
    chat_id: int
    message_id: int | None
    creator_id: int
    starts_at: datetime
    place: str
    cancelled: bool
    cancel_reason: str | None
    attendance_count: int | None
    attendance_names: str | None
    minutes_published_at: datetime | None
    reminders_sent: tuple[int, ...]
    agenda: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class RsvpEntry:
    person_id: int  # negative: a household marked coming by a head
    answer: Rsvp
    marked_by: int | None


def _meeting(row: sqlite3.Row, agenda: tuple[AgendaItem, ...]) -> Meeting:
    published = row["minutes_published_at"]
    return Meeting(
        id=int(row["id"]),
        building_id=int(row["building_id"]),
        chat_id=int(row["chat_id"]),
        message_id=row["message_id"],
        creator_id=int(row["creator_id"]),
        starts_at=from_timestamp(int(row["starts_at"])),
        place=str(row["place"]),
        cancelled=row["status"] == "cancelled",
        cancel_reason=row["cancel_reason"],
        attendance_count=row["attendance_count"],
        attendance_names=row["attendance_names"],
        minutes_published_at=None if published is None else from_timestamp(int(published)),
        reminders_sent=tuple(json.loads(row["reminders_sent"])),
        agenda=agenda,
    )


@dataclass(frozen=True)
class NewMeeting:
    building_id: int
    chat_id: int
    source_key: str
    creator_id: int
    starts_at: datetime
    place: str
    agenda: tuple[AgendaEntry, ...]


class MeetingRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(self, new: NewMeeting) -> tuple[Meeting, bool]:
        """Store the meeting and its agenda, linked to the items it discusses."""
        existing = await self._db.fetch_value(
            "SELECT id FROM meetings WHERE source_key = ?", (new.source_key,)
        )
        if existing is not None:
            meeting = await self.get(int(existing))
            assert meeting is not None
            return meeting, False
        now = self._clock.now()
        # Reminders whose moment is already past (a meeting called for tomorrow morning) are
        # never owed.
        skipped = sorted(reminders_already_past(new.starts_at, now))
        following = next_reminder(new.starts_at, skipped, now)
        async with self._db.transaction() as conn:
            await ensure_person(conn, new.creator_id, to_timestamp(now))
            cursor = await conn.execute(
                "INSERT INTO meetings (building_id, chat_id, source_key, creator_id, starts_at, "
                "place, next_reminder_at, reminders_sent, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.building_id,
                    new.chat_id,
                    new.source_key,
                    new.creator_id,
                    to_timestamp(new.starts_at),
                    new.place,
                    None if following is None else to_timestamp(following[1]),
                    json.dumps(skipped),
                    to_timestamp(now),
                ),
            )
            meeting_id = cursor.lastrowid
            assert meeting_id is not None
            ref = ItemRef(ItemKind.MEETING, meeting_id)
            for position, entry in enumerate(new.agenda, start=1):
                await conn.execute(
                    "INSERT INTO meeting_items (meeting_id, position, title, ref_kind, ref_id) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        meeting_id,
                        position,
                        entry.title,
                        entry.ref.kind.value if entry.ref else None,
                        entry.ref.number if entry.ref else None,
                    ),
                )
                if entry.ref is not None:
                    await record_link(conn, entry.ref, ref, now)
                    await record_event(
                        conn,
                        entry.ref.kind,
                        entry.ref.number,
                        new.creator_id,
                        "on_agenda",
                        f"M{meeting_id}",
                        now,
                    )
            await record_event(
                conn, ItemKind.MEETING, meeting_id, new.creator_id, "call", new.place, now
            )
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting, True

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self._db.fetch_one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        if row is None:
            return None
        items = await self._db.fetch_all(
            "SELECT * FROM meeting_items WHERE meeting_id = ? ORDER BY position", (meeting_id,)
        )
        agenda = tuple(
            AgendaItem(
                int(item["position"]),
                str(item["title"]),
                None
                if item["ref_kind"] is None
                else ItemRef(ItemKind(item["ref_kind"]), int(item["ref_id"])),
                item["summary"],
            )
            for item in items
        )
        return _meeting(row, agenda)

    async def set_message(self, meeting_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE meetings SET message_id = ? WHERE id = ?", (message_id, meeting_id)
        )

    async def answer(
        self, meeting_id: int, person_id: int, answer: Rsvp, *, marked_by: int | None = None
    ) -> bool:
        """Record (or change) an answer; False when the meeting is cancelled or over."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM meetings WHERE id = ? AND status = 'planned' AND starts_at > ?",
                (meeting_id, to_timestamp(now)),
            ) as cursor:
                if await cursor.fetchone() is None:
                    return False
            if person_id > 0:
                await ensure_person(conn, person_id, to_timestamp(now))
            await conn.execute(
                "INSERT INTO meeting_rsvps (meeting_id, person_id, answer, marked_by, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO UPDATE SET "
                "answer = excluded.answer, marked_by = excluded.marked_by, at = excluded.at",
                (meeting_id, person_id, answer.value, marked_by, to_timestamp(now)),
            )
            return True

    async def rsvps(self, meeting_id: int) -> list[RsvpEntry]:
        rows = await self._db.fetch_all(
            "SELECT person_id, answer, marked_by FROM meeting_rsvps WHERE meeting_id = ? "
            "ORDER BY at, rowid",
            (meeting_id,),
        )
        return [RsvpEntry(int(r[0]), Rsvp(r[1]), r[2]) for r in rows]

    async def reminders_due(self, now: datetime, limit: int = 50) -> list[Meeting]:
        rows = await self._db.fetch_all(
            "SELECT id FROM meetings WHERE next_reminder_at IS NOT NULL AND next_reminder_at "
            "<= ? ORDER BY next_reminder_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        meetings = [await self.get(int(row[0])) for row in rows]
        return [m for m in meetings if m is not None]

    async def mark_reminders(
        self, meeting: Meeting, hours: Sequence[int], messages: Sequence[OutgoingMessage]
    ) -> bool:
        """Record reminders sent, store the next moment, queue the messages: once."""
        now = self._clock.now()
        sent = sorted({*meeting.reminders_sent, *hours})
        following = None if meeting.cancelled else next_reminder(meeting.starts_at, sent, now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meetings SET reminders_sent = ?, next_reminder_at = ? "
                "WHERE id = ? AND reminders_sent = ?",
                (
                    json.dumps(sent),
                    None if following is None else to_timestamp(following[1]),
                    meeting.id,
                    json.dumps(list(meeting.reminders_sent)),
                ),
            )
            if cursor.rowcount != 1:
                return False
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def cancel(
        self, meeting_id: int, reason: str, actor_id: int, messages: Sequence[OutgoingMessage]
    ) -> bool:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meetings SET status = 'cancelled', cancel_reason = ?, "
                "next_reminder_at = NULL WHERE id = ? AND status = 'planned'",
                (reason, meeting_id),
            )
            if cursor.rowcount != 1:
                return False
            await record_event(conn, ItemKind.MEETING, meeting_id, actor_id, "cancel", reason, now)
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def set_attendance(
        self, meeting_id: int, count: int, names: str | None, actor_id: int
    ) -> None:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET attendance_count = ?, attendance_names = ? WHERE id = ?",
                (count, names, meeting_id),
            )
            await record_event(
                conn, ItemKind.MEETING, meeting_id, actor_id, "attendance", str(count), now
            )

    async def set_summary(
        self, meeting_id: int, position: int, summary: str, actor_id: int
    ) -> bool:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meeting_items SET summary = ? WHERE meeting_id = ? AND position = ?",
                (summary, meeting_id, position),
            )
            if cursor.rowcount == 1 and summary:
                await record_event(
                    conn,
                    ItemKind.MEETING,
                    meeting_id,
                    actor_id,
                    "minutes",
                    f"{position}: {summary}"[:500],
                    now,
                )
            return cursor.rowcount == 1

    async def publish(
        self, meeting_id: int, actor_id: int, messages: Sequence[OutgoingMessage]
    ) -> bool:
        """Mark the minutes published and queue their summary together; False if they were
        published before (publishing again only re-posts when asked to, see handlers)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET minutes_published_at = ? WHERE id = ?",
                (to_timestamp(now), meeting_id),
            )
            await record_event(conn, ItemKind.MEETING, meeting_id, actor_id, "publish", "", now)
            queued = False
            for message in messages:
                queued = await enqueue(conn, message, now) or queued
            return queued

    async def upcoming(self, building_id: int, now: datetime, limit: int = 3) -> list[Meeting]:
        rows = await self._db.fetch_all(
            "SELECT id FROM meetings WHERE building_id = ? AND starts_at > ? "
            "AND status = 'planned' ORDER BY starts_at LIMIT ?",
            (building_id, to_timestamp(now), limit),
        )
        meetings = [await self.get(int(row[0])) for row in rows]
        return [m for m in meetings if m is not None]

    async def page(
        self, building_id: int, *, limit: int, offset: int
    ) -> tuple[list[Meeting], int]:
        """Newest first."""
        rows = await self._db.fetch_all(
            "SELECT id FROM meetings WHERE building_id = ? ORDER BY starts_at DESC "
            "LIMIT ? OFFSET ?",
            (building_id, limit, offset),
        )
        total = await self._db.fetch_value(
            "SELECT count(*) FROM meetings WHERE building_id = ?", (building_id,)
        )
        meetings = [await self.get(int(row[0])) for row in rows]
        return [m for m in meetings if m is not None], int(total)
