"""The history half of the request repository: who did what to a request, and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.clock import Clock, from_timestamp, to_timestamp
from storage import request_writes as writes
from storage.database import Database


@dataclass(frozen=True)
class RequestEvent:
    """One line of a request's history."""

    actor_id: int | None
    actor_name: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str
    at: datetime


class RequestHistory:
    """Reads and writes `request_events` (extended by `RequestRepository`)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def history(self, request_id: int) -> list[RequestEvent]:
        return await self._events("WHERE e.request_id = ? ORDER BY e.id", (request_id,))

    async def _events(self, where: str, params: tuple[object, ...]) -> list[RequestEvent]:
        rows = await self._db.fetch_all(
            "SELECT e.*, p.first_name, p.last_name FROM request_events e "
            f"LEFT JOIN people p ON p.id = e.actor_id {where}",
            params,
        )
        return [
            RequestEvent(
                actor_id=row["actor_id"],
                actor_name=" ".join(p for p in (row["first_name"], row["last_name"]) if p) or None,
                action=str(row["action"]),
                from_status=row["from_status"],
                to_status=row["to_status"],
                note=str(row["note"]),
                at=from_timestamp(int(row["at"])),
            )
            for row in rows
        ]

    async def last_event(self, request_id: int) -> RequestEvent | None:
        events = await self._events(
            "WHERE e.request_id = ? ORDER BY e.id DESC LIMIT 1", (request_id,)
        )
        return events[0] if events else None

    async def note(self, request_id: int, actor_id: int | None, action: str, note: str) -> None:
        """Add a history line that does not change the status. The same line twice in a row
        is one line (the update that wrote it was handled again)."""
        stamp = to_timestamp(self._clock.now())
        await self._db.write(partial(writes.note, request_id, actor_id, action, note, stamp))

    async def set_resolution_note(self, request_id: int, actor_id: int, note: str) -> None:
        """The note residents see on the card, and its history line, together."""
        stamp = to_timestamp(self._clock.now())
        await self._db.write(
            partial(writes.set_resolution_note, request_id, actor_id, note, stamp)
        )

    async def answer_once(
        self, request_id: int, person_id: int, action: str, note: str = ""
    ) -> bool:
        """A supporter's own answer ("fixed?", a rating) to the latest resolution, recorded
        once: False if they gave this kind of answer to it already."""
        stamp = to_timestamp(self._clock.now())
        return await self._db.write(
            partial(writes.answer_once, request_id, person_id, action, note, stamp)
        )
