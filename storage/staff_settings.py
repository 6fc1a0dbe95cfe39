"""Per-person digest settings of staff members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from storage.database import Database
from storage.outbox import OutgoingMessage, enqueue


@dataclass(frozen=True)
class DigestSetting:
    """When (and whether) a staff member gets the daily digest."""

    digest_time: time | None
    paused: bool
    last_digest_on: date | None


class StaffSettingsRepository:
    """Reads and writes `staff_settings`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, person_id: int) -> DigestSetting:
        row = await self._db.fetch_one(
            "SELECT * FROM staff_settings WHERE person_id = ?", (person_id,)
        )
        if row is None:
            return DigestSetting(None, False, None)
        return DigestSetting(
            digest_time=None
            if row["digest_time"] is None
            else time.fromisoformat(row["digest_time"]),
            paused=bool(row["digest_paused"]),
            last_digest_on=None
            if row["last_digest_on"] is None
            else date.fromisoformat(row["last_digest_on"]),
        )

    async def set_digest(self, person_id: int, digest_time: time | None, *, paused: bool) -> None:
        await self._db.execute(
            "INSERT INTO staff_settings (person_id, digest_time, digest_paused) VALUES (?, ?, ?) "
            "ON CONFLICT (person_id) DO UPDATE SET digest_time = excluded.digest_time, "
            "digest_paused = excluded.digest_paused",
            (
                person_id,
                None if digest_time is None else digest_time.isoformat("minutes"),
                int(paused),
            ),
        )

    async def claim_digest(
        self, person_id: int, day: date, messages: Sequence[OutgoingMessage], now: datetime
    ) -> bool:
        """Record today's digest and queue its messages together; False if it was already
        claimed today (so it goes out once, and a crash never loses it)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO staff_settings (person_id, last_digest_on) VALUES (?, ?) "
                "ON CONFLICT (person_id) DO UPDATE SET last_digest_on = excluded.last_digest_on "
                "WHERE staff_settings.last_digest_on IS NOT excluded.last_digest_on",
                (person_id, day.isoformat()),
            )
            if cursor.rowcount != 1:
                return False
            for message in messages:
                await enqueue(conn, message, now)
            return True
