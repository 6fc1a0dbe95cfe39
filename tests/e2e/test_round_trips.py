"""How many database round trips an ordinary message costs (a count, not a timing).

Every statement awaited on the aiosqlite connection is a trip to its thread and back; on the
hot path that was most of the CPU an update cost (about 26 trips for a line of chit-chat).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest

from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from tests.e2e.harness import RunningBot, eventually, running_bot, settings_for


@contextmanager
def counting_round_trips(bot: RunningBot) -> Iterator[list[str]]:
    """Names of the functions the bot's update intake ran on the database thread.

    Only trips made by the polling loop, the per-chat update workers and the marking of
    handled updates count: jobs that happen to run meanwhile are not the message's cost."""
    trips: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        name = task.get_name() if task is not None else ""
        if task is bot.task or name.startswith(("updates-", "inbox-mark-handled")):
            trips.append(getattr(fn, "__name__", None) or repr(fn)[:60])
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]
    try:
        yield trips
    finally:
        aiosqlite.core.Connection._execute = original  # type: ignore[method-assign]


async def _handled(emulator: BotApiEmulator, bot: RunningBot) -> None:
    async def done() -> bool:
        return emulator.pending_update_count == 0 and bot.runner.dispatcher.pending == 0

    await eventually(done, description="the message to be handled")


@pytest.fixture
async def scene(
    emulator: BotApiEmulator, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, SimChat, SimUser]]:
    head = emulator.create_user("Hana", username="hana")
    resident = emulator.create_user("Rita", username="rita")
    group = emulator.create_group("5号楼", creator=head, members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        # A long poll that only returns with updates: no empty polls inside the count.
        telegram={"poll_timeout": 30},
        buildings=[{"name": "5号楼", "chats": [group.id], "heads": [head.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(resident, group, "大家早上好")
        await _handled(emulator, bot)
        yield bot, group, resident


async def test_chit_chat_from_a_known_sender_costs_three_round_trips(
    emulator: BotApiEmulator, scene: tuple[RunningBot, SimChat, SimUser]
) -> None:
    bot, group, resident = scene
    with counting_round_trips(bot) as trips:
        emulator.send_message(resident, group, "今天天气真好")
        await _handled(emulator, bot)
    # Storing the getUpdates batch (with the polling offset), finding the group's building,
    # marking the update handled. The sender and the chat did not change: no write for them.
    assert len(trips) == 3, trips
    assert await bot.services.requests.get(1) is None


async def test_a_changed_name_costs_one_write_more(
    emulator: BotApiEmulator, scene: tuple[RunningBot, SimChat, SimUser]
) -> None:
    bot, group, resident = scene
    resident.first_name = "Margarita"
    with counting_round_trips(bot) as trips:
        emulator.send_message(resident, group, "今天天气真好")
        await _handled(emulator, bot)
    assert len(trips) == 4, trips
    person = await bot.services.people.get(resident.id)
    assert person is not None
    assert person.first_name == "Margarita"
