"""The update inbox: updates are stored before they are acknowledged to Telegram."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, from_timestamp, to_timestamp
from storage.database import Database, placeholders
from storage.journal import update_scope

_NEXT_OFFSET = "next_update_offset"
_POLLED_AT = "last_get_updates_at"


@dataclass(frozen=True)
class StoredUpdate:
    """A raw update as received (JSON text)."""

    update_id: int
    payload: str


class UpdateInbox:
    """Durable record of every update: received, handled, and where polling resumes."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def store(
        self, updates: Sequence[StoredUpdate], *, arrived_after: datetime | None = None
    ) -> list[StoredUpdate]:
        """Insert updates not seen before; returns only the new ones.

        `arrived_after` is the earliest moment they can have been created (default: now).
        The polling offset moves in the same transaction, so the next `getUpdates`
        (which confirms these to Telegram) can only happen after they are on disk.
        """
        if not updates:
            return []
        now = to_timestamp(self._clock.now())
        earliest = now if arrived_after is None else min(to_timestamp(arrived_after), now)
        ids = [u.update_id for u in updates]
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT update_id FROM inbox WHERE update_id IN ({placeholders(ids)})", ids
            ) as cursor:
                known = {int(row[0]) for row in await cursor.fetchall()}
            fresh = [u for u in updates if u.update_id not in known]
            await conn.executemany(
                "INSERT INTO inbox (update_id, payload, received_at, arrived_after) "
                "VALUES (?, ?, ?, ?)",
                [(u.update_id, u.payload, now, earliest) for u in fresh],
            )
            await conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = "
                "CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
                (_NEXT_OFFSET, str(max(ids) + 1)),
            )
        return fresh

    async def arrived_after(self, update_id: int) -> datetime | None:
        """The earliest moment the update can have been created (None if not stored)."""
        row = await self._db.fetch_one(
            "SELECT coalesce(arrived_after, received_at) FROM inbox WHERE update_id = ?",
            (update_id,),
        )
        return None if row is None else from_timestamp(int(row[0]))

    async def note_polled(self, at: datetime) -> None:
        """A getUpdates call came back at `at`: updates created before then were in it."""
        await self._db.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_POLLED_AT, str(to_timestamp(at))),
        )

    async def last_polled(self) -> datetime | None:
        """When the last getUpdates came back (in this run or the one before)."""
        value = await self._db.fetch_value(
            "SELECT value FROM bot_state WHERE key = ?", (_POLLED_AT,)
        )
        return None if value is None else from_timestamp(int(value))

    async def next_offset(self) -> int | None:
        """The `offset` for the next getUpdates, or None before the first update."""
        value = await self._db.fetch_value(
            "SELECT value FROM bot_state WHERE key = ?", (_NEXT_OFFSET,)
        )
        return None if value is None else int(value)

    async def unhandled(self) -> list[StoredUpdate]:
        """Updates stored but not fully handled (e.g. the process died), oldest first."""
        rows = await self._db.fetch_all(
            "SELECT update_id, payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [StoredUpdate(int(r["update_id"]), str(r["payload"])) for r in rows]

    async def mark_handled(self, update_id: int) -> None:
        """Done with: it is never handled again, so what its handling recorded can go."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE inbox SET handled_at = ? WHERE update_id = ?",
                (to_timestamp(self._clock.now()), update_id),
            )
            await conn.execute("DELETE FROM journal WHERE scope = ?", (update_scope(update_id),))

    async def is_handled(self, update_id: int) -> bool:
        value = await self._db.fetch_value(
            "SELECT handled_at FROM inbox WHERE update_id = ?", (update_id,)
        )
        return value is not None

    async def prune(self, older_than: timedelta) -> int:
        """Forget handled updates older than `older_than` (they hold message texts)."""
        cutoff = to_timestamp(self._clock.now() - older_than)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (cutoff,)
            )
            return cursor.rowcount
