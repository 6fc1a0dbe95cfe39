"""Tracked requests: the record, its photos, its history and who is affected."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.due import DueRules
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.metrics import REQUESTS_CREATED
from storage.database import Database, placeholders
from storage.request_deliveries import RequestDeliveries
from storage.request_due import SCHEDULING_COLUMNS, DueRulesSource, follow_rules, reschedule
from storage.request_history import RequestHistory
from storage.roles import ensure_person


@dataclass(frozen=True)
class NewRequest:
    """What intake knows when a request is created."""

    building_id: int | None
    chat_id: int | None
    source_message_id: int | None
    reporter_id: int
    category: str
    urgent: bool
    location: str | None
    description: str
    photo: tuple[str, str] | None = None  # (file_id, file_unique_id)
    intake_update_id: int | None = None  # the update that reports it (replays finish it)
    category_alternative: str | None = None  # the classifier was torn between two


@dataclass(frozen=True)
class Request:
    """A tracked request as stored."""

    id: int
    building_id: int | None
    chat_id: int | None
    source_message_id: int | None
    card_chat_id: int | None
    card_message_id: int | None
    reporter_id: int | None
    category: str
    urgent: bool
    location: str | None
    description: str
    status: RequestStatus
    assignee_id: int | None
    level: int | None
    delivered: bool
    resolution_note: str | None
    reject_reason: str | None
    duplicate_of: int | None
    satisfied: bool | None
    rating: int | None
    created_at: datetime
    updated_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    reopened_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None
    affected: int
    photos: tuple[str, ...]
    intake_update_id: int | None = None
    routed_at: datetime | None = None
    category_alternative: str | None = None
    next_due_at: datetime | None = None  # when the scheduler next needs it (request_due)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_private(self) -> bool:
        """Reported in a private chat: never quoted, linked or offered in a group."""
        return self.chat_id is None


def _maybe_time(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


_SELECT = """
    SELECT r.*,
        (SELECT count(DISTINCT coalesce('h' || s.household_id, 'p' || s.person_id))
         FROM request_supporters s WHERE s.request_id = r.id) AS affected,
        (SELECT group_concat(p.file_id, ' ') FROM request_photos p
         WHERE p.request_id = r.id) AS photo_ids
    FROM requests r
"""

# Urgent first, then most affected, then oldest.
_ORDER = "ORDER BY r.urgent DESC, affected DESC, r.created_at, r.id"


def _request(row: sqlite3.Row) -> Request:
    satisfied = row["satisfied"]
    return Request(
        id=int(row["id"]),
        building_id=row["building_id"],
        chat_id=row["chat_id"],
        source_message_id=row["source_message_id"],
        card_chat_id=row["card_chat_id"],
        card_message_id=row["card_message_id"],
        reporter_id=row["reporter_id"],
        category=str(row["category"]),
        urgent=bool(row["urgent"]),
        location=row["location"],
        description=str(row["description"]),
        status=RequestStatus(row["status"]),
        assignee_id=row["assignee_id"],
        level=row["level"],
        delivered=bool(row["delivered"]),
        resolution_note=row["resolution_note"],
        reject_reason=row["reject_reason"],
        duplicate_of=row["duplicate_of"],
        satisfied=None if satisfied is None else bool(satisfied),
        rating=row["rating"],
        created_at=from_timestamp(int(row["created_at"])),
        updated_at=from_timestamp(int(row["updated_at"])),
        responded_at=_maybe_time(row["responded_at"]),
        resolved_at=_maybe_time(row["resolved_at"]),
        reopened_at=_maybe_time(row["reopened_at"]),
        closed_at=_maybe_time(row["closed_at"]),
        escalated_at=_maybe_time(row["escalated_at"]),
        affected=int(row["affected"]),
        photos=tuple(str(row["photo_ids"]).split()) if row["photo_ids"] else (),
        intake_update_id=row["intake_update_id"],
        routed_at=_maybe_time(row["routed_at"]),
        category_alternative=row["category_alternative"],
        next_due_at=_maybe_time(row["next_due_at"]),
    )


async def _household_of(
    conn: aiosqlite.Connection, building_id: int | None, person_id: int
) -> int | None:
    if building_id is None:
        return None
    async with conn.execute(
        "SELECT m.household_id FROM household_members m "
        "JOIN households h ON h.id = m.household_id "
        "WHERE h.building_id = ? AND m.person_id = ? AND m.status = 'approved'",
        (building_id, person_id),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


# Which timestamp an arriving status stamps (first response is stamped separately).
_STAMPS = {
    RequestStatus.RESOLVED: "resolved_at",
    RequestStatus.REOPENED: "reopened_at",
    RequestStatus.CLOSED: "closed_at",
    RequestStatus.REJECTED: "closed_at",
}


class RequestRepository(RequestHistory, RequestDeliveries):
    """Reads and writes requests and everything hanging off them (their history: see
    `RequestHistory`)."""

    def __init__(
        self, database: Database, clock: Clock, due_rules: DueRulesSource | None = None
    ) -> None:
        super().__init__(database, clock)
        self._due_rules = due_rules

    def use_due_rules(self, source: DueRulesSource) -> None:
        """Where the SLA and rating window come from (they may change at start-up)."""
        self._due_rules = source

    @property
    def due_rules(self) -> DueRules | None:
        return None if self._due_rules is None else self._due_rules()

    async def _reschedule(self, conn: aiosqlite.Connection, request_id: int) -> None:
        await reschedule(conn, request_id, self.due_rules, self._clock.now())

    async def follow_due_rules(self) -> int:
        """At start-up: when the SLA or rating window changed since the stored moments were
        computed, bring every scheduled request forward to the earliest moment it could need
        (the next ticks store the exact ones). Returns how many requests were moved."""
        rules = self.due_rules
        if rules is None:
            return 0
        async with self._db.transaction() as conn:
            return await follow_rules(conn, rules)

    async def create(self, new: NewRequest) -> tuple[Request, bool]:
        """Create a request; a replayed message (or update) returns the existing one
        (created=False)."""
        if new.chat_id is not None and new.source_message_id is not None:
            existing = await self.find_by_source(new.chat_id, new.source_message_id)
            if existing is not None:
                return existing, False
        if new.intake_update_id is not None:
            row = await self._db.fetch_one(
                f"{_SELECT} WHERE r.intake_update_id = ?", (new.intake_update_id,)
            )
            if row is not None:
                return _request(row), False
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            await ensure_person(conn, new.reporter_id, now)
            cursor = await conn.execute(
                "INSERT INTO requests (building_id, chat_id, source_message_id, reporter_id, "
                "category, urgent, location, description, status, created_at, updated_at, "
                "intake_update_id, category_alternative) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.building_id,
                    new.chat_id,
                    new.source_message_id,
                    new.reporter_id,
                    new.category,
                    int(new.urgent),
                    new.location,
                    new.description,
                    RequestStatus.NEW.value,
                    now,
                    now,
                    new.intake_update_id,
                    new.category_alternative,
                ),
            )
            request_id = cursor.lastrowid
            assert request_id is not None
            household = await _household_of(conn, new.building_id, new.reporter_id)
            await conn.execute(
                "INSERT INTO request_supporters (request_id, person_id, household_id, added_at) "
                "VALUES (?, ?, ?, ?)",
                (request_id, new.reporter_id, household, now),
            )
            if new.photo is not None:
                await conn.execute(
                    "INSERT OR IGNORE INTO request_photos VALUES (?, ?, ?, ?)",
                    (request_id, new.photo[0], new.photo[1], now),
                )
            await conn.execute(
                "INSERT INTO request_events (request_id, actor_id, action, to_status, at) "
                "VALUES (?, ?, 'report', 'new', ?)",
                (request_id, new.reporter_id, now),
            )
            await self._reschedule(conn, request_id)
        REQUESTS_CREATED.labels(category=new.category, urgent=str(new.urgent).lower()).inc()
        request = await self.get(request_id)
        assert request is not None
        return request, True

    async def get(self, request_id: int) -> Request | None:
        row = await self._db.fetch_one(f"{_SELECT} WHERE r.id = ?", (request_id,))
        return None if row is None else _request(row)

    async def find_by_source(self, chat_id: int, message_id: int) -> Request | None:
        row = await self._db.fetch_one(
            f"{_SELECT} WHERE r.chat_id = ? AND r.source_message_id = ?", (chat_id, message_id)
        )
        return None if row is None else _request(row)

    async def set_card(self, request_id: int, chat_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE requests SET card_chat_id = ?, card_message_id = ? WHERE id = ?",
            (chat_id, message_id, request_id),
        )

    async def mark_routed(self, request_id: int, *, delivered: bool) -> None:
        """Routing is done: staff have their cards (or the group was told who could not be
        reached), so a replay does not route again."""
        await self._db.execute(
            "UPDATE requests SET routed_at = coalesce(routed_at, ?), delivered = ? WHERE id = ?",
            (to_timestamp(self._clock.now()), int(delivered), request_id),
        )

    async def change_status(
        self,
        request_id: int,
        *,
        expected: RequestStatus,
        new_status: RequestStatus,
        action: str,
        actor_id: int | None,
        note: str = "",
        **changes: object,
    ) -> Request | None:
        """Move a request to a new status, recording who did it.

        Returns None when the request is no longer in `expected` (someone else acted first),
        so two people pressing at once never both succeed.
        """
        now = to_timestamp(self._clock.now())
        columns = dict(changes)
        stamp = _STAMPS.get(new_status)
        if stamp is not None:
            columns[stamp] = now
        if actor_id is not None and new_status in (
            RequestStatus.ASSIGNED,
            RequestStatus.IN_PROGRESS,
            RequestStatus.RESOLVED,
        ):
            columns.setdefault("responded_at", now)
        assignments = "".join(f", {name} = ?" for name in columns)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE requests SET status = ?, updated_at = ?{assignments} "
                "WHERE id = ? AND status = ?",
                (new_status.value, now, *columns.values(), request_id, expected.value),
            )
            if cursor.rowcount == 0:
                return None
            if "responded_at" in columns:
                # The first response counts; later ones must not move it.
                await conn.execute(
                    "UPDATE requests SET responded_at = "
                    "(SELECT min(at) FROM request_events WHERE request_id = ? AND actor_id IS "
                    "NOT NULL AND action IN ('take', 'assign', 'start', 'resolve')) "
                    "WHERE id = ? AND EXISTS (SELECT 1 FROM request_events WHERE request_id = ? "
                    "AND action IN ('take', 'assign', 'start', 'resolve'))",
                    (request_id, request_id, request_id),
                )
            await conn.execute(
                "INSERT INTO request_events (request_id, actor_id, action, from_status, "
                "to_status, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (request_id, actor_id, action, expected.value, new_status.value, note, now),
            )
            await self._reschedule(conn, request_id)
        return await self.get(request_id)

    async def update(self, request_id: int, **changes: object) -> None:
        """Change fields that are not the status (card ids, level, delivery)."""
        if not changes:
            return
        assignments = ", ".join(f"{name} = ?" for name in changes)
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE requests SET {assignments} WHERE id = ?", (*changes.values(), request_id)
            )
            if SCHEDULING_COLUMNS & changes.keys():
                await self._reschedule(conn, request_id)

    async def update_description(self, request_id: int, text: str) -> bool:
        """The reporter edited their message: follow it while the request is new."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE requests SET description = ?, updated_at = ? "
                "WHERE id = ? AND status = 'new' AND description != ?",
                (text, to_timestamp(self._clock.now()), request_id, text),
            )
            return cursor.rowcount == 1

    async def add_supporter(self, request_id: int, person_id: int) -> bool:
        """ "Me too": False if this person is already counted."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            await ensure_person(conn, person_id, now)
            async with conn.execute(
                "SELECT building_id FROM requests WHERE id = ?", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
            household = await _household_of(conn, row[0] if row else None, person_id)
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO request_supporters (request_id, person_id, household_id, "
                "added_at) VALUES (?, ?, ?, ?)",
                (request_id, person_id, household, now),
            )
            if cursor.rowcount == 1:
                await conn.execute(
                    "INSERT INTO request_events (request_id, actor_id, action, at) "
                    "VALUES (?, ?, 'me_too', ?)",
                    (request_id, person_id, now),
                )
            return cursor.rowcount == 1

    async def rate(self, request_id: int, actor_id: int, stars: int) -> bool:
        """Store the first rating of a request; False if it was already rated."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE requests SET rating = ? WHERE id = ? AND rating IS NULL",
                (stars, request_id),
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                "INSERT INTO request_events (request_id, actor_id, action, note, at) "
                "VALUES (?, ?, 'rate', ?, ?)",
                (request_id, actor_id, str(stars), now),
            )
            return True

    async def supporters(self, request_id: int) -> list[int]:
        """Reporter and me-too people, in the order they joined."""
        rows = await self._db.fetch_all(
            "SELECT person_id FROM request_supporters WHERE request_id = ? ORDER BY added_at, "
            "rowid",
            (request_id,),
        )
        return [int(row[0]) for row in rows]

    async def add_photo(self, request_id: int, file_id: str, unique_id: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO request_photos VALUES (?, ?, ?, ?)",
            (request_id, file_id, unique_id, to_timestamp(self._clock.now())),
        )

    async def open_in_building(
        self, building_id: int, *, limit: int = 10, offset: int = 0
    ) -> tuple[list[Request], int]:
        """Open requests of a building, most pressing first, and how many there are."""
        statuses = [s.value for s in OPEN_STATUSES]
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.building_id = ? AND r.status IN ({placeholders(statuses)}) "
            f"{_ORDER} LIMIT ? OFFSET ?",
            (building_id, *statuses, limit, offset),
        )
        total = await self._db.fetch_value(
            f"SELECT count(*) FROM requests WHERE building_id = ? "
            f"AND status IN ({placeholders(statuses)})",
            (building_id, *statuses),
        )
        return [_request(row) for row in rows], int(total)

    async def due(
        self,
        now: datetime,
        statuses: Sequence[RequestStatus],
        *,
        after: tuple[datetime, int] | None = None,
        limit: int = 200,
    ) -> list[Request]:
        """One page of requests in `statuses` whose due moment has come, by (moment, id),
        starting after `after` (the last one of the previous page). Reads the due index."""
        low_at, low_id = (to_timestamp(after[0]), after[1]) if after else (-(2**62), 0)
        rows = await self._db.fetch_all(
            # `+r.status`: the status index would read every open request; the due one reads
            # what is due.
            f"{_SELECT} WHERE r.next_due_at <= ? AND (r.next_due_at, r.id) > (?, ?) "
            f"AND +r.status IN ({placeholders(statuses)}) ORDER BY r.next_due_at, r.id LIMIT ?",
            (to_timestamp(now), low_at, low_id, *(s.value for s in statuses), limit),
        )
        return [_request(row) for row in rows]

    async def set_next_due(
        self, request_id: int, moment: datetime | None, *, expected: datetime | None
    ) -> bool:
        """Store the moment a tick computed, unless a state change stored another meanwhile."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE requests SET next_due_at = ? WHERE id = ? AND next_due_at IS ?",
                (
                    None if moment is None else to_timestamp(moment),
                    request_id,
                    None if expected is None else to_timestamp(expected),
                ),
            )
            return cursor.rowcount == 1

    async def open_for_staff(self, person_ids: Sequence[int]) -> dict[int, list[Request]]:
        """For each person: open requests assigned to them, or routed to them while nobody
        took them (one query for a page of staff; both halves read an index by person)."""
        if not person_ids:
            return {}
        statuses = [s.value for s in OPEN_STATUSES]
        marks, people = placeholders(statuses), placeholders(person_ids)
        select = _SELECT.replace("SELECT r.*,", "SELECT q.person_id AS for_person, r.*,", 1)
        rows = await self._db.fetch_all(
            f"{select} JOIN ("
            "SELECT assignee_id AS person_id, id AS request_id FROM requests "
            f"WHERE assignee_id IN ({people}) AND status IN ({marks}) "
            "UNION SELECT d.person_id, d.request_id FROM request_deliveries d "
            "JOIN requests o ON o.id = d.request_id "
            f"WHERE d.person_id IN ({people}) AND d.request_open = 1 "
            f"AND d.message_id IS NOT NULL AND o.assignee_id IS NULL AND o.status IN ({marks})"
            ") q ON q.request_id = r.id ORDER BY q.person_id, r.id",
            (*person_ids, *statuses, *person_ids, *statuses),
        )
        found: dict[int, list[Request]] = {person: [] for person in person_ids}
        for row in rows:
            found[int(row["for_person"])].append(_request(row))
        return found

    async def open_assigned_to(self, person_id: int) -> list[Request]:
        statuses = [s.value for s in OPEN_STATUSES]
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.assignee_id = ? AND r.status IN ({placeholders(statuses)}) "
            f"{_ORDER}",
            (person_id, *statuses),
        )
        return [_request(row) for row in rows]

    async def recent_open(
        self, building_id: int, category: str, since: timedelta
    ) -> list[Request]:
        """Open requests of one building and category reported recently in a group (the
        duplicate check asks about them in a group; a private report is never quoted there)."""
        statuses = [s.value for s in OPEN_STATUSES]
        cutoff = to_timestamp(self._clock.now() - since)
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.building_id = ? AND r.category = ? AND r.created_at >= ? "
            "AND r.chat_id IS NOT NULL "
            f"AND r.status IN ({placeholders(statuses)}) ORDER BY r.created_at DESC",
            (building_id, category, cutoff, *statuses),
        )
        return [_request(row) for row in rows]

    async def unfinished(self, created_before: datetime, limit: int = 20) -> list[Request]:
        """Open requests still without their group card or routing (oldest first)."""
        statuses = [s.value for s in OPEN_STATUSES]
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE (r.routed_at IS NULL OR (r.chat_id IS NOT NULL AND "
            "r.card_message_id IS NULL)) AND r.created_at < ? "
            # `+r.status`: read the small unfinished index, not every open request.
            f"AND +r.status IN ({placeholders(statuses)}) ORDER BY r.id LIMIT ?",
            (to_timestamp(created_before), *statuses, limit),
        )
        return [_request(row) for row in rows]

    async def by_ids(self, ids: Sequence[int]) -> list[Request]:
        if not ids:
            return []
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.id IN ({placeholders(ids)}) {_ORDER}", tuple(ids)
        )
        return [_request(row) for row in rows]
