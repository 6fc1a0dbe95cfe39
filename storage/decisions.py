"""Decisions taken in meetings, each with an owner and a due date, and their follow-up."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.list_syntax import DecisionKind
from bot.domain.meetings import FollowUp, next_follow_up
from storage.database import Database, placeholders
from storage.list_history import record_event, record_link
from storage.outbox import OutgoingMessage, enqueue


@dataclass(frozen=True)
class Decision:
    id: int
    meeting_id: int
    item_position: int
    building_id: int
    kind: DecisionKind
    text: str
    votes_for: int | None
    votes_against: int | None
    owner_id: int
    due_at: datetime
    subject: ItemRef | None
    is_open: bool
    done_at: datetime | None
    pings_sent: tuple[str, ...]
    escalated_at: datetime | None
    created_at: datetime


def _decision(row: sqlite3.Row) -> Decision:
    subject = None
    if row["subject_kind"] is not None:
        subject = ItemRef(ItemKind(row["subject_kind"]), int(row["subject_id"]))
    return Decision(
        id=int(row["id"]),
        meeting_id=int(row["meeting_id"]),
        item_position=int(row["item_position"]),
        building_id=int(row["building_id"]),
        kind=DecisionKind(row["kind"]),
        text=str(row["text"]),
        votes_for=row["votes_for"],
        votes_against=row["votes_against"],
        owner_id=int(row["owner_id"]),
        due_at=from_timestamp(int(row["due_at"])),
        subject=subject,
        is_open=row["status"] == "open",
        done_at=None if row["done_at"] is None else from_timestamp(int(row["done_at"])),
        pings_sent=tuple(json.loads(row["pings_sent"])),
        escalated_at=None
        if row["escalated_at"] is None
        else from_timestamp(int(row["escalated_at"])),
        created_at=from_timestamp(int(row["created_at"])),
    )


@dataclass(frozen=True)
class NewDecision:
    meeting_id: int
    item_position: int
    building_id: int
    kind: DecisionKind
    text: str
    owner_id: int
    due_at: datetime
    created_by: int
    votes: tuple[int, int] | None = None
    item: ItemRef | None = None  # the agenda item's need, request or project


async def settle_decisions_in(
    conn: aiosqlite.Connection, subject: ItemRef, now: datetime, note: str
) -> list[int]:
    """Open decisions about `subject` are done now that it is (project done, poll closed)."""
    async with conn.execute(
        "SELECT id FROM decisions WHERE subject_kind = ? AND subject_id = ? AND status = 'open'",
        (subject.kind.value, subject.number),
    ) as cursor:
        ids = [int(row[0]) for row in await cursor.fetchall()]
    for decision_id in ids:
        await conn.execute(
            "UPDATE decisions SET status = 'done', done_at = ?, next_ping_at = NULL WHERE id = ?",
            (to_timestamp(now), decision_id),
        )
        await record_event(conn, ItemKind.DECISION, decision_id, None, "done", note, now)
    return ids


class DecisionRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self, new: NewDecision, announce: Sequence[OutgoingMessage] = ()
    ) -> tuple[Decision, bool]:
        """Record a decision (one per agenda item) in the item's history too; a second
        attempt for the same item returns the first decision (created False)."""
        now = self._clock.now()
        first_ping = next_follow_up(now, new.due_at, ())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO decisions (meeting_id, item_position, building_id, kind, text, "
                "votes_for, votes_against, owner_id, due_at, next_ping_at, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (meeting_id, item_position) DO NOTHING",
                (
                    new.meeting_id,
                    new.item_position,
                    new.building_id,
                    new.kind.value,
                    new.text,
                    new.votes[0] if new.votes else None,
                    new.votes[1] if new.votes else None,
                    new.owner_id,
                    to_timestamp(new.due_at),
                    None if first_ping is None else to_timestamp(first_ping),
                    new.created_by,
                    to_timestamp(now),
                ),
            )
            created = cursor.rowcount == 1
            if created:
                decision_id = cursor.lastrowid
                assert decision_id is not None
                ref = ItemRef(ItemKind.DECISION, decision_id)
                await record_link(conn, ItemRef(ItemKind.MEETING, new.meeting_id), ref, now)
                await record_event(
                    conn, ItemKind.DECISION, decision_id, new.created_by, "decide", new.text, now
                )
                if new.item is not None:
                    await record_link(conn, new.item, ref, now)
                    await record_event(
                        conn,
                        new.item.kind,
                        new.item.number,
                        new.created_by,
                        "decision",
                        f"M{new.meeting_id}/D{decision_id}: {new.text}"[:500],
                        now,
                    )
                for message in announce:
                    await enqueue(conn, message, now)
        row = await self._db.fetch_one(
            "SELECT * FROM decisions WHERE meeting_id = ? AND item_position = ?",
            (new.meeting_id, new.item_position),
        )
        assert row is not None
        return _decision(row), created

    async def get(self, decision_id: int) -> Decision | None:
        row = await self._db.fetch_one("SELECT * FROM decisions WHERE id = ?", (decision_id,))
        return None if row is None else _decision(row)

    async def set_subject(self, decision_id: int, subject: ItemRef, *, done: bool) -> None:
        """What the decision created or acted on; `done` when acting on it finished it."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE decisions SET subject_kind = ?, subject_id = ? WHERE id = ?",
                (subject.kind.value, subject.number, decision_id),
            )
            await record_link(conn, ItemRef(ItemKind.DECISION, decision_id), subject, now)
            if done:
                await conn.execute(
                    "UPDATE decisions SET status = 'done', done_at = ?, next_ping_at = NULL "
                    "WHERE id = ? AND status = 'open'",
                    (to_timestamp(now), decision_id),
                )

    async def mark_done(self, decision_id: int, actor_id: int | None, note: str = "") -> bool:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE decisions SET status = 'done', done_at = ?, next_ping_at = NULL "
                "WHERE id = ? AND status = 'open'",
                (to_timestamp(now), decision_id),
            )
            if cursor.rowcount != 1:
                return False
            await record_event(conn, ItemKind.DECISION, decision_id, actor_id, "done", note, now)
            return True

    async def settle(self, subject: ItemRef, note: str) -> list[int]:
        async with self._db.transaction() as conn:
            return await settle_decisions_in(conn, subject, self._clock.now(), note)

    async def of_meeting(self, meeting_id: int) -> list[Decision]:
        rows = await self._db.fetch_all(
            "SELECT * FROM decisions WHERE meeting_id = ? ORDER BY item_position", (meeting_id,)
        )
        return [_decision(row) for row in rows]

    async def due(self, now: datetime, limit: int = 100) -> list[Decision]:
        """Open decisions whose next follow-up moment has come (reads the index only)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM decisions WHERE next_ping_at IS NOT NULL AND next_ping_at <= ? "
            "ORDER BY next_ping_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [_decision(row) for row in rows]

    async def record_follow_up(
        self,
        decision: Decision,
        settled: Collection[FollowUp],
        acted: FollowUp,
        messages: Sequence[OutgoingMessage],
    ) -> bool:
        """Mark follow-ups sent, store the next moment and queue messages, together; False
        (nothing queued) if another run got there first."""
        now = self._clock.now()
        sent = sorted({*decision.pings_sent, *(k.value for k in settled)})
        following = next_follow_up(decision.created_at, decision.due_at, sent)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE decisions SET pings_sent = ?, next_ping_at = ?, "
                "escalated_at = CASE WHEN ? THEN ? ELSE escalated_at END "
                "WHERE id = ? AND status = 'open' AND pings_sent = ?",
                (
                    json.dumps(sent),
                    None if following is None else to_timestamp(following),
                    int(acted is FollowUp.ESCALATION),
                    to_timestamp(now),
                    decision.id,
                    json.dumps(list(decision.pings_sent)),
                ),
            )
            if cursor.rowcount != 1:
                return False
            await record_event(conn, ItemKind.DECISION, decision.id, None, acted.value, "", now)
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def page(
        self,
        building_id: int,
        *,
        open_only: bool,
        overdue_at: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Decision], int]:
        """Decisions of a building, soonest due first; `overdue_at` keeps only those due
        before it."""
        where = "building_id = ?"
        params: list[object] = [building_id]
        if open_only:
            where += " AND status = 'open'"
        if overdue_at is not None:
            where += " AND status = 'open' AND due_at <= ?"
            params.append(to_timestamp(overdue_at))
        rows = await self._db.fetch_all(
            f"SELECT * FROM decisions WHERE {where} ORDER BY status = 'done', due_at, id "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        total = await self._db.fetch_value(f"SELECT count(*) FROM decisions WHERE {where}", params)
        return [_decision(row) for row in rows], int(total)

    async def by_ids(self, ids: Collection[int]) -> list[Decision]:
        if not ids:
            return []
        rows = await self._db.fetch_all(
            f"SELECT * FROM decisions WHERE id IN ({placeholders(ids)}) ORDER BY id", tuple(ids)
        )
        return [_decision(row) for row in rows]
