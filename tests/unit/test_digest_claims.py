"""The digest run stores its claims in order, one batch in flight while the next is written,
and a claim that fails stops the run with its error and leaves no write running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

import handlers.reminders
from bot.clock import FakeClock
from bot.config import parse_settings
from bot.context import CourtyardContext
from bot.services import Services
from handlers.reminders import DIGEST_CLAIMS, send_digests
from storage.outbox import OutgoingMessage
from storage.roles import ensure_person
from storage.staff_settings import StaffSettingsRepository

NOW = datetime(2030, 5, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, after the 08:00 digests
STAFF = [1000 + n for n in range(DIGEST_CLAIMS * 3 + 5)]


@pytest.fixture
async def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Services]:
    settings = parse_settings(
        {
            "storage": {"database": str(tmp_path / "c.db")},
            "community": {"timezone": "Asia/Shanghai", "language": "zh"},
            "staff": {"digest_time": "08:00"},
        },
        environ={},
    )
    services = Services.create(settings, FakeClock(NOW))
    await services.database.open()
    try:
        building, _ = await services.buildings.ensure("Building 1")
        async with services.database.transaction() as conn:
            for person_id in STAFF:
                await ensure_person(conn, person_id, 0)
                await conn.execute(
                    "INSERT INTO roles (building_id, person_id, role, level, created_at) "
                    "VALUES (?, ?, 'staff', 1, 0)",
                    (building.id, person_id),
                )

        async def nothing(*_args: object) -> None:
            return None

        monkeypatch.setattr(handlers.reminders, "deliver_outbox", nothing)
        yield services
    finally:
        await services.database.close()


def _context(services: Services) -> CourtyardContext:
    return cast(CourtyardContext, SimpleNamespace(services=services, bot=None))


async def _claimed(services: Services) -> list[int]:
    rows = await services.database.fetch_all(
        "SELECT person_id FROM staff_settings WHERE last_digest_on IS NOT NULL ORDER BY person_id"
    )
    return [int(row[0]) for row in rows]


async def test_every_staff_member_is_claimed_once_in_batches_in_order(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[int]] = []
    claim = StaffSettingsRepository.claim_digests

    async def recording(
        self: StaffSettingsRepository,
        day: date,
        digests: Sequence[tuple[int, Sequence[OutgoingMessage]]],
        now: datetime,
    ) -> int:
        batches.append([person for person, _ in digests])
        return await claim(self, day, digests, now)

    monkeypatch.setattr(StaffSettingsRepository, "claim_digests", recording)
    await send_digests(_context(services))
    assert [person for batch in batches for person in batch] == STAFF
    assert all(len(batch) <= DIGEST_CLAIMS for batch in batches)
    assert await _claimed(services) == STAFF
    await send_digests(_context(services))  # the same day: nobody twice
    assert await _claimed(services) == STAFF


async def test_a_failed_claim_stops_the_run_with_its_error(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = StaffSettingsRepository.claim_digests
    calls = 0

    async def failing_second(
        self: StaffSettingsRepository,
        day: date,
        digests: Sequence[tuple[int, Sequence[OutgoingMessage]]],
        now: datetime,
    ) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        return await claim(self, day, digests, now)

    monkeypatch.setattr(StaffSettingsRepository, "claim_digests", failing_second)
    with pytest.raises(RuntimeError, match="disk full"):
        await send_digests(_context(services))
    assert calls == 2  # the next batch waited for this one, and was never sent
    assert await _claimed(services) == STAFF[:DIGEST_CLAIMS]
