"""Histories of needs, projects, meetings and decisions, and the links between list items.

Requests keep their own history (`request_events`); a link to a request also writes a line
there, so each side's history tells where it came from and what came of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef, item_label
from storage.database import Database


@dataclass(frozen=True)
class ListEvent:
    item_kind: ItemKind
    item_id: int
    actor_id: int | None
    actor_name: str | None
    action: str
    note: str
    at: datetime


async def record_event(
    conn: aiosqlite.Connection,
    kind: ItemKind,
    item_id: int,
    actor_id: int | None,
    action: str,
    note: str,
    now: datetime,
) -> None:
    """A history line, inside the caller's transaction."""
    if kind is ItemKind.REQUEST:
        await conn.execute(
            "INSERT INTO request_events (request_id, actor_id, action, note, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (item_id, actor_id, action, note, to_timestamp(now)),
        )
        return
    await conn.execute(
        "INSERT INTO list_events (item_kind, item_id, actor_id, action, note, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (kind.value, item_id, actor_id, action, note, to_timestamp(now)),
    )


async def record_link(
    conn: aiosqlite.Connection, source: ItemRef, result: ItemRef, now: datetime
) -> bool:
    """`source` led to `result` (need → poll, poll → project, project → request …)."""
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO list_links (from_kind, from_id, to_kind, to_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (source.kind.value, source.number, result.kind.value, result.number, to_timestamp(now)),
    )
    return cursor.rowcount == 1


class ListHistoryRepository:
    """Reads histories and links; writes single lines outside other transactions."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(
        self, kind: ItemKind, item_id: int, actor_id: int | None, action: str, note: str = ""
    ) -> None:
        async with self._db.transaction() as conn:
            await record_event(conn, kind, item_id, actor_id, action, note, self._clock.now())

    async def link(self, source: ItemRef, result: ItemRef, *, actor_id: int | None = None) -> bool:
        """Link two items and say so in both histories (once)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if not await record_link(conn, source, result, now):
                return False
            await record_event(
                conn, source.kind, source.number, actor_id, "led_to", item_label(result), now
            )
            await record_event(
                conn, result.kind, result.number, actor_id, "came_from", item_label(source), now
            )
            return True

    async def history(self, kind: ItemKind, item_id: int, *, limit: int = 50) -> list[ListEvent]:
        """The latest `limit` lines, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM (SELECT e.*, p.first_name, p.last_name FROM list_events e "
            "LEFT JOIN people p ON p.id = e.actor_id WHERE e.item_kind = ? AND e.item_id = ? "
            "ORDER BY e.id DESC LIMIT ?) ORDER BY id",
            (kind.value, item_id, limit),
        )
        return [
            ListEvent(
                item_kind=ItemKind(row["item_kind"]),
                item_id=int(row["item_id"]),
                actor_id=row["actor_id"],
                actor_name=" ".join(p for p in (row["first_name"], row["last_name"]) if p) or None,
                action=str(row["action"]),
                note=str(row["note"]),
                at=from_timestamp(int(row["at"])),
            )
            for row in rows
        ]

    async def links(self, item: ItemRef) -> tuple[list[ItemRef], list[ItemRef]]:
        """(what it came from, what came of it)."""
        sources = await self._db.fetch_all(
            "SELECT from_kind, from_id FROM list_links WHERE to_kind = ? AND to_id = ? "
            "ORDER BY created_at, rowid",
            (item.kind.value, item.number),
        )
        results = await self._db.fetch_all(
            "SELECT to_kind, to_id FROM list_links WHERE from_kind = ? AND from_id = ? "
            "ORDER BY created_at, rowid",
            (item.kind.value, item.number),
        )
        return (
            [ItemRef(ItemKind(r[0]), int(r[1])) for r in sources],
            [ItemRef(ItemKind(r[0]), int(r[1])) for r in results],
        )

    async def sources_of(self, result: ItemRef, kind: ItemKind) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT from_id FROM list_links WHERE to_kind = ? AND to_id = ? AND from_kind = ?",
            (result.kind.value, result.number, kind.value),
        )
        return [int(row[0]) for row in rows]

    async def results_of(self, source: ItemRef, kind: ItemKind) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT to_id FROM list_links WHERE from_kind = ? AND from_id = ? AND to_kind = ? "
            "ORDER BY created_at, rowid",
            (source.kind.value, source.number, kind.value),
        )
        return [int(row[0]) for row in rows]
