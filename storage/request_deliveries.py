"""Private request cards sent to staff (`request_deliveries`), part of `RequestRepository`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from bot.clock import Clock, to_timestamp
from storage.database import Database, execute_statement
from storage.journal import JournalRecord, recording


class RequestDeliveries:
    """Which staff member got which private card, so cards follow the request."""

    _db: Database
    _clock: Clock

    async def record_delivery(
        self,
        request_id: int,
        person_id: int,
        message_id: int | None,
        failure: str | None,
        *,
        journal: Sequence[JournalRecord] = (),
    ) -> None:
        """Which card went to whom (with the journal's record of sending it, when given:
        one round trip)."""
        await self._db.write(
            partial(
                recording,
                journal,
                partial(
                    execute_statement,
                    "INSERT INTO request_deliveries (request_id, person_id, message_id, "
                    "failure, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, person_id) "
                    "DO UPDATE SET message_id = excluded.message_id, "
                    "failure = excluded.failure, at = excluded.at",
                    (request_id, person_id, message_id, failure, to_timestamp(self._clock.now())),
                ),
            )
        )

    async def forget_delivery(self, request_id: int, person_id: int) -> None:
        """The request left this staff member (another category): stop updating their card."""
        await self._db.execute(
            "DELETE FROM request_deliveries WHERE request_id = ? AND person_id = ?",
            (request_id, person_id),
        )

    async def deliveries(self, request_id: int) -> list[tuple[int, int | None]]:
        """(staff person id, private card message id) for each staff card sent."""
        rows = await self._db.fetch_all(
            "SELECT person_id, message_id FROM request_deliveries WHERE request_id = ? "
            "AND message_id IS NOT NULL",
            (request_id,),
        )
        return [(int(r[0]), None if r[1] is None else int(r[1])) for r in rows]

    async def undelivered_to(self, person_id: int) -> list[int]:
        """Requests whose private card could not reach this person."""
        rows = await self._db.fetch_all(
            "SELECT request_id FROM request_deliveries WHERE person_id = ? "
            "AND message_id IS NULL ORDER BY request_id",
            (person_id,),
        )
        return [int(row[0]) for row in rows]
