"""Tracked requests: the repository of the record, its photos, its history and who is affected.

The writes are one round trip each (`storage.request_writes`); the dataclasses live in
`storage.request_records` and are re-exported here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from bot.clock import Clock, to_timestamp
from bot.domain.due import DueRules
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.metrics import REQUESTS_CREATED
from storage import request_writes as writes
from storage.database import Database, placeholders
from storage.journal import JournalRecord, recording
from storage.request_deliveries import RequestDeliveries
from storage.request_due import DueRulesSource, follow_rules
from storage.request_history import RequestHistory
from storage.request_records import ORDER as _ORDER
from storage.request_records import SELECT as _SELECT
from storage.request_records import NewRequest, Request
from storage.request_records import request_from_row as _request
from storage.request_views import CardView, read_card_view

__all__ = ["NewRequest", "Request", "RequestRepository"]


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

    def _moment(self) -> writes.Moment:
        now = self._clock.now()
        return writes.Moment(to_timestamp(now), now, self.due_rules)

    async def follow_due_rules(self) -> int:
        """At start-up: when the SLA or rating window changed since the stored moments were
        computed, bring every scheduled request forward to the earliest moment it could need
        (the next ticks store the exact ones). Returns how many requests were moved."""
        rules = self.due_rules
        if rules is None:
            return 0
        return await self._db.write(partial(follow_rules, rules))

    async def create(self, new: NewRequest) -> tuple[Request, bool]:
        """Create a request; a replayed message (or update) returns the existing one
        (created=False). One round trip, the request read back included."""
        request, created, _boards = await self.create_marking_boards(new)
        return request, created

    async def create_marking_boards(self, new: NewRequest) -> tuple[Request, bool, int]:
        """`create`, and how many of its building's pinned boards it marked for a redraw (in
        the same transaction: a crash cannot keep a new request off them)."""
        row, created, boards = await self._db.write(partial(writes.create, new, self._moment()))
        if created:
            REQUESTS_CREATED.labels(category=new.category, urgent=str(new.urgent).lower()).inc()
        return _request(row), created, boards

    async def get(self, request_id: int) -> Request | None:
        row = await self._db.fetch_one(f"{_SELECT} WHERE r.id = ?", (request_id,))
        return None if row is None else _request(row)

    async def card_view(self, request_id: int) -> CardView | None:
        """The request, its staff cards, and the people and languages they show."""
        return await self._db.read(partial(read_card_view, request_id))

    async def find_by_source(self, chat_id: int, message_id: int) -> Request | None:
        row = await self._db.fetch_one(
            f"{_SELECT} WHERE r.chat_id = ? AND r.source_message_id = ?", (chat_id, message_id)
        )
        return None if row is None else _request(row)

    async def set_card(
        self,
        request_id: int,
        chat_id: int,
        message_id: int,
        *,
        journal: Sequence[JournalRecord] = (),
    ) -> Request:
        """Remember the group card (with the journal's record of sending it, when given);
        returns the request as it is now (one round trip)."""
        row = await self._db.write(
            partial(
                recording,
                journal,
                partial(
                    writes.updated,
                    request_id,
                    "UPDATE requests SET card_chat_id = ?, card_message_id = ? WHERE id = ?",
                    (chat_id, message_id, request_id),
                ),
            )
        )
        return _request(row)

    async def mark_routed(self, request_id: int, *, delivered: bool, level: int | None) -> Request:
        """Routing is done: staff have their cards (or the group was told who could not be
        reached), so a replay does not route again. `level`: the rung it was routed to
        (None: no staff serve it), recorded together, so the planner never sees a routed
        request without it. Returns the request as it is now."""
        row = await self._db.write(
            partial(
                writes.routed,
                request_id,
                to_timestamp(self._clock.now()),
                delivered,
                level,
                self._moment(),
            )
        )
        return _request(row)

    async def intake_view(
        self, chat_id: int, message_id: int, building_id: int, category: str, since: timedelta
    ) -> tuple[Request | None, list[Request]]:
        """What intake asks about a group message, in one round trip: the request it already
        made (handled before), else the open requests it may repeat (see `recent_open`)."""
        cutoff = to_timestamp(self._clock.now() - since)
        existing, recent = await self._db.read(
            partial(_intake_view, (chat_id, message_id), (building_id, category, cutoff))
        )
        if existing is not None:
            return _request(existing), []
        return None, [_request(row) for row in recent]

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
        """Move a request to a new status, recording who did it; returns it as it is now.

        Returns None when the request is no longer in `expected` (someone else acted first),
        so two people pressing at once never both succeed.
        """
        row = await self._db.write(
            partial(
                writes.change_status,
                request_id,
                expected,
                new_status,
                (action, actor_id, note),
                dict(changes),
                self._moment(),
            )
        )
        return None if row is None else _request(row)

    async def update(self, request_id: int, **changes: object) -> None:
        """Change fields that are not the status (card ids, level, delivery)."""
        if changes:
            await self._db.write(partial(writes.update, request_id, changes, self._moment()))

    async def update_description(self, request_id: int, text: str) -> bool:
        """The reporter edited their message: follow it while the request is new."""
        changed = await self._db.write(
            partial(
                _rowcount,
                "UPDATE requests SET description = ?, updated_at = ? "
                "WHERE id = ? AND status = 'new' AND description != ?",
                (text, to_timestamp(self._clock.now()), request_id, text),
            )
        )
        return changed == 1

    async def add_supporter(self, request_id: int, person_id: int) -> bool:
        """ "Me too": False if this person is already counted."""
        stamp = to_timestamp(self._clock.now())
        return await self._db.write(partial(writes.add_supporter, request_id, person_id, stamp))

    async def rate(self, request_id: int, actor_id: int, stars: int) -> bool:
        """Store the first rating of a request; False if it was already rated."""
        stamp = to_timestamp(self._clock.now())
        return await self._db.write(partial(writes.rate, request_id, actor_id, stars, stamp))

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
        changed = await self._db.write(
            partial(
                _rowcount,
                "UPDATE requests SET next_due_at = ? WHERE id = ? AND next_due_at IS ?",
                (
                    None if moment is None else to_timestamp(moment),
                    request_id,
                    None if expected is None else to_timestamp(expected),
                ),
            )
        )
        return changed == 1

    async def recent_open(
        self, building_id: int, category: str, since: timedelta
    ) -> list[Request]:
        """Open requests of one building and category reported recently in a group (the
        duplicate check asks about them in a group; a private report is never quoted there)."""
        cutoff = to_timestamp(self._clock.now() - since)
        rows = await self._db.fetch_all(_RECENT_OPEN, (building_id, category, cutoff, *_OPEN))
        return [_request(row) for row in rows]

    async def unfinished(
        self, created_before: datetime | None, limit: int = 20, *, up_to_id: int | None = None
    ) -> list[Request]:
        """Open requests still without their group card or routing (oldest first), created
        before `created_before` (None: whenever) and numbered up to `up_to_id` (None: any)."""
        statuses = [s.value for s in OPEN_STATUSES]
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE (r.routed_at IS NULL OR (r.chat_id IS NOT NULL AND "
            "r.card_message_id IS NULL)) AND r.created_at < ? AND r.id <= ? "
            # `+r.status`: read the small unfinished index, not every open request.
            f"AND +r.status IN ({placeholders(statuses)}) ORDER BY r.id LIMIT ?",
            (
                2**62 if created_before is None else to_timestamp(created_before),
                2**62 if up_to_id is None else up_to_id,
                *statuses,
                limit,
            ),
        )
        return [_request(row) for row in rows]

    async def newest_id(self) -> int:
        """The highest request number so far (0: none)."""
        return int(await self._db.fetch_value("SELECT coalesce(max(id), 0) FROM requests"))

    async def by_ids(self, ids: Sequence[int]) -> list[Request]:
        if not ids:
            return []
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.id IN ({placeholders(ids)}) {_ORDER}", tuple(ids)
        )
        return [_request(row) for row in rows]


def _rowcount(sql: str, params: tuple[object, ...], conn: sqlite3.Connection) -> int:
    return conn.execute(sql, params).rowcount


_OPEN = tuple(s.value for s in OPEN_STATUSES)
_RECENT_OPEN = (
    f"{_SELECT} WHERE r.building_id = ? AND r.category = ? AND r.created_at >= ? "
    f"AND r.chat_id IS NOT NULL AND r.status IN ({placeholders(_OPEN)}) "
    "ORDER BY r.created_at DESC"
)


def _intake_view(
    source: tuple[int, int], recent: tuple[int, str, int], conn: sqlite3.Connection
) -> tuple[sqlite3.Row | None, list[sqlite3.Row]]:
    existing = conn.execute(
        f"{_SELECT} WHERE r.chat_id = ? AND r.source_message_id = ?", source
    ).fetchone()
    if existing is not None:
        return existing, []
    return None, conn.execute(_RECENT_OPEN, (*recent, *_OPEN)).fetchall()
