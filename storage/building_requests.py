"""Groups asking for a new building, until a community admin decides."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock, to_timestamp
from storage.database import Database


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class BuildingRequest:
    """A group's request to create a building with a name."""

    id: int
    chat_id: int
    name: str
    requested_by: int
    status: RequestStatus
    decided_by: int | None
    building_id: int | None


def _request(row: sqlite3.Row) -> BuildingRequest:
    return BuildingRequest(
        id=int(row["id"]),
        chat_id=int(row["chat_id"]),
        name=str(row["name"]),
        requested_by=int(row["requested_by"]),
        status=RequestStatus(row["status"]),
        decided_by=row["decided_by"],
        building_id=row["building_id"],
    )


class BuildingRequestRepository:
    """Reads and writes `building_requests`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def ask(
        self, chat_id: int, name: str, requested_by: int
    ) -> tuple[BuildingRequest, bool]:
        """The group's pending request (a new one replaces a pending one with another
        name); returns (request, whether admins still have to hear about it)."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM building_requests WHERE chat_id = ? AND status = 'pending'",
                (chat_id,),
            ) as cursor:
                pending = await cursor.fetchone()
            if pending is not None and pending["name"] == name:
                return _request(pending), False
            if pending is not None:
                await conn.execute(
                    "UPDATE building_requests SET status = 'rejected', decided_at = ? "
                    "WHERE id = ?",
                    (now, pending["id"]),
                )
            cursor = await conn.execute(
                "INSERT INTO building_requests (chat_id, name, requested_by, requested_at) "
                "VALUES (?, ?, ?, ?)",
                (chat_id, name, requested_by, now),
            )
            request_id = cursor.lastrowid
        request = await self.get(int(request_id or 0))
        assert request is not None
        return request, True

    async def get(self, request_id: int) -> BuildingRequest | None:
        row = await self._db.fetch_one(
            "SELECT * FROM building_requests WHERE id = ?", (request_id,)
        )
        return None if row is None else _request(row)

    async def decide(
        self, request_id: int, *, approved: bool, by: int, building_id: int | None
    ) -> bool:
        """Record the decision; False if it was no longer pending (someone else decided)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE building_requests SET status = ?, decided_by = ?, decided_at = ?, "
                "building_id = ? WHERE id = ? AND status = 'pending'",
                (
                    (RequestStatus.APPROVED if approved else RequestStatus.REJECTED).value,
                    by,
                    to_timestamp(self._clock.now()),
                    building_id,
                    request_id,
                ),
            )
            return cursor.rowcount == 1
