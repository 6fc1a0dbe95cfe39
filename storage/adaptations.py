"""Versions of this deployment's model adaptation: at most one active, each can be rolled back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp, to_timestamp
from storage.database import Database


@dataclass(frozen=True)
class Adaptation:
    id: int
    base_version: str
    examples: int
    last_correction_id: int
    delta: bytes
    report: str
    active: bool
    created_at: datetime
    rolled_back: bool


def _adaptation(row: sqlite3.Row) -> Adaptation:
    return Adaptation(
        id=int(row["id"]),
        base_version=str(row["base_version"]),
        examples=int(row["examples"]),
        last_correction_id=int(row["last_correction_id"]),
        delta=bytes(row["delta"]),
        report=str(row["report"]),
        active=bool(row["active"]),
        created_at=from_timestamp(int(row["created_at"])),
        rolled_back=row["rolled_back_at"] is not None,
    )


class AdaptationRepository:
    """Reads and writes `classifier_adaptations`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(
        self,
        *,
        base_version: str,
        examples: int,
        last_correction_id: int,
        delta: bytes,
        report: str,
    ) -> Adaptation:
        """Store a new adaptation and make it the active one."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE classifier_adaptations SET active = 0 WHERE active = 1")
            cursor = await conn.execute(
                "INSERT INTO classifier_adaptations (base_version, examples, last_correction_id, "
                "delta, report, active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                (
                    base_version,
                    examples,
                    last_correction_id,
                    delta,
                    report,
                    to_timestamp(self._clock.now()),
                ),
            )
            new_id = cursor.lastrowid
        adaptation = await self.get(int(new_id or 0))
        assert adaptation is not None
        return adaptation

    async def get(self, adaptation_id: int) -> Adaptation | None:
        row = await self._db.fetch_one(
            "SELECT * FROM classifier_adaptations WHERE id = ?", (adaptation_id,)
        )
        return None if row is None else _adaptation(row)

    async def active(self) -> Adaptation | None:
        row = await self._db.fetch_one(
            "SELECT * FROM classifier_adaptations WHERE active = 1 ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else _adaptation(row)

    async def latest(self) -> Adaptation | None:
        """The newest adaptation, active or not (when did we last learn?)."""
        row = await self._db.fetch_one(
            "SELECT * FROM classifier_adaptations ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else _adaptation(row)

    async def recent(self, limit: int = 10) -> list[Adaptation]:
        rows = await self._db.fetch_all(
            "SELECT * FROM classifier_adaptations ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_adaptation(row) for row in rows]

    async def roll_back(self) -> Adaptation | None:
        """Retire the active adaptation; the previous one not rolled back becomes active.

        Returns the adaptation now active (None: the packaged model alone).
        """
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE classifier_adaptations SET active = 0, rolled_back_at = ? "
                "WHERE active = 1",
                (now,),
            )
            async with conn.execute(
                "SELECT id FROM classifier_adaptations WHERE rolled_back_at IS NULL "
                "ORDER BY id DESC LIMIT 1"
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await conn.execute(
                    "UPDATE classifier_adaptations SET active = 1 WHERE id = ?", (row[0],)
                )
        return await self.active()
