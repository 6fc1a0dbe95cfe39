"""Building heads and staff, with an audit trail of every change."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import aiosqlite

from bot.clock import Clock, to_timestamp
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from storage.database import Database, ReadCache
from storage.request_due import replan_building


@dataclass(frozen=True)
class RoleAssignment:
    """A head or staff role of one person in one building."""

    building_id: int
    person_id: int
    role: CommunityRole
    categories: frozenset[str]
    level: StaffLevel | None
    from_config: bool
    person_name: str
    username: str | None
    started_bot: bool


def _categories(text: str) -> frozenset[str]:
    return frozenset(part for part in text.split(",") if part)


def _assignment(row: sqlite3.Row) -> RoleAssignment:
    full = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    return RoleAssignment(
        building_id=int(row["building_id"]),
        person_id=int(row["person_id"]),
        role=CommunityRole(row["role"]),
        categories=_categories(row["categories"]),
        level=None if row["level"] is None else StaffLevel(row["level"]),
        from_config=bool(row["from_config"]),
        person_name=full or (f"@{row['username']}" if row["username"] else str(row["person_id"])),
        username=row["username"],
        started_bot=row["started_bot_at"] is not None and row["blocked_bot_at"] is None,
    )


_SELECT = (
    "SELECT r.*, p.first_name, p.last_name, p.username, p.started_bot_at, p.blocked_bot_at "
    "FROM roles r JOIN people p ON p.id = r.person_id"
)


async def ensure_person(conn: aiosqlite.Connection, person_id: int, now: int) -> None:
    """A placeholder row for a user known only by id (filled in when they write)."""
    await conn.execute(
        "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (person_id, now, now),
    )


@dataclass(frozen=True)
class _StaffRead:
    roles_stamp: int
    people_stamp: tuple[int, ...]
    assignments: tuple[RoleAssignment, ...]


# Buildings whose staff are kept in memory.
CACHE_LIMIT = 50_000


class RoleRepository:
    """Reads and writes `roles` and `role_events`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # Every request reads its building's staff and every press its presser's roles;
        # roles change seldom. Kept until a write to `roles`, or to the row of a person
        # they name, could have changed them (`Database.generation`).
        self._in_building: dict[int, _StaffRead] = {}
        self._of_person: ReadCache[int, tuple[RoleAssignment, ...]] = ReadCache()

    def _people_stamp(self, assignments: Iterable[RoleAssignment]) -> tuple[int, ...]:
        return tuple(self._db.row_generation("people", a.person_id) for a in assignments)

    def forget_cached(self, person_id: int) -> None:
        """The person was deleted (/forgetme): drop every cached read that names them, so their
        name is not kept in memory until the entry happens to be evicted."""
        self._of_person.discard(person_id)
        naming = [
            building_id
            for building_id, read in self._in_building.items()
            if any(assignment.person_id == person_id for assignment in read.assignments)
        ]
        for building_id in naming:
            del self._in_building[building_id]

    async def in_building(self, building_id: int) -> list[RoleAssignment]:
        roles_stamp = self._db.generation("roles")  # before the read
        cached = self._in_building.get(building_id)
        if (
            cached is not None
            and cached.roles_stamp == roles_stamp
            and cached.people_stamp == self._people_stamp(cached.assignments)
        ):
            return list(cached.assignments)
        people_before = self._db.generation("people")
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.building_id = ? ORDER BY r.role, r.level, p.first_name",
            (building_id,),
        )
        found = tuple(_assignment(row) for row in rows)
        # Stamped with the people's rows as they are now, and only if no person changed
        # during the read (a change then could hide under a stamp taken after it).
        if self._db.generation("people") == people_before:
            if len(self._in_building) >= CACHE_LIMIT:
                self._in_building.clear()
            self._in_building[building_id] = _StaffRead(
                roles_stamp, self._people_stamp(found), found
            )
        return list(found)

    async def of_person(self, person_id: int) -> list[RoleAssignment]:
        stamp = (
            self._db.row_generation("roles", person_id),
            self._db.row_generation("people", person_id),
        )
        found, cached = self._of_person.get(person_id, stamp)
        if found and cached is not None:
            return list(cached)
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE r.person_id = ? ORDER BY r.building_id", (person_id,)
        )
        assignments = [_assignment(row) for row in rows]
        self._of_person.put(person_id, stamp, tuple(assignments))
        return assignments

    async def get(
        self, building_id: int, person_id: int, role: CommunityRole
    ) -> RoleAssignment | None:
        row = await self._db.fetch_one(
            f"{_SELECT} WHERE r.building_id = ? AND r.person_id = ? AND r.role = ?",
            (building_id, person_id, role.value),
        )
        return None if row is None else _assignment(row)

    async def assign(
        self,
        building_id: int,
        person_id: int,
        role: CommunityRole,
        *,
        actor_id: int | None,
        categories: Collection[str] = (),
        level: StaffLevel | None = None,
        from_config: bool = False,
    ) -> bool:
        """Give (or update) a role; returns True if something changed."""
        now = to_timestamp(self._clock.now())
        category_text = ",".join(sorted(categories))
        level_value = None if level is None else int(level)
        async with self._db.transaction() as conn:
            await ensure_person(conn, person_id, now)
            cursor = await conn.execute(
                """
                INSERT INTO roles (building_id, person_id, role, categories, level,
                                   from_config, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (building_id, person_id, role) DO UPDATE SET
                    categories = excluded.categories, level = excluded.level,
                    from_config = excluded.from_config
                WHERE roles.categories IS NOT excluded.categories
                   OR roles.level IS NOT excluded.level
                   OR roles.from_config IS NOT excluded.from_config
                """,
                (
                    building_id,
                    person_id,
                    role.value,
                    category_text,
                    level_value,
                    int(from_config),
                    actor_id,
                    now,
                ),
            )
            changed = cursor.rowcount == 1
            if changed:
                details = f"categories={category_text} level={level_value}" if categories else ""
                await self._record(
                    conn, building_id, person_id, role, "assign", details, actor_id, now
                )
                if role is CommunityRole.STAFF:
                    await replan_building(conn, building_id, now)
            return changed

    async def revoke(
        self, building_id: int, person_id: int, role: CommunityRole, *, actor_id: int | None
    ) -> bool:
        """Remove a role; returns False if the person did not have it."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM roles WHERE building_id = ? AND person_id = ? AND role = ?",
                (building_id, person_id, role.value),
            )
            if cursor.rowcount == 0:
                return False
            await self._record(conn, building_id, person_id, role, "revoke", "", actor_id, now)
            return True

    async def revoke_all(self, person_id: int, *, actor_id: int | None) -> int:
        """Remove every role of a person (used by /forgetme)."""
        count = 0
        for assignment in await self.of_person(person_id):
            if await self.revoke(
                assignment.building_id, person_id, assignment.role, actor_id=actor_id
            ):
                count += 1
        return count

    async def staff_people(self) -> list[int]:
        """Everyone who is staff somewhere (they get the daily digest)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT person_id FROM roles WHERE role = 'staff' ORDER BY person_id"
        )
        return [int(row[0]) for row in rows]

    async def config_roles(self) -> list[RoleAssignment]:
        rows = await self._db.fetch_all(f"{_SELECT} WHERE r.from_config = 1")
        return [_assignment(row) for row in rows]

    async def events(self, building_id: int) -> list[sqlite3.Row]:
        return await self._db.fetch_all(
            "SELECT * FROM role_events WHERE building_id = ? ORDER BY id", (building_id,)
        )

    @staticmethod
    async def _record(
        conn: aiosqlite.Connection,
        building_id: int,
        person_id: int,
        role: CommunityRole,
        action: str,
        details: str,
        actor_id: int | None,
        now: int,
    ) -> None:
        await conn.execute(
            "INSERT INTO role_events (building_id, person_id, role, action, details, actor_id, "
            "at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (building_id, person_id, role.value, action, details, actor_id, now),
        )
