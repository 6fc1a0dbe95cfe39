"""The update inbox: updates are stored before they are acknowledged to Telegram."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

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
        # Updates whose handling finished, waiting to be marked handled together.
        self._finished: list[tuple[int, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    async def store(
        self,
        updates: Sequence[StoredUpdate],
        *,
        arrived_after: datetime | None = None,
        polled_at: datetime | None = None,
    ) -> list[StoredUpdate]:
        """Insert updates not seen before; returns only the new ones.

        `arrived_after` is the earliest moment they can have been created (default: now).
        The polling offset moves in the same transaction, so the next `getUpdates`
        (which confirms these to Telegram) can only happen after they are on disk.
        `polled_at` (see `note_polled`) is recorded in the same transaction too: a whole
        `getUpdates` batch costs one transaction and one round trip to the database.
        """
        if not updates:
            return []
        now = to_timestamp(self._clock.now())
        earliest = now if arrived_after is None else min(to_timestamp(arrived_after), now)
        polled = None if polled_at is None else to_timestamp(polled_at)
        return await self._db.write(partial(_store, list(updates), now, earliest, polled))

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
        """Done with: it is never handled again, so what its handling recorded can go.

        Returns once that is on disk. Updates finished while an earlier mark is being
        written are marked together in the next transaction (a group commit): under load,
        one transaction marks many updates, and no update is reported handled before it is.
        """
        done = asyncio.get_running_loop().create_future()
        self._finished.append((update_id, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_finished(), name="inbox-mark-handled")
        await done

    async def _mark_finished(self) -> None:
        while self._finished:
            batch, self._finished = self._finished, []
            ids = [update_id for update_id, _ in batch]
            try:
                await self._db.write(partial(_mark, ids, to_timestamp(self._clock.now())))
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

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


def _store(
    updates: list[StoredUpdate],
    now: int,
    earliest: int,
    polled_at: int | None,
    conn: sqlite3.Connection,
) -> list[StoredUpdate]:
    ids = [u.update_id for u in updates]
    known = {
        int(row[0])
        for row in conn.execute(
            f"SELECT update_id FROM inbox WHERE update_id IN ({placeholders(ids)})", ids
        )
    }
    fresh = [u for u in updates if u.update_id not in known]
    conn.executemany(
        "INSERT INTO inbox (update_id, payload, received_at, arrived_after) VALUES (?, ?, ?, ?)",
        [(u.update_id, u.payload, now, earliest) for u in fresh],
    )
    conn.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = "
        "CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
        (_NEXT_OFFSET, str(max(ids) + 1)),
    )
    if polled_at is not None:
        conn.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_POLLED_AT, str(polled_at)),
        )
    return fresh


def _mark(update_ids: list[int], now: int, conn: sqlite3.Connection) -> None:
    conn.executemany(
        "UPDATE inbox SET handled_at = ? WHERE update_id = ?", [(now, i) for i in update_ids]
    )
    conn.executemany(
        "DELETE FROM journal WHERE scope = ?", [(update_scope(i),) for i in update_ids]
    )
