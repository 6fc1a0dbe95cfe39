"""Fixtures of the lists' end-to-end tests (the emulator comes from tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.lists.helpers import MORNING, Scene, make_scene


@pytest.fixture(autouse=True)
def quick_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits that wait seconds in production wait moments here."""
    monkeypatch.setattr("handlers.board.BOARD_DELAY", timedelta(seconds=0.1))
    monkeypatch.setattr("handlers.board.BOARD_MIN_GAP", timedelta(seconds=0.1))
    monkeypatch.setattr("handlers.need_cards.CARD_DELAY_SECONDS", 0.1)
    monkeypatch.setattr("handlers.meeting_cards.CARD_DELAY_SECONDS", 0.1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def scene(emulator: BotApiEmulator, tmp_path: Path) -> Scene:
    return make_scene(emulator, tmp_path)


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    async with running_bot(emulator, scene.settings, clock) as running:
        yield running
