"""Needs: residents' wishes and suggestions, their supporters and what heads decide."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.lists import ACTIVE_NEEDS, NeedStatus, need_moves, supporter_key
from storage.database import Database, placeholders
from storage.list_history import record_event, record_link
from storage.roles import ensure_person


@dataclass(frozen=True)
class Need:
    id: int
    building_id: int
    chat_id: int | None
    card_message_id: int | None
    author_id: int | None
    text: str
    public: bool
    status: NeedStatus
    support: int
    merged_into: int | None
    decline_reason: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_NEEDS


def _need(row: sqlite3.Row) -> Need:
    return Need(
        id=int(row["id"]),
        building_id=int(row["building_id"]),
        chat_id=row["chat_id"],
        card_message_id=row["card_message_id"],
        author_id=row["author_id"],
        text=str(row["text"]),
        public=bool(row["public"]),
        status=NeedStatus(row["status"]),
        support=int(row["support"]),
        merged_into=row["merged_into"],
        decline_reason=row["decline_reason"],
        created_at=from_timestamp(int(row["created_at"])),
        updated_at=from_timestamp(int(row["updated_at"])),
    )


class Support(Enum):
    ADDED = "added"
    ALREADY = "already"  # this person already supports it
    HOUSEHOLD = "household"  # another member of the household already does
    CLOSED = "closed"  # the need is no longer open for support


async def household_in_building(
    conn: aiosqlite.Connection, building_id: int, person_id: int
) -> int | None:
    """The person's approved household in this building, if any."""
    async with conn.execute(
        "SELECT m.household_id FROM household_members m JOIN households h "
        "ON h.id = m.household_id WHERE h.building_id = ? AND m.person_id = ? "
        "AND m.status = 'approved'",
        (building_id, person_id),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def adopt_need_in(
    conn: aiosqlite.Connection, need_id: int, project_id: int, actor_id: int | None, now: datetime
) -> bool:
    """Inside the project's creation: the need became project `project_id`."""
    async with conn.execute("SELECT status FROM needs WHERE id = ?", (need_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None or NeedStatus.ADOPTED not in need_moves(NeedStatus(row[0])):
        return False
    await conn.execute(
        "UPDATE needs SET status = 'adopted', updated_at = ? WHERE id = ?",
        (to_timestamp(now), need_id),
    )
    await record_event(conn, ItemKind.NEED, need_id, actor_id, "adopted", f"PJ{project_id}", now)
    return True


async def _recount(conn: aiosqlite.Connection, need_id: int) -> None:
    await conn.execute(
        "UPDATE needs SET support = (SELECT count(*) FROM need_supporters WHERE need_id = ?) "
        "WHERE id = ?",
        (need_id, need_id),
    )


async def insert_need(
    conn: aiosqlite.Connection,
    *,
    building_id: int,
    author_id: int,
    text: str,
    source_key: str,
    chat_id: int | None,
    public: bool,
    now: datetime,
) -> int:
    """A new need supported by its author, inside the caller's transaction; its id."""
    stamp = to_timestamp(now)
    await ensure_person(conn, author_id, stamp)
    cursor = await conn.execute(
        "INSERT INTO needs (building_id, chat_id, source_key, author_id, text, public, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (building_id, chat_id, source_key, author_id, text, int(public), stamp, stamp),
    )
    need_id = cursor.lastrowid
    assert need_id is not None
    household = await household_in_building(conn, building_id, author_id)
    await conn.execute(
        "INSERT INTO need_supporters (need_id, supporter_key, person_id, added_at) "
        "VALUES (?, ?, ?, ?)",
        (need_id, supporter_key(author_id, household), author_id, stamp),
    )
    await _recount(conn, need_id)
    await record_event(conn, ItemKind.NEED, need_id, author_id, "propose", "", now)
    return need_id


class NeedRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self,
        *,
        building_id: int,
        author_id: int,
        text: str,
        source_key: str,
        chat_id: int | None,
        public: bool,
    ) -> tuple[Need, bool]:
        """A new need supported by its author; a replayed command returns the first one."""
        existing = await self._db.fetch_one(
            "SELECT * FROM needs WHERE source_key = ?", (source_key,)
        )
        if existing is not None:
            return _need(existing), False
        now = self._clock.now()
        async with self._db.transaction() as conn:
            need_id = await insert_need(
                conn,
                building_id=building_id,
                author_id=author_id,
                text=text,
                source_key=source_key,
                chat_id=chat_id,
                public=public,
                now=now,
            )
        need = await self.get(need_id)
        assert need is not None
        return need, True

    async def get(self, need_id: int) -> Need | None:
        row = await self._db.fetch_one("SELECT * FROM needs WHERE id = ?", (need_id,))
        return None if row is None else _need(row)

    async def set_card(self, need_id: int, chat_id: int, message_id: int, *, public: bool) -> None:
        await self._db.execute(
            "UPDATE needs SET chat_id = ?, card_message_id = ?, public = ? WHERE id = ?",
            (chat_id, message_id, int(public), need_id),
        )

    async def support(self, need_id: int, person_id: int) -> Support:
        """Count a supporter: one per household when the person belongs to one."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT building_id, status FROM needs WHERE id = ?", (need_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None or NeedStatus(row["status"]) not in ACTIVE_NEEDS:
                return Support.CLOSED
            await ensure_person(conn, person_id, to_timestamp(now))
            household = await household_in_building(conn, int(row["building_id"]), person_id)
            key = supporter_key(person_id, household)
            async with conn.execute(
                "SELECT person_id FROM need_supporters WHERE need_id = ? AND "
                "(supporter_key = ? OR person_id = ?)",
                (need_id, key, person_id),
            ) as cursor:
                found = await cursor.fetchone()
            if found is not None:
                return Support.ALREADY if int(found[0]) == person_id else Support.HOUSEHOLD
            await conn.execute(
                "INSERT INTO need_supporters (need_id, supporter_key, person_id, added_at) "
                "VALUES (?, ?, ?, ?)",
                (need_id, key, person_id, to_timestamp(now)),
            )
            await _recount(conn, need_id)
            await record_event(conn, ItemKind.NEED, need_id, person_id, "support", "", now)
            return Support.ADDED

    async def supporters(self, need_id: int) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT person_id FROM need_supporters WHERE need_id = ? ORDER BY added_at, rowid",
            (need_id,),
        )
        return [int(row[0]) for row in rows]

    async def move(
        self,
        need_id: int,
        target: NeedStatus,
        *,
        actor_id: int | None,
        note: str = "",
        decline_reason: str | None = None,
    ) -> Need | None:
        """Forward, decline (with a reason) or adopt a need; None if it cannot move (any
        more): the check and the write happen in one transaction."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if not await self._move_in(conn, need_id, target, now, decline_reason):
                return None
            await record_event(conn, ItemKind.NEED, need_id, actor_id, target.value, note, now)
        return await self.get(need_id)

    async def _move_in(
        self,
        conn: aiosqlite.Connection,
        need_id: int,
        target: NeedStatus,
        now: datetime,
        decline_reason: str | None = None,
        merged_into: int | None = None,
    ) -> bool:
        async with conn.execute("SELECT status FROM needs WHERE id = ?", (need_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return False
        current = NeedStatus(row[0])
        if target not in need_moves(current):
            return False
        await conn.execute(
            "UPDATE needs SET status = ?, updated_at = ?, decline_reason = coalesce(?, "
            "decline_reason), merged_into = coalesce(?, merged_into) WHERE id = ?",
            (target.value, to_timestamp(now), decline_reason, merged_into, need_id),
        )
        return True

    async def merge(self, need_id: int, into_id: int, *, actor_id: int) -> Need | None:
        """A duplicate: its supporters join the other need (households counted once)."""
        if need_id == into_id:
            return None
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT status FROM needs WHERE id = ?", (into_id,)) as cur:
                target = await cur.fetchone()
            if target is None or NeedStatus(target[0]) not in ACTIVE_NEEDS:
                return None
            if not await self._move_in(conn, need_id, NeedStatus.MERGED, now, merged_into=into_id):
                return None
            await conn.execute(
                "INSERT OR IGNORE INTO need_supporters (need_id, supporter_key, person_id, "
                "added_at) SELECT ?, supporter_key, person_id, added_at FROM need_supporters "
                "WHERE need_id = ?",
                (into_id, need_id),
            )
            await _recount(conn, into_id)
            await record_link(
                conn, ItemRef(ItemKind.NEED, need_id), ItemRef(ItemKind.NEED, into_id), now
            )
            await record_event(
                conn, ItemKind.NEED, need_id, actor_id, "merged", f"N{into_id}", now
            )
            await record_event(
                conn, ItemKind.NEED, into_id, actor_id, "merged_in", f"N{need_id}", now
            )
        return await self.get(into_id)

    async def page(
        self,
        building_id: int,
        statuses: Collection[NeedStatus],
        *,
        limit: int,
        offset: int,
        public_only: bool = False,
    ) -> tuple[list[Need], int]:
        """Most supported first."""
        values = [s.value for s in statuses]
        where = f"building_id = ? AND status IN ({placeholders(values)})"
        if public_only:
            where += " AND public = 1"
        rows = await self._db.fetch_all(
            f"SELECT * FROM needs WHERE {where} ORDER BY support DESC, id LIMIT ? OFFSET ?",
            (building_id, *values, limit, offset),
        )
        total = await self._db.fetch_value(
            f"SELECT count(*) FROM needs WHERE {where}", (building_id, *values)
        )
        return [_need(row) for row in rows], int(total)

    async def by_ids(self, ids: Collection[int]) -> list[Need]:
        if not ids:
            return []
        rows = await self._db.fetch_all(
            f"SELECT * FROM needs WHERE id IN ({placeholders(ids)}) ORDER BY id", tuple(ids)
        )
        return [_need(row) for row in rows]
