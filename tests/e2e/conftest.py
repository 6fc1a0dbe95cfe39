"""Shared fixtures for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, running_bot, settings_for


@pytest.fixture(autouse=True)
def quick_update_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handle an update that met a Telegram error again after moments, not seconds."""
    monkeypatch.setattr("bot.transient.RETRY_DELAYS", (0.1, 0.3))


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A started Bot API emulator on an ephemeral port, stopped after the test."""
    async with BotApiEmulator() as running:
        yield running


@pytest.fixture
def admin_id() -> int:
    """A community admin declared in the test config."""
    return 900001


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, tmp_path: Path, admin_id: int
) -> AsyncIterator[RunningBot]:
    """Courtyard running against the emulator with a fresh database."""
    settings = settings_for(emulator, tmp_path / "courtyard.db", community={"admins": [admin_id]})
    async with running_bot(emulator, settings) as running:
        yield running
