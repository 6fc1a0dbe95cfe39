"""What the daily staff digest reads: each staff member's open cards, only the digest's columns.

A district's digest lists about 140,000 open cards for 5,000 staff, so a card here is the few
columns the digest orders and shows, not a full `Request` (whose supporter count and photos
cost two subqueries a row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from storage.database import Database, placeholders

_STATUS = {status.value: status for status in RequestStatus}
_ROWS_AT_ONCE = 500  # cards built between yields to the event loop (about a millisecond)


# Not frozen: a district's digest builds 100k+ of these per run, and a frozen dataclass's
# __init__ costs about seven times as much.
@dataclass(slots=True)
class DigestCard:
    """One open request on a staff member's digest."""

    request_id: int
    building_id: int | None  # None once its building was deleted
    category: str
    urgent: bool
    status: RequestStatus
    description: str
    created_at: datetime
    responded_at: datetime | None
    reopened_at: datetime | None


class DigestReads:
    """Reads for `handlers.reminders.send_digests` (on the job connection, by the caller)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def open_cards(self, person_ids: Sequence[int]) -> dict[int, list[DigestCard]]:
        """For each person: open requests assigned to them, or whose card they were sent
        while nobody took them (one query for a page of staff; both halves read an index by
        person, and a request's row by its id)."""
        if not person_ids:
            return {}
        statuses = [status.value for status in OPEN_STATUSES]
        marks, people = placeholders(statuses), placeholders(person_ids)
        rows = await self._db.fetch_all(
            "SELECT q.person_id, r.id, r.building_id, r.category, r.urgent, r.status, "
            "r.description, r.created_at, r.responded_at, r.reopened_at FROM ("
            "SELECT assignee_id AS person_id, id AS request_id FROM requests "
            f"WHERE assignee_id IN ({people}) AND status IN ({marks}) "
            # The halves never share a row (an assignee, or nobody), so no UNION's sort.
            "UNION ALL SELECT d.person_id, d.request_id FROM request_deliveries d "
            "JOIN requests o ON o.id = d.request_id "
            f"WHERE d.person_id IN ({people}) AND d.request_open = 1 "
            f"AND d.message_id IS NOT NULL AND o.assignee_id IS NULL AND o.status IN ({marks})"
            ") q JOIN requests r ON r.id = q.request_id",
            (*person_ids, *statuses, *person_ids, *statuses),
        )
        found: dict[int, list[DigestCard]] = {person: [] for person in person_ids}
        moment = datetime.fromtimestamp
        for start in range(0, len(rows), _ROWS_AT_ONCE):
            if start:
                await asyncio.sleep(0)  # a page is thousands of cards: let commands in
            for row in rows[start : start + _ROWS_AT_ONCE]:
                person, request_id, building, category, urgent, status, text = row[:7]
                created, responded, reopened = row[7:]
                found[person].append(
                    DigestCard(
                        request_id,
                        building,
                        category,
                        bool(urgent),
                        _STATUS[status],
                        text,
                        moment(created, UTC),
                        None if responded is None else moment(responded, UTC),
                        None if reopened is None else moment(reopened, UTC),
                    )
                )
        return found
