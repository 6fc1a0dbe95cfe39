"""The journal: what handling an update (or one piece of work) already did.

Telegram offers no idempotency for sending, and an update is handled again after a crash or a
passing Telegram error. The journal narrows what can repeat: a message Telegram confirmed is
recorded at once, and a decision (a vote's new choices, an approval) is recorded before it is
applied, so handling the update again reads them instead of sending or deciding twice.

Rows of an update are deleted when the update is marked handled (`UpdateInbox.mark_handled`);
rows of other work are pruned after a few days.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.clock import Clock, to_timestamp
from storage.database import Database


def update_scope(update_id: int) -> str:
    """The journal scope of one update."""
    return f"u{update_id}"


class Journal:
    """Reads and writes `journal`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def recorded(self, scope: str, step: str) -> Any | None:
        """The value recorded for a step, or None."""
        value = await self._db.fetch_value(
            "SELECT value FROM journal WHERE scope = ? AND step = ?", (scope, step)
        )
        return None if value is None else json.loads(value)

    async def record(self, scope: str, step: str, value: Any, *, chat_id: int | None) -> None:
        """Record what a step did (the first record of a step stays)."""
        await self._db.execute(
            "INSERT INTO journal (scope, step, chat_id, value, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (scope, step) DO NOTHING",
            (scope, step, chat_id, json.dumps(value), to_timestamp(self._clock.now())),
        )

    async def settle(self, scope: str, step: str, value: Any) -> tuple[Any, bool]:
        """The first value recorded for a step, and whether this call recorded it."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO journal (scope, step, value, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, step) DO NOTHING",
                (scope, step, json.dumps(value), to_timestamp(self._clock.now())),
            )
            if cursor.rowcount == 1:
                return value, True
            async with conn.execute(
                "SELECT value FROM journal WHERE scope = ? AND step = ?", (scope, step)
            ) as rows:
                row = await rows.fetchone()
        assert row is not None
        return json.loads(row[0]), False

    async def prune(self, older_than: timedelta) -> int:
        """Forget old records (an update's own go when it is marked handled)."""
        cutoff = to_timestamp(self._clock.now() - older_than)
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM journal WHERE at < ?", (cutoff,))
            return cursor.rowcount
