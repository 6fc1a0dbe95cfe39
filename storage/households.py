"""The household roster (楼栋户籍): flats and the people who live in them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.clock import Clock, to_timestamp
from bot.domain.flats import Flat
from storage.database import Database


class MembershipStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Membership:
    """A person's (requested) place in a household."""

    household_id: int
    building_id: int
    person_id: int
    label: str
    status: MembershipStatus
    person_name: str
    heads_asked: bool = True


@dataclass(frozen=True)
class HouseholdSummary:
    """A flat with how many people are approved or waiting in it."""

    id: int
    label: str
    offline_contact: str | None
    approved_members: int
    pending_members: int

    @property
    def registered(self) -> bool:
        return self.approved_members > 0 or self.offline_contact is not None


@dataclass(frozen=True)
class Coverage:
    """How much of a building the roster covers."""

    registered: int
    offline: int
    pending_requests: int
    total: int | None


class JoinOutcome(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    ALREADY_MEMBER = "already_member"
    ALREADY_PENDING = "already_pending"
    OTHER_FLAT = "other_flat"


def _membership(row: sqlite3.Row) -> Membership:
    full = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    return Membership(
        household_id=int(row["household_id"]),
        building_id=int(row["building_id"]),
        person_id=int(row["person_id"]),
        label=str(row["label"]),
        status=MembershipStatus(row["status"]),
        person_name=full or (f"@{row['username']}" if row["username"] else str(row["person_id"])),
        heads_asked=row["heads_asked_at"] is not None,
    )


_MEMBERSHIPS = (
    "SELECT m.household_id, m.person_id, m.status, m.heads_asked_at, h.building_id, h.label, "
    "p.first_name, p.last_name, p.username "
    "FROM household_members m JOIN households h ON h.id = m.household_id "
    "JOIN people p ON p.id = m.person_id"
)


async def _find_household(conn: aiosqlite.Connection, building_id: int, label: str) -> int | None:
    async with conn.execute(
        "SELECT id FROM households WHERE building_id = ? AND label = ?", (building_id, label)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _ensure_household(
    conn: aiosqlite.Connection, building_id: int, flat: Flat, actor_id: int | None, now: int
) -> int:
    existing = await _find_household(conn, building_id, flat.label)
    if existing is not None:
        return existing
    cursor = await conn.execute(
        "INSERT INTO households (building_id, unit, room, label, registered_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (building_id, flat.unit, flat.room, flat.label, actor_id, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


class HouseholdRepository:
    """Reads and writes `households` and `household_members`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def request_join(
        self, building_id: int, flat: Flat, person_id: int, *, auto_approve: bool
    ) -> tuple[JoinOutcome, Membership]:
        """Ask to join a flat (one household per person and building)."""
        now = to_timestamp(self._clock.now())
        status = MembershipStatus.APPROVED if auto_approve else MembershipStatus.PENDING
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT m.status, h.label FROM household_members m "
                "JOIN households h ON h.id = m.household_id "
                "WHERE h.building_id = ? AND m.person_id = ? AND m.status != 'rejected'",
                (building_id, person_id),
            ) as cursor:
                existing = await cursor.fetchone()
            if existing is not None:
                if existing["label"] != flat.label:
                    outcome = JoinOutcome.OTHER_FLAT
                elif existing["status"] == MembershipStatus.APPROVED:
                    outcome = JoinOutcome.ALREADY_MEMBER
                else:
                    outcome = JoinOutcome.ALREADY_PENDING
            else:
                household_id = await _ensure_household(conn, building_id, flat, person_id, now)
                await conn.execute(
                    "INSERT INTO household_members (household_id, person_id, status, "
                    "requested_at, decided_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (household_id, person_id) DO UPDATE SET "
                    "status = excluded.status, requested_at = excluded.requested_at, "
                    "decided_by = NULL, decided_at = excluded.decided_at, heads_asked_at = NULL",
                    (household_id, person_id, status.value, now, now if auto_approve else None),
                )
                outcome = JoinOutcome.APPROVED if auto_approve else JoinOutcome.REQUESTED
        membership = await self.membership_in(building_id, person_id)
        assert membership is not None
        return outcome, membership

    async def mark_heads_asked(self, household_id: int, person_id: int) -> None:
        """The building heads were asked about this registration (not again on a replay)."""
        await self._db.execute(
            "UPDATE household_members SET heads_asked_at = ? WHERE household_id = ? "
            "AND person_id = ?",
            (to_timestamp(self._clock.now()), household_id, person_id),
        )

    async def decide(
        self, household_id: int, person_id: int, *, approve: bool, actor_id: int
    ) -> Membership | None:
        """Approve or reject a pending request; None if it is no longer pending."""
        status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE household_members SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE household_id = ? AND person_id = ? AND status = 'pending'",
                (status.value, actor_id, to_timestamp(self._clock.now()), household_id, person_id),
            )
            if cursor.rowcount == 0:
                return None
        row = await self._db.fetch_one(
            f"{_MEMBERSHIPS} WHERE m.household_id = ? AND m.person_id = ?",
            (household_id, person_id),
        )
        return None if row is None else _membership(row)

    async def register_on_behalf(
        self, building_id: int, flat: Flat, contact: str, *, actor_id: int
    ) -> tuple[int, bool]:
        """Record a household whose residents are not on Telegram; returns (id, created)."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            existing = await _find_household(conn, building_id, flat.label)
            household_id = await _ensure_household(conn, building_id, flat, actor_id, now)
            await conn.execute(
                "UPDATE households SET offline_contact = ? WHERE id = ?", (contact, household_id)
            )
            return household_id, existing is None

    async def membership_in(self, building_id: int, person_id: int) -> Membership | None:
        """The person's current (pending or approved) membership in a building."""
        row = await self._db.fetch_one(
            f"{_MEMBERSHIPS} WHERE h.building_id = ? AND m.person_id = ? "
            "AND m.status != 'rejected'",
            (building_id, person_id),
        )
        return None if row is None else _membership(row)

    async def memberships_of(self, person_id: int) -> list[Membership]:
        rows = await self._db.fetch_all(
            f"{_MEMBERSHIPS} WHERE m.person_id = ? AND m.status != 'rejected' "
            "ORDER BY h.building_id",
            (person_id,),
        )
        return [_membership(row) for row in rows]

    async def pending(self, building_id: int) -> list[Membership]:
        rows = await self._db.fetch_all(
            f"{_MEMBERSHIPS} WHERE h.building_id = ? AND m.status = 'pending' "
            "ORDER BY m.requested_at",
            (building_id,),
        )
        return [_membership(row) for row in rows]

    async def leave(self, person_id: int, building_id: int | None = None) -> int:
        """Leave household(s); returns how many memberships ended."""
        async with self._db.transaction() as conn:
            if building_id is None:
                cursor = await conn.execute(
                    "DELETE FROM household_members WHERE person_id = ?", (person_id,)
                )
            else:
                cursor = await conn.execute(
                    "DELETE FROM household_members WHERE person_id = ? AND household_id IN "
                    "(SELECT id FROM households WHERE building_id = ?)",
                    (person_id, building_id),
                )
            return cursor.rowcount

    async def summaries(self, building_id: int) -> list[HouseholdSummary]:
        rows = await self._db.fetch_all(
            """
            SELECT h.id, h.label, h.offline_contact,
                   count(CASE WHEN m.status = 'approved' THEN 1 END) AS approved,
                   count(CASE WHEN m.status = 'pending' THEN 1 END) AS pending
            FROM households h LEFT JOIN household_members m ON m.household_id = h.id
            WHERE h.building_id = ?
            GROUP BY h.id ORDER BY h.unit, length(h.room), h.room
            """,
            (building_id,),
        )
        return [
            HouseholdSummary(
                id=int(r["id"]),
                label=str(r["label"]),
                offline_contact=r["offline_contact"],
                approved_members=int(r["approved"]),
                pending_members=int(r["pending"]),
            )
            for r in rows
        ]

    async def registered_ids(self, building_id: int) -> set[int]:
        """Households that count in household votes (approved members or offline)."""
        return {s.id for s in await self.summaries(building_id) if s.registered}

    async def current_households(
        self, building_id: int, person_ids: list[int]
    ) -> dict[int, int | None]:
        """Each person's approved household in the building now (None if none)."""
        current: dict[int, int | None] = dict.fromkeys(person_ids)
        for person_id in person_ids:
            membership = await self.membership_in(building_id, person_id)
            if membership is not None and membership.status == MembershipStatus.APPROVED:
                current[person_id] = membership.household_id
        return current

    async def approved_members(self, building_id: int) -> list[tuple[int, int]]:
        """(household id, person id) of every approved member in the building."""
        rows = await self._db.fetch_all(
            "SELECT m.household_id, m.person_id FROM household_members m "
            "JOIN households h ON h.id = m.household_id "
            "WHERE h.building_id = ? AND m.status = 'approved'",
            (building_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def find(self, building_id: int, label: str) -> int | None:
        value = await self._db.fetch_value(
            "SELECT id FROM households WHERE building_id = ? AND label = ?", (building_id, label)
        )
        return None if value is None else int(value)

    async def coverage(self, building_id: int, total: int | None) -> Coverage:
        summaries = await self.summaries(building_id)
        return Coverage(
            registered=sum(1 for s in summaries if s.registered),
            offline=sum(1 for s in summaries if s.offline_contact is not None),
            pending_requests=sum(s.pending_members for s in summaries),
            total=total,
        )
