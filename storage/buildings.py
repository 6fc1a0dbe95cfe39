"""Buildings and which group chats are linked to them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import time

from bot.clock import Clock, to_timestamp
from bot.domain.building_names import clean_name, look_alike_key
from storage.database import Database, ReadCache


@dataclass(frozen=True)
class Building:
    """A building (or courtyard) with its own settings; None means the community default."""

    id: int
    name: str
    language: str | None
    timezone: str | None
    quiet_start: time | None
    quiet_end: time | None
    total_households: int | None
    auto_approve: bool
    residents_may_poll: bool
    chat_admins_are_heads: bool | None
    from_config: bool
    # Offered in everyone's private /join and /report (a community admin's choice).
    public: bool = False


def name_key(name: str) -> str:
    return clean_name(name).casefold()


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


def _building(row: sqlite3.Row) -> Building:
    heads = row["chat_admins_are_heads"]
    return Building(
        id=int(row["id"]),
        name=str(row["name"]),
        language=row["language"],
        timezone=row["timezone"],
        quiet_start=_time(row["quiet_start"]),
        quiet_end=_time(row["quiet_end"]),
        total_households=row["total_households"],
        auto_approve=bool(row["auto_approve"]),
        residents_may_poll=bool(row["residents_may_poll"]),
        chat_admins_are_heads=None if heads is None else bool(heads),
        from_config=bool(row["from_config"]),
        public=bool(row["public"]),
    )


_SETTABLE = {f.name for f in fields(Building)} - {"id", "name", "from_config"}

# Groups (and buildings) kept in memory (a district's fit many times over).
CHAT_CACHE_LIMIT = 50_000

# Tables whose chat ids follow a group when Telegram upgrades it to a supergroup.
CHAT_REFERENCES: list[tuple[str, str]] = [
    ("requests", "chat_id"),
    ("requests", "card_chat_id"),
    ("suggestions", "chat_id"),
    ("polls", "chat_id"),
    ("outbox", "chat_id"),
    ("outbox", "fallback_chat_id"),
    ("chat_bots", "chat_id"),
    ("needs", "chat_id"),
    ("projects", "chat_id"),
    ("meetings", "chat_id"),
    ("boards", "chat_id"),
]


class BuildingRepository:
    """Reads and writes `buildings` and the chat → building link."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # Every group message asks for its building, and links change seldom: kept until a
        # write to `buildings` or to the chat's row (`Database.generation`).
        self._by_chat: ReadCache[int, Building | None] = ReadCache(CHAT_CACHE_LIMIT)
        self._by_id: ReadCache[int, Building | None] = ReadCache(CHAT_CACHE_LIMIT)
        self._chats_of: ReadCache[int, tuple[int, ...]] = ReadCache(CHAT_CACHE_LIMIT)

    async def get(self, building_id: int) -> Building | None:
        stamp = self._db.row_generation("buildings", building_id)  # before the read
        found, cached = self._by_id.get(building_id, stamp)
        if found:
            return cached
        row = await self._db.fetch_one("SELECT * FROM buildings WHERE id = ?", (building_id,))
        building = None if row is None else _building(row)
        self._by_id.put(building_id, stamp, building)
        return building

    async def find(self, name: str) -> Building | None:
        row = await self._db.fetch_one(
            "SELECT * FROM buildings WHERE name_key = ?", (name_key(name),)
        )
        return None if row is None else _building(row)

    async def all(self) -> list[Building]:
        rows = await self._db.fetch_all("SELECT * FROM buildings ORDER BY name_key")
        return [_building(row) for row in rows]

    async def for_chat(self, chat_id: int) -> Building | None:
        """The building an active group is linked to (None: not linked, or not active)."""
        # Taken before the read, so a write meanwhile leaves the entry stale.
        stamp = (self._db.generation("buildings"), self._db.row_generation("chats", chat_id))
        found, cached = self._by_chat.get(chat_id, stamp)
        if found:
            return cached
        row = await self._db.fetch_one(
            "SELECT b.* FROM buildings b JOIN chats c ON c.building_id = b.id "
            "WHERE c.id = ? AND c.active = 1",
            (chat_id,),
        )
        building = None if row is None else _building(row)
        self._by_chat.put(chat_id, stamp, building)
        return building

    async def look_alike(self, name: str) -> Building | None:
        """A building whose name cannot be told apart from `name` but is not the same name.

        Buildings are few (one per house or courtyard), so they are compared in Python."""
        key, exact = look_alike_key(name), name_key(name)
        for building in await self.all():
            if name_key(building.name) != exact and look_alike_key(building.name) == key:
                return building
        return None

    async def ensure(self, name: str, *, from_config: bool = False) -> tuple[Building, bool]:
        """The building with this name, created if new; returns (building, created)."""
        clean = clean_name(name)
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO buildings (name, name_key, from_config, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING",
                (clean, name_key(clean), int(from_config), now, now),
            )
            created = cursor.rowcount == 1
            if from_config:
                await conn.execute(
                    "UPDATE buildings SET from_config = 1, name = ? WHERE name_key = ?",
                    (clean, name_key(clean)),
                )
        building = await self.find(clean)
        assert building is not None
        return building, created

    async def update(self, building_id: int, **settings: object) -> Building:
        """Change building settings (names are `Building` fields)."""
        unknown = set(settings) - _SETTABLE
        if unknown:
            raise ValueError(f"not a building setting: {sorted(unknown)}")
        values = [
            value.isoformat("minutes") if isinstance(value, time) else value
            for value in settings.values()
        ]
        assignments = ", ".join(f"{name} = ?" for name in settings)
        await self._db.execute(
            f"UPDATE buildings SET {assignments}, updated_at = ? WHERE id = ?",
            (*values, to_timestamp(self._clock.now()), building_id),
        )
        building = await self.get(building_id)
        assert building is not None
        return building

    async def link_chat(self, chat_id: int, building_id: int | None) -> None:
        """Link a group to a building (None unlinks it)."""
        await self._db.execute(
            "UPDATE chats SET building_id = ?, updated_at = ? WHERE id = ?",
            (building_id, to_timestamp(self._clock.now()), chat_id),
        )

    async def chats_of(self, building_id: int) -> list[int]:
        """The building's active groups (every role check of a head may ask)."""
        stamp = self._db.generation("chats")  # before the read
        found, cached = self._chats_of.get(building_id, stamp)
        if found and cached is not None:
            return list(cached)
        rows = await self._db.fetch_all(
            "SELECT id FROM chats WHERE building_id = ? AND active = 1 ORDER BY id",
            (building_id,),
        )
        chats = tuple(int(row["id"]) for row in rows)
        self._chats_of.put(building_id, stamp, chats)
        return list(chats)

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Telegram upgraded a group to a supergroup: move its link and history over."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT * FROM chats WHERE id = ?", (old_id,)) as cursor:
                old = await cursor.fetchone()
            if old is None or old["migrated_to"] == new_id:
                return
            await conn.execute(
                """
                INSERT INTO chats (id, type, title, language, building_id, greeted_at,
                                   active, created_at, updated_at)
                VALUES (?, 'supergroup', ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    type = 'supergroup',
                    language = coalesce(chats.language, excluded.language),
                    building_id = coalesce(chats.building_id, excluded.building_id),
                    greeted_at = coalesce(chats.greeted_at, excluded.greeted_at),
                    active = 1, updated_at = excluded.updated_at
                """,
                (
                    new_id,
                    old["title"],
                    old["language"],
                    old["building_id"],
                    old["greeted_at"],
                    now,
                    now,
                ),
            )
            await conn.execute(
                "UPDATE chats SET active = 0, migrated_to = ?, updated_at = ? WHERE id = ?",
                (new_id, now, old_id),
            )
            for table, column in CHAT_REFERENCES:
                await conn.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new_id, old_id)
                )

    async def mark_greeted(self, chat_id: int) -> bool:
        """Record the greeting; False if this chat was already greeted."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE chats SET greeted_at = ? WHERE id = ? AND greeted_at IS NULL",
                (to_timestamp(self._clock.now()), chat_id),
            )
            return cursor.rowcount == 1
