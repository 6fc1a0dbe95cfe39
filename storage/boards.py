"""The pinned board message of each group: where it is and whether it shows the latest."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.clock import Clock, from_timestamp, to_timestamp
from storage.database import Database


@dataclass(frozen=True)
class Board:
    chat_id: int
    building_id: int
    enabled: bool
    message_id: int | None
    pinned: bool
    text_hash: str | None
    dirty: bool
    edited_at: datetime | None


def _board(row: sqlite3.Row) -> Board:
    return Board(
        chat_id=int(row["chat_id"]),
        building_id=int(row["building_id"]),
        enabled=bool(row["enabled"]),
        message_id=row["message_id"],
        pinned=bool(row["pinned"]),
        text_hash=row["text_hash"],
        dirty=bool(row["dirty"]),
        edited_at=None if row["edited_at"] is None else from_timestamp(int(row["edited_at"])),
    )


class BoardRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def get(self, chat_id: int) -> Board | None:
        row = await self._db.fetch_one("SELECT * FROM boards WHERE chat_id = ?", (chat_id,))
        return None if row is None else _board(row)

    async def ensure(self, chat_id: int, building_id: int) -> tuple[Board, bool]:
        """The chat's board row, created (enabled) if it has none; created=True then."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT building_id FROM boards WHERE chat_id = ?", (chat_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                await conn.execute(
                    "INSERT INTO boards (chat_id, building_id) VALUES (?, ?)",
                    (chat_id, building_id),
                )
            elif int(row[0]) != building_id:
                # The group was linked to another building: its board shows that one now.
                await conn.execute(
                    "UPDATE boards SET building_id = ?, dirty = 1 WHERE chat_id = ?",
                    (building_id, chat_id),
                )
        board = await self.get(chat_id)
        assert board is not None
        return board, row is None

    async def set_enabled(self, chat_id: int, enabled: bool) -> None:
        await self._db.execute(
            "UPDATE boards SET enabled = ?, dirty = 1 WHERE chat_id = ?", (int(enabled), chat_id)
        )

    async def of_building(self, building_id: int) -> list[Board]:
        rows = await self._db.fetch_all(
            "SELECT * FROM boards WHERE building_id = ? AND enabled = 1", (building_id,)
        )
        return [_board(row) for row in rows]

    async def mark_dirty(self, building_id: int) -> int:
        """Something on the building's lists changed; how many boards must be redrawn."""
        # One round trip: this runs for every new request and every card change.
        return await self._db.write(partial(_mark_dirty, building_id))

    async def rendered(
        self,
        chat_id: int,
        *,
        message_id: int,
        text_hash: str,
        pinned: bool,
        refresh_at: datetime,
        edited: bool,
    ) -> None:
        """The message shows `text_hash` now (dirty is cleared)."""
        now = to_timestamp(self._clock.now())
        await self._db.execute(
            "UPDATE boards SET message_id = ?, text_hash = ?, pinned = ?, dirty = 0, "
            "refresh_at = ?, edited_at = CASE WHEN ? THEN ? ELSE edited_at END "
            "WHERE chat_id = ?",
            (
                message_id,
                text_hash,
                int(pinned),
                to_timestamp(refresh_at),
                int(edited),
                now,
                chat_id,
            ),
        )

    async def set_pinned(self, chat_id: int) -> None:
        await self._db.execute("UPDATE boards SET pinned = 1 WHERE chat_id = ?", (chat_id,))

    async def forget_message(self, chat_id: int) -> None:
        """The board message is gone (deleted, or turned off): post a new one next time."""
        await self._db.execute(
            "UPDATE boards SET message_id = NULL, text_hash = NULL, pinned = 0, dirty = 1 "
            "WHERE chat_id = ?",
            (chat_id,),
        )

    async def dirty_chats(self, limit: int = 100) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT chat_id FROM boards WHERE dirty = 1 AND enabled = 1 LIMIT ?", (limit,)
        )
        return [int(row[0]) for row in rows]

    async def refresh_due(self, now: datetime, limit: int = 100) -> list[int]:
        """Boards whose time-dependent counts (overdue …) should be looked at again."""
        rows = await self._db.fetch_all(
            "SELECT chat_id FROM boards WHERE enabled = 1 AND refresh_at <= ? "
            "ORDER BY refresh_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [int(row[0]) for row in rows]


def _mark_dirty(building_id: int, connection: sqlite3.Connection) -> int:
    return connection.execute(
        "UPDATE boards SET dirty = 1 WHERE building_id = ? AND enabled = 1", (building_id,)
    ).rowcount
