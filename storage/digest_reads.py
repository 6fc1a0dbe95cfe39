"""What the daily staff digest reads: each staff member's open cards, only the digest's columns.

A district's digest lists about 140,000 open cards for 5,000 staff, so a card here is the few
columns the digest orders and shows, not a full `Request` (whose supporter count and photos
cost two subqueries a row).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from storage.database import Database, placeholders

_STATUS = {status.value: status for status in RequestStatus}
_ROWS_AT_ONCE = 1000  # cards built between yields to the event loop (about a millisecond)


# Not frozen: a district's digest builds 100k+ of these per run, and a frozen dataclass's
# __init__ costs about seven times as much. Times stay Unix seconds for the same reason (the
# digest turns into text only the 15 cards it shows).
@dataclass(slots=True)
class DigestCard:
    """One open request on a staff member's digest (times in Unix seconds)."""

    request_id: int
    building_id: int | None  # None once its building was deleted
    category: str
    urgent: bool
    status: RequestStatus
    description: str
    created_at: int
    responded_at: int | None
    reopened_at: int | None


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
        columns = (
            "r.id, r.building_id, r.category, r.urgent, r.status, r.description, "
            "r.created_at, r.responded_at, r.reopened_at"
        )
        rows = await self._db.read(
            partial(
                _tuples,
                f"SELECT r.assignee_id, {columns} FROM requests r "
                f"WHERE r.assignee_id IN ({people}) AND r.status IN ({marks}) "
                # The halves never share a row (an assignee, or nobody), so no UNION's sort.
                # The second reads deliveries from `request_deliveries_open_sent` alone.
                f"UNION ALL SELECT d.person_id, {columns} FROM request_deliveries d "
                "JOIN requests r ON r.id = d.request_id "
                f"WHERE d.person_id IN ({people}) AND d.request_open = 1 "
                "AND d.message_id IS NOT NULL AND r.assignee_id IS NULL "
                f"AND r.status IN ({marks})",
                (*person_ids, *statuses, *person_ids, *statuses),
            )
        )
        found: dict[int, list[DigestCard]] = {person: [] for person in person_ids}
        for start in range(0, len(rows), _ROWS_AT_ONCE):
            if start:
                await asyncio.sleep(0)  # a page is thousands of cards: let commands in
            for row in rows[start : start + _ROWS_AT_ONCE]:
                person, number, building, category, urgent, status, text = row[:7]
                found[person].append(
                    DigestCard(
                        number,
                        building,
                        category,
                        urgent == 1,
                        _STATUS[status],
                        text,
                        row[7],
                        row[8],
                        row[9],
                    )
                )
        return found


def _tuples(sql: str, params: Sequence[Any], connection: sqlite3.Connection) -> list[Any]:
    """Rows as plain tuples: 140,000 `sqlite3.Row`s cost a third more to make and to read."""
    cursor = connection.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()
