"""The bot process's event loop: uvloop when installed and not declined, else asyncio's."""

from __future__ import annotations

import asyncio
import importlib.util
import sys

import pytest

from bot import event_loop

needs_uvloop = pytest.mark.skipif(
    importlib.util.find_spec("uvloop") is None, reason="uvloop is not installed"
)


async def _which_loop_and(value: int) -> tuple[str, int]:
    await asyncio.sleep(0)
    return event_loop.loop_name(), value


@needs_uvloop
def test_the_bot_runs_on_uvloop_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(event_loop.CHOICE_VARIABLE, raising=False)
    assert event_loop.run(_which_loop_and(7)) == ("uvloop", 7)


def test_asking_for_asyncio_runs_the_standard_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(event_loop.CHOICE_VARIABLE, "asyncio")
    assert event_loop.run(_which_loop_and(8)) == ("asyncio", 8)


def test_without_uvloop_the_standard_loop_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(event_loop.CHOICE_VARIABLE, raising=False)
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError
    assert event_loop.run(_which_loop_and(9)) == ("asyncio", 9)


async def test_tests_themselves_run_on_the_standard_loop() -> None:
    # pytest-asyncio's loop: the suite exercises the code on asyncio's own loop.
    assert event_loop.loop_name() == "asyncio"
