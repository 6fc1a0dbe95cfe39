"""The care list: who is enrolled (with whose consent), their carers, when they were last seen.

Alerts live in `storage.care_alerts`. Each change that sends messages queues them in the same
transaction, and the scheduled scans read only rows whose stored due moment has come.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.care import Cadence, CarerRelation, Consent
from storage.database import Database
from storage.outbox import OutgoingMessage, enqueue
from storage.roles import ensure_person


def _time(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


@dataclass(frozen=True)
class Carer:
    person_id: int
    relation: CarerRelation
    name: str
    reachable: bool  # started the bot and has not blocked it


@dataclass(frozen=True)
class Enrolment:
    id: int
    building_id: int
    person_id: int | None  # None: not on Telegram, carers confirm "seen today"
    name: str
    flat: str | None
    consent: Consent
    consent_by: int
    consent_note: str | None
    cadence: Cadence
    check_time: time
    grace: timedelta
    last_seen_at: datetime | None
    awaiting_since: datetime | None
    next_checkin_at: datetime
    missed_at: datetime | None
    carers: tuple[Carer, ...]

    @property
    def label(self) -> str:
        """How carers recognise the person: "王奶奶 3-502"."""
        return f"{self.name} {self.flat}" if self.flat else self.name

    def is_carer(self, person_id: int) -> bool:
        return any(carer.person_id == person_id for carer in self.carers)


@dataclass(frozen=True)
class NewEnrolment:
    building_id: int
    person_id: int | None
    name: str
    flat: str | None
    consent: Consent
    consent_by: int
    consent_note: str | None
    cadence: Cadence
    check_time: time
    grace: timedelta
    carers: tuple[tuple[int, CarerRelation], ...]


_CARERS = (
    "SELECT c.enrolment_id, c.person_id, c.relation, p.first_name, p.last_name, p.username, "
    "p.started_bot_at, p.blocked_bot_at FROM care_carers c JOIN people p ON p.id = c.person_id"
)


def _carer(row: sqlite3.Row) -> Carer:
    full = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    name = full or (f"@{row['username']}" if row["username"] else str(row["person_id"]))
    return Carer(
        person_id=int(row["person_id"]),
        relation=CarerRelation(row["relation"]),
        name=name,
        reachable=row["started_bot_at"] is not None and row["blocked_bot_at"] is None,
    )


def _enrolment(row: sqlite3.Row, carers: Sequence[Carer]) -> Enrolment:
    return Enrolment(
        id=int(row["id"]),
        building_id=int(row["building_id"]),
        person_id=row["person_id"],
        name=str(row["name"]),
        flat=row["flat"],
        consent=Consent(row["consent"]),
        consent_by=int(row["consent_by"]),
        consent_note=row["consent_note"],
        cadence=Cadence(int(row["cadence_days"])),
        check_time=time.fromisoformat(row["check_time"]),
        grace=timedelta(minutes=int(row["grace_minutes"])),
        last_seen_at=_time(row["last_seen_at"]),
        awaiting_since=_time(row["awaiting_since"]),
        next_checkin_at=from_timestamp(int(row["next_checkin_at"])),
        missed_at=_time(row["missed_at"]),
        carers=tuple(carers),
    )


async def record_event(
    conn: aiosqlite.Connection, building_id: int, kind: str, at: datetime
) -> None:
    """An anonymous count for the weekly report (no person, no enrolment)."""
    await conn.execute(
        "INSERT INTO care_events (building_id, kind, at) VALUES (?, ?, ?)",
        (building_id, kind, to_timestamp(at)),
    )


class CareRepository:
    """Reads and writes `care_enrolments` and `care_carers`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def _with_carers(self, rows: Sequence[sqlite3.Row]) -> list[Enrolment]:
        if not rows:
            return []
        ids = [int(row["id"]) for row in rows]
        carer_rows = await self._db.fetch_all(
            f"{_CARERS} WHERE c.enrolment_id IN ({', '.join('?' for _ in ids)}) "
            "ORDER BY c.enrolment_id, c.position",
            ids,
        )
        carers: dict[int, list[Carer]] = {}
        for row in carer_rows:
            carers.setdefault(int(row["enrolment_id"]), []).append(_carer(row))
        return [_enrolment(row, carers.get(int(row["id"]), [])) for row in rows]

    async def enrol(self, new: NewEnrolment, first_checkin_at: datetime) -> Enrolment:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if new.person_id is not None:
                await ensure_person(conn, new.person_id, to_timestamp(now))
            cursor = await conn.execute(
                "INSERT INTO care_enrolments (building_id, person_id, name, flat, consent, "
                "consent_by, consent_note, cadence_days, check_time, grace_minutes, "
                "last_seen_at, next_checkin_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.building_id,
                    new.person_id,
                    new.name,
                    new.flat,
                    new.consent.value,
                    new.consent_by,
                    new.consent_note,
                    int(new.cadence),
                    new.check_time.strftime("%H:%M"),
                    int(new.grace.total_seconds() // 60),
                    to_timestamp(now),
                    to_timestamp(first_checkin_at),
                    to_timestamp(now),
                ),
            )
            enrolment_id = cursor.lastrowid
            assert enrolment_id is not None
            for position, (person_id, relation) in enumerate(new.carers):
                await ensure_person(conn, person_id, to_timestamp(now))
                await conn.execute(
                    "INSERT INTO care_carers (enrolment_id, position, person_id, relation) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (enrolment_id, position, person_id, relation.value),
                )
            await record_event(conn, new.building_id, "enrolled", now)
        enrolment = await self.get(enrolment_id)
        assert enrolment is not None
        return enrolment

    async def get(self, enrolment_id: int) -> Enrolment | None:
        rows = await self._db.fetch_all(
            "SELECT * FROM care_enrolments WHERE id = ?", (enrolment_id,)
        )
        found = await self._with_carers(rows)
        return found[0] if found else None

    async def of_person(self, person_id: int) -> list[Enrolment]:
        """The person's own enrolments (one per building at most)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM care_enrolments WHERE person_id = ? ORDER BY id", (person_id,)
        )
        return await self._with_carers(rows)

    async def cared_by(self, person_id: int, *, limit: int, offset: int = 0) -> list[Enrolment]:
        """Everyone this person looks after (through the care_carers_person index), paged."""
        rows = await self._db.fetch_all(
            "SELECT e.* FROM care_carers c JOIN care_enrolments e ON e.id = c.enrolment_id "
            "WHERE c.person_id = ? ORDER BY e.flat IS NULL, e.flat, e.name, e.id "
            "LIMIT ? OFFSET ?",
            (person_id, limit, offset),
        )
        return await self._with_carers(rows)

    async def count_cared_by(self, person_id: int) -> int:
        return int(
            await self._db.fetch_value(
                "SELECT count(*) FROM care_carers WHERE person_id = ?", (person_id,)
            )
        )

    async def in_building(
        self, building_id: int, *, limit: int, offset: int = 0
    ) -> list[Enrolment]:
        """The whole care list of a building (community admins only), paged."""
        rows = await self._db.fetch_all(
            "SELECT * FROM care_enrolments WHERE building_id = ? "
            "ORDER BY flat IS NULL, flat, name, id LIMIT ? OFFSET ?",
            (building_id, limit, offset),
        )
        return await self._with_carers(rows)

    async def count_in_building(self, building_id: int) -> int:
        return int(
            await self._db.fetch_value(
                "SELECT count(*) FROM care_enrolments WHERE building_id = ?", (building_id,)
            )
        )

    async def change_schedule(
        self, enrolment_id: int, cadence: Cadence, check_time: time, next_checkin_at: datetime
    ) -> None:
        await self._db.execute(
            "UPDATE care_enrolments SET cadence_days = ?, check_time = ?, next_checkin_at = ? "
            "WHERE id = ?",
            (
                int(cadence),
                check_time.strftime("%H:%M"),
                to_timestamp(next_checkin_at),
                enrolment_id,
            ),
        )

    async def remove(self, enrolment_id: int) -> bool:
        """Leaving the care list deletes the enrolment, its carers and its alerts."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM care_enrolments WHERE id = ?", (enrolment_id,)
            )
            return cursor.rowcount == 1

    async def due_checkins(self, now: datetime, limit: int = 50) -> list[Enrolment]:
        rows = await self._db.fetch_all(
            "SELECT * FROM care_enrolments WHERE next_checkin_at <= ? "
            "ORDER BY next_checkin_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return await self._with_carers(rows)

    async def due_missed(self, now: datetime, limit: int = 50) -> list[Enrolment]:
        rows = await self._db.fetch_all(
            "SELECT * FROM care_enrolments WHERE missed_at IS NOT NULL AND missed_at <= ? "
            "ORDER BY missed_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return await self._with_carers(rows)

    async def check_in_sent(
        self,
        enrolment: Enrolment,
        next_checkin_at: datetime,
        missed_at: datetime,
        messages: Sequence[OutgoingMessage],
    ) -> bool:
        """The check-in due at `enrolment.next_checkin_at` goes out; False if a concurrent run
        already sent it. An earlier unanswered check-in keeps its time ("not seen since"), and
        while a missed alert is open no second one is planned."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE care_enrolments SET next_checkin_at = ?, "
                "awaiting_since = coalesce(awaiting_since, next_checkin_at), "
                "missed_at = CASE WHEN EXISTS (SELECT 1 FROM care_alerts a WHERE "
                "a.enrolment_id = care_enrolments.id AND a.kind = 'missed' AND "
                "a.handled_at IS NULL) THEN NULL ELSE coalesce(missed_at, ?) END "
                "WHERE id = ? AND next_checkin_at = ?",
                (
                    to_timestamp(next_checkin_at),
                    to_timestamp(missed_at),
                    enrolment.id,
                    to_timestamp(enrolment.next_checkin_at),
                ),
            )
            if cursor.rowcount == 0:
                return False
            await record_event(conn, enrolment.building_id, "asked", now)
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def seen(
        self,
        enrolment: Enrolment,
        *,
        kind: str | None,
        actor_id: int,
        next_checkin_at: datetime,
        messages: Sequence[OutgoingMessage],
    ) -> None:
        """The person is there: "fine" from them, "seen" from a carer (counted under `kind`),
        or a call for help (kind None: the help alert is counted): the wait ends and open
        missed alerts are handled."""
        now = self._clock.now()
        stamp = to_timestamp(now)
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE care_enrolments SET last_seen_at = ?, awaiting_since = NULL, "
                "missed_at = NULL, next_checkin_at = ? WHERE id = ?",
                (stamp, to_timestamp(next_checkin_at), enrolment.id),
            )
            cursor = await conn.execute(
                "UPDATE care_alerts SET handled_at = ?, handled_by = ?, next_step_at = NULL "
                "WHERE enrolment_id = ? AND kind = 'missed' AND handled_at IS NULL",
                (stamp, actor_id, enrolment.id),
            )
            if cursor.rowcount:
                await record_event(conn, enrolment.building_id, "handled", now)
            if kind is not None:
                await record_event(conn, enrolment.building_id, kind, now)
            for message in messages:
                await enqueue(conn, message, now)
