"""Care alerts (a missed check-in, a call for help) and the anonymous weekly counts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.care import AlertKind
from storage.care import Enrolment, record_event
from storage.database import Database
from storage.outbox import OutgoingMessage, enqueue


@dataclass(frozen=True)
class Alert:
    id: int
    enrolment_id: int
    kind: AlertKind
    since: datetime
    step: int  # rungs alerted so far
    alerted: tuple[int, ...]
    next_step_at: datetime | None
    acknowledged_by: int | None
    handled_at: datetime | None
    handled_by: int | None

    @property
    def is_open(self) -> bool:
        return self.handled_at is None


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(
        id=int(row["id"]),
        enrolment_id=int(row["enrolment_id"]),
        kind=AlertKind(row["kind"]),
        since=from_timestamp(int(row["since"])),
        step=int(row["step"]),
        alerted=tuple(json.loads(row["alerted"])),
        next_step_at=None if row["next_step_at"] is None else from_timestamp(row["next_step_at"]),
        acknowledged_by=row["acknowledged_by"],
        handled_at=None if row["handled_at"] is None else from_timestamp(row["handled_at"]),
        handled_by=row["handled_by"],
    )


@dataclass(frozen=True)
class CareCounts:
    """A building's care week in numbers (the weekly report names nobody)."""

    enrolled: int
    asked: int
    fine: int
    seen: int
    missed: int
    help: int
    handled: int


class CareAlertRepository:
    """Reads and writes `care_alerts`; counts `care_events`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def get(self, alert_id: int) -> Alert | None:
        row = await self._db.fetch_one("SELECT * FROM care_alerts WHERE id = ?", (alert_id,))
        return None if row is None else _alert(row)

    async def open_of(self, enrolment_id: int, kind: AlertKind | None = None) -> list[Alert]:
        rows = await self._db.fetch_all(
            "SELECT * FROM care_alerts WHERE enrolment_id = ? AND handled_at IS NULL "
            "AND (? IS NULL OR kind = ?) ORDER BY id",
            (
                enrolment_id,
                None if kind is None else kind.value,
                None if kind is None else kind.value,
            ),
        )
        return [_alert(row) for row in rows]

    async def due(self, now: datetime, limit: int = 50) -> list[Alert]:
        """Alerts whose next rung is due (through the care_alerts_due index)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM care_alerts WHERE next_step_at IS NOT NULL AND next_step_at <= ? "
            "ORDER BY next_step_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [_alert(row) for row in rows]

    async def open_alert(
        self,
        enrolment: Enrolment,
        kind: AlertKind,
        since: datetime,
        recipients: Sequence[int],
        next_step_at: datetime | None,
        messages: Sequence[OutgoingMessage],
    ) -> int | None:
        """Open an alert and tell its first rung. A missed alert is opened once per silence
        (only while `missed_at` is still set); None if another run opened it already."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if kind is AlertKind.MISSED:
                cursor = await conn.execute(
                    "UPDATE care_enrolments SET missed_at = NULL WHERE id = ? AND missed_at = ?",
                    (enrolment.id, to_timestamp(enrolment.missed_at or now)),
                )
                if cursor.rowcount == 0:
                    return None
            cursor = await conn.execute(
                "INSERT INTO care_alerts (enrolment_id, kind, since, step, alerted, next_step_at, "
                "opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    enrolment.id,
                    kind.value,
                    to_timestamp(since),
                    1 if recipients else 0,
                    json.dumps(list(recipients)),
                    None if next_step_at is None else to_timestamp(next_step_at),
                    to_timestamp(now),
                ),
            )
            alert_id = cursor.lastrowid
            assert alert_id is not None
            await record_event(conn, enrolment.building_id, kind.value, now)
            for message in messages:
                await enqueue(conn, message, now)
            return alert_id

    async def escalate(
        self,
        alert: Alert,
        building_id: int,
        recipients: Sequence[int],
        next_step_at: datetime | None,
        messages: Sequence[OutgoingMessage],
        *,
        office: bool,
    ) -> bool:
        """Tell the next rung; False if the alert moved on meanwhile (handled, acknowledged
        or escalated by another run)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE care_alerts SET step = step + 1, alerted = ?, next_step_at = ? "
                "WHERE id = ? AND step = ? AND handled_at IS NULL AND next_step_at IS NOT NULL",
                (
                    json.dumps([*alert.alerted, *recipients]),
                    None if next_step_at is None else to_timestamp(next_step_at),
                    alert.id,
                    alert.step,
                ),
            )
            if cursor.rowcount == 0:
                return False
            await record_event(conn, building_id, "office" if office else "escalated", now)
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def stop_escalating(self, alert_id: int) -> None:
        """Nobody is left to tell: the alert stays open until someone handles it."""
        await self._db.execute(
            "UPDATE care_alerts SET next_step_at = NULL WHERE id = ?", (alert_id,)
        )

    async def acknowledge(self, alert_id: int, person_id: int) -> bool:
        """A carer is calling or on the way: stop escalating (the alert stays open)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE care_alerts SET acknowledged_by = coalesce(acknowledged_by, ?), "
                "next_step_at = NULL WHERE id = ? AND handled_at IS NULL",
                (person_id, alert_id),
            )
            return cursor.rowcount == 1

    async def handle(
        self,
        alert: Alert,
        building_id: int,
        person_id: int,
        messages: Sequence[OutgoingMessage],
    ) -> bool:
        """Someone marked the alert handled; False if it already was."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE care_alerts SET handled_at = ?, handled_by = ?, next_step_at = NULL "
                "WHERE id = ? AND handled_at IS NULL",
                (to_timestamp(now), person_id, alert.id),
            )
            if cursor.rowcount == 0:
                return False
            await record_event(conn, building_id, "handled", now)
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def counts(self, building_id: int, start: datetime, end: datetime) -> CareCounts:
        rows = await self._db.fetch_all(
            "SELECT kind, count(*) FROM care_events WHERE building_id = ? AND at >= ? "
            "AND at < ? GROUP BY kind",
            (building_id, to_timestamp(start), to_timestamp(end)),
        )
        found = {str(row[0]): int(row[1]) for row in rows}
        enrolled = await self._db.fetch_value(
            "SELECT count(*) FROM care_enrolments WHERE building_id = ?", (building_id,)
        )
        return CareCounts(
            enrolled=int(enrolled),
            asked=found.get("asked", 0),
            fine=found.get("fine", 0),
            seen=found.get("seen", 0),
            missed=found.get("missed", 0),
            help=found.get("help", 0),
            handled=found.get("handled", 0),
        )
