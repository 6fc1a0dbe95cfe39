"""A request's staff cards are sent after its update (`bot.intake_tails`): the group's next
plain message does not wait for them, while whatever may act on the request (a press on its
card, an edit, a reply) still comes after its routing, and a routing cut short by a crash is
finished at the next start."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import handlers.request_opening
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from tests.e2e.harness import RunningBot, eventually, running_bot, settings_for, start_bot


@dataclass
class Scene:
    bot: RunningBot
    group: SimChat
    resident: SimUser
    neighbour: SimUser
    plumber: SimUser
    staff_cards_held: asyncio.Event  # set: staff cards go out


@pytest.fixture
async def scene(
    emulator: BotApiEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Scene]:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    neighbour = emulator.create_user("Nina", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group(
        "Building 5", creator=head, members=[resident, neighbour, plumber]
    )
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "heads": [head.id],
                "staff": [{"user": plumber.id, "categories": ["water"]}],
            }
        ],
    )
    # Staff cards wait until the test lets them go: routing is "still going on".
    release = asyncio.Event()
    original = handlers.request_opening.send_staff_card

    async def held_send_staff_card(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await original(*args, **kwargs)

    async with running_bot(emulator, settings) as bot:
        emulator.user_starts_bot(plumber)
        await emulator.wait_for_message(plumber, containing="Welcome")
        await bot.settle()
        monkeypatch.setattr(handlers.request_opening, "send_staff_card", held_send_staff_card)
        yield Scene(bot, group, resident, neighbour, plumber, release)
        release.set()


async def _handled(bot: RunningBot, update_id: int) -> bool:
    return await bot.services.inbox.is_handled(update_id)


def _last_update_id(emulator: BotApiEmulator) -> int:
    """The update the emulator queued last (ids are handed out in order)."""
    return int(emulator.state.updates._next_update_id) - 1


async def test_a_plain_message_after_a_request_does_not_wait_for_its_staff_cards(
    emulator: BotApiEmulator, scene: Scene
) -> None:
    bot = scene.bot
    emulator.send_message(scene.resident, scene.group, "The water pipe in unit 3 is leaking")
    await emulator.wait_for_message(scene.group, containing="#1 ")
    emulator.send_message(scene.neighbour, scene.group, "Good morning everyone")
    chit_chat = _last_update_id(emulator)

    async def chit_chat_handled() -> bool:
        return await _handled(bot, chit_chat)

    await eventually(chit_chat_handled, description="the plain message to be handled")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.card_message_id is not None
    assert request.routed_at is None  # the staff card is still held
    assert not any("#1" in (m.text or m.caption or "") for m in emulator.messages(scene.plumber))

    scene.staff_cards_held.set()
    await emulator.wait_for_message(scene.plumber, containing="#1")
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.routed_at is not None


async def test_a_press_on_the_card_waits_for_the_routing_and_reaches_every_card(
    emulator: BotApiEmulator, scene: Scene
) -> None:
    bot = scene.bot
    emulator.send_message(scene.resident, scene.group, "The water pipe in unit 3 is leaking")
    card = await emulator.wait_for_message(scene.group, containing="#1 ")
    query = emulator.press_button(scene.neighbour, card, button_text="🙋 Me too")
    press = _last_update_id(emulator)
    # Something else goes on meanwhile (a private chat): the bot is not stuck.
    emulator.send_message(scene.resident, scene.resident, "/help")
    help_update = _last_update_id(emulator)  # a private message goes ahead

    async def help_answered() -> bool:
        return await _handled(bot, help_update) or await _handled(bot, press)

    await eventually(help_answered, description="the bot to go on with other chats")
    # The press waits for the request's routing: nothing of it has happened yet.
    assert not await _handled(bot, press)
    assert emulator.callback_answer(query) is None
    assert await bot.services.requests.supporters(1) == [scene.resident.id]

    scene.staff_cards_held.set()
    await emulator.wait_callback_answer(query)
    await bot.settle()
    # The staff card went out before the press was handled, so the press's edit reached it.
    staff_card = next(
        m for m in emulator.messages(scene.plumber) if "#1" in (m.text or m.caption or "")
    )
    assert "👥 2" in (staff_card.text or staff_card.caption or "")
    group_card = next(m for m in emulator.messages(scene.group) if "#1 " in (m.text or ""))
    assert "👥 2" in (group_card.text or "")


async def test_an_urgent_repeat_counted_while_routing_still_reaches_the_staff_card(
    emulator: BotApiEmulator, scene: Scene
) -> None:
    bot = scene.bot
    emulator.send_message(
        scene.resident, scene.group, "Burst pipe! Water is pouring into the electric meter box"
    )
    await emulator.wait_for_message(scene.group, containing="#1 ")
    # A plain message (it goes ahead) that counts itself in to #1: its card refresh waits.
    emulator.send_message(
        scene.neighbour, scene.group, "Water pouring into the electric meter box, burst pipe!"
    )
    repeat = _last_update_id(emulator)

    async def counted_or_handled() -> bool:
        counted = scene.neighbour.id in await bot.services.requests.supporters(1)
        return counted or await _handled(bot, repeat)

    await eventually(counted_or_handled, description="the urgent repeat to be read")
    # The classifier reads it as the same hazard (else this test would prove nothing).
    assert scene.neighbour.id in await bot.services.requests.supporters(1)
    # Counted in while the staff card is still held: the refresh of the cards must wait.
    scene.staff_cards_held.set()
    await bot.settle()
    staff_card = next(
        m for m in emulator.messages(scene.plumber) if "#1" in (m.text or m.caption or "")
    )
    assert "👥 2" in (staff_card.text or staff_card.caption or "")


async def test_a_routing_cut_short_by_a_crash_is_finished_at_the_next_start(
    emulator: BotApiEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[resident, plumber])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "heads": [head.id],
                "staff": [{"user": plumber.id, "categories": ["water"]}],
            }
        ],
    )
    never = asyncio.Event()
    original = handlers.request_opening.send_staff_card

    async def stuck(*args: Any, **kwargs: Any) -> Any:
        await never.wait()
        return await original(*args, **kwargs)

    first = await start_bot(emulator, settings)
    emulator.user_starts_bot(plumber)
    await emulator.wait_for_message(plumber, containing="Welcome")
    monkeypatch.setattr(handlers.request_opening, "send_staff_card", stuck)
    emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
    await emulator.wait_for_message(group, containing="#1 ")
    update_id = _last_update_id(emulator)

    async def update_done() -> bool:
        return await first.services.inbox.is_handled(update_id)

    await eventually(update_done, description="the request's update to be done")
    # The process dies while the staff card is on its way: its routing never finishes.
    for task in list(first.services.intake_tails._by_request.values()):
        task.cancel()
    first.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first.task
    monkeypatch.setattr(handlers.request_opening, "send_staff_card", original)

    async with running_bot(emulator, settings) as second:
        await emulator.wait_for_message(plumber, containing="#1")

        async def routed() -> bool:
            request = await second.services.requests.get(1)
            return request is not None and request.routed_at is not None

        await eventually(routed, description="the request to be marked routed")
    cards = [m for m in emulator.messages(plumber) if "#1" in (m.text or m.caption or "")]
    assert len(cards) == 1
