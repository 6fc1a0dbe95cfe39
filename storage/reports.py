"""Read-only queries behind the building reports and the admins' request export."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.report import ClosedPollRow, ReportData, RequestRow
from storage.database import Database, placeholders
from storage.polls import PollRepository

# Households (or people without one) behind a request: the reporter and everyone "me too".
_AFFECTED = (
    "(SELECT count(DISTINCT coalesce('h' || s.household_id, 'p' || s.person_id)) "
    "FROM request_supporters s WHERE s.request_id = r.id) AS affected"
)
_OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))
_PERIOD_MOMENTS = ("created_at", "responded_at", "resolved_at", "closed_at")
EXPORT_PAGE = 1000
# The export's pages, shared with the child process that writes the files (export_files).
EXPORT_REQUESTS_SQL = (
    f"SELECT r.*, b.name AS building_name, {_AFFECTED} FROM requests r "
    "LEFT JOIN buildings b ON b.id = r.building_id "
    "WHERE r.created_at >= ? AND r.created_at < ? AND (r.created_at, r.id) > (?, ?) "
    "ORDER BY r.created_at, r.id LIMIT ?"
)
EXPORT_EVENTS_SQL = "SELECT * FROM request_events WHERE request_id IN ({}) ORDER BY request_id, id"


def period_bounds(start: datetime, end: datetime) -> tuple[int, int]:
    """Whole-second bounds selecting the same stored seconds as `start <= t < end`."""
    return math.ceil(start.timestamp()), math.ceil(end.timestamp())


def _maybe_time(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


def _row(row: sqlite3.Row) -> RequestRow:
    satisfied = row["satisfied"]
    return RequestRow(
        id=int(row["id"]),
        category=str(row["category"]),
        urgent=bool(row["urgent"]),
        status=RequestStatus(row["status"]),
        description=str(row["description"]),
        created_at=from_timestamp(int(row["created_at"])),
        responded_at=_maybe_time(row["responded_at"]),
        resolved_at=_maybe_time(row["resolved_at"]),
        closed_at=_maybe_time(row["closed_at"]),
        satisfied=None if satisfied is None else bool(satisfied),
        rating=row["rating"],
        affected=int(row["affected"]),
        private=row["chat_id"] is None,
    )


@dataclass(frozen=True)
class ExportedRequest:
    """One line of the "requests" sheet (no names: people appear by Telegram id)."""

    id: int
    building: str | None
    category: str
    urgent: bool
    status: str
    location: str | None
    description: str
    reporter_id: int | None
    assignee_id: int | None
    created_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    affected: int
    satisfied: bool | None
    rating: int | None


@dataclass(frozen=True)
class ExportedEvent:
    """One line of the "history" sheet."""

    request_id: int
    at: datetime
    actor_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str


@dataclass(frozen=True)
class RequestExport:
    requests: tuple[ExportedRequest, ...]
    history: tuple[ExportedEvent, ...]


class ReportRepository:
    """Queries for reports; it never writes."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._polls = PollRepository(database, clock)

    async def requests_in_period(
        self, building_id: int, start: datetime, end: datetime
    ) -> list[RequestRow]:
        """Requests of a building created, first answered, resolved or closed in [start, end).

        One indexed range per moment (building, moment), so a week reads the week's rows.
        """
        bounds = period_bounds(start, end)
        ranges = " UNION ".join(
            f"SELECT id FROM requests WHERE building_id = ? AND {moment} >= ? AND {moment} < ?"
            for moment in _PERIOD_MOMENTS
        )
        rows = await self._db.fetch_all(
            f"SELECT r.*, {_AFFECTED} FROM requests r WHERE r.id IN ({ranges}) ORDER BY r.id",
            (building_id, *bounds) * len(_PERIOD_MOMENTS),
        )
        return [_row(row) for row in rows]

    async def open_requests(self, building_id: int) -> list[RequestRow]:
        rows = await self._db.fetch_all(
            f"SELECT r.*, {_AFFECTED} FROM requests r WHERE r.building_id = ? "
            f"AND r.status IN ({placeholders(_OPEN)}) ORDER BY r.id",
            (building_id, *_OPEN),
        )
        return [_row(row) for row in rows]

    async def closed_polls(
        self, building_id: int, start: datetime, end: datetime
    ) -> list[ClosedPollRow]:
        """Polls of a building that closed (not cancelled) in [start, end), in closing order."""
        ids = await self._db.fetch_all(
            "SELECT id FROM polls WHERE building_id = ? AND status = 'closed' "
            "AND closed_at >= ? AND closed_at < ? ORDER BY closed_at, id",
            (building_id, *period_bounds(start, end)),
        )
        found: list[ClosedPollRow] = []
        for (poll_id,) in ids:
            poll = await self._polls.get(int(poll_id))
            if poll is None or poll.closed_at is None:
                continue
            result = poll.result or {}
            passed = result.get("passed")
            found.append(
                ClosedPollRow(
                    id=poll.id,
                    question=poll.question,
                    closed_at=poll.closed_at,
                    options=poll.options,
                    passed=None if passed is None else bool(passed),
                    winners=tuple(int(w) for w in result.get("winners", ())),
                )
            )
        return found

    async def report_data(self, building_id: int, start: datetime, end: datetime) -> ReportData:
        """Everything `bot.domain.report.summarize` needs for one building."""
        in_period = await self.requests_in_period(building_id, start, end)
        still_open = await self.open_requests(building_id)
        merged = {row.id: row for row in (*in_period, *still_open)}
        return ReportData(
            requests=tuple(merged[key] for key in sorted(merged)),
            polls=tuple(await self.closed_polls(building_id, start, end)),
        )

    async def export_pages(
        self, start: datetime, end: datetime, page_size: int = EXPORT_PAGE
    ) -> AsyncIterator[RequestExport]:
        """Requests of every building created in [start, end) with their whole history, one
        page at a time (by creation, then number), so an export never holds them all."""
        low, high = period_bounds(start, end)
        after = (low - 1, 0)
        while True:
            rows = await self._db.fetch_all(EXPORT_REQUESTS_SQL, (low, high, *after, page_size))
            if not rows:
                return
            requests = tuple(exported_request(row) for row in rows)
            ids = [request.id for request in requests]
            events = await self._db.fetch_all(EXPORT_EVENTS_SQL.format(placeholders(ids)), ids)
            order = {number: index for index, number in enumerate(ids)}
            history = sorted(
                (exported_event(row) for row in events), key=lambda e: order[e.request_id]
            )
            yield RequestExport(requests, tuple(history))
            if len(rows) < page_size:
                return
            after = (int(rows[-1]["created_at"]), int(rows[-1]["id"]))


def exported_request(row: sqlite3.Row) -> ExportedRequest:
    return ExportedRequest(
        id=int(row["id"]),
        building=row["building_name"],
        category=str(row["category"]),
        urgent=bool(row["urgent"]),
        status=str(row["status"]),
        location=row["location"],
        description=str(row["description"]),
        reporter_id=row["reporter_id"],
        assignee_id=row["assignee_id"],
        created_at=from_timestamp(int(row["created_at"])),
        responded_at=_maybe_time(row["responded_at"]),
        resolved_at=_maybe_time(row["resolved_at"]),
        closed_at=_maybe_time(row["closed_at"]),
        affected=int(row["affected"]),
        satisfied=None if row["satisfied"] is None else bool(row["satisfied"]),
        rating=row["rating"],
    )


def exported_event(row: sqlite3.Row) -> ExportedEvent:
    return ExportedEvent(
        request_id=int(row["request_id"]),
        at=from_timestamp(int(row["at"])),
        actor_id=row["actor_id"],
        action=str(row["action"]),
        from_status=row["from_status"],
        to_status=row["to_status"],
        note=str(row["note"]),
    )
