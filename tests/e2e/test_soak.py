"""The short soak: a fixed seed, a few hundred updates, a few SIGKILLs and injected
Telegram faults; nothing lost, nothing skipped, duplicates only where a kill explains them.
The full run (thousands of updates, at least 20 kills) is `bench/soak.py`."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.soak import Soak, SoakPlan


async def test_a_short_soak_with_kills_and_faults_loses_nothing(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    soak = Soak(emulator, tmp_path, SoakPlan(seed=14, updates=250, kills=3, faults=8))
    try:
        report = await soak.run()
    finally:
        await soak.stop()
    print(f"\nSOAK: {report.summary()}")
    assert report.problems == []
    assert report.kills == 3
    assert report.request_messages > 20
    assert report.faulted_calls > 0
