"""Handling an update again (after a Telegram error or a crash) finishes what the first
attempt left undone, and sends nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import NetworkError

from bot.clock import FakeClock
from bot.domain.lifecycle import RequestStatus
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    resident: SimUser
    plumber: SimUser
    building_id: int


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings, clock) as running:
        yield running


@pytest.fixture
async def scene(emulator: BotApiEmulator, bot: RunningBot) -> Scene:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[resident, plumber])
    emulator.send_message(head, group, "/setup Building 5")
    await emulator.wait_for_message(group, containing="Created building")
    for user in (head, resident, plumber):
        emulator.user_starts_bot(user)
        await emulator.wait_for_message(user, containing="Welcome")
    note = emulator.send_message(plumber, group, "hi")
    emulator.send_message(head, group, "/staff add water 1", reply_to=note)
    await emulator.wait_for_message(group, containing="Pavel is now staff")
    building = await bot.services.buildings.for_chat(group.id)
    assert building is not None
    return Scene(group, head, resident, plumber, building.id)


def _containing(emulator: BotApiEmulator, chat: SimChat | SimUser, text: str) -> list[SentMessage]:
    return [m for m in emulator.messages(chat) if text in m.content]


def fail_once(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> list[int]:
    """Make `target.name` raise a passing Telegram error the first time (a blip between two
    steps, as a crash would leave it); returns the list of calls seen."""
    original: Callable[..., Awaitable[Any]] = getattr(target, name)
    calls: list[int] = []

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            await original(*args, **kwargs)  # the step happened, its end was not seen
            raise NetworkError("simulated blip")
        return await original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return calls


async def test_a_5xx_while_posting_the_card_does_not_lose_the_request(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.group.id)
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    await emulator.wait_for_message(s.group, containing="#1 ")
    await emulator.wait_for_message(s.plumber, containing="#1")
    await bot.settle()
    assert len(_containing(emulator, s.group, "#1 ")) == 1
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.routed_at is not None
    assert request.card_message_id is not None


async def test_a_5xx_routing_to_staff_is_retried_not_reported_as_unreachable(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.plumber.id)
    emulator.send_message(s.resident, s.group, "Burst pipe! Water is flooding unit 3")
    await emulator.wait_for_message(s.plumber, containing="Urgent request")
    await bot.settle()
    assert not _containing(emulator, s.group, "cannot message you privately")
    assert len(_containing(emulator, s.group, "#1 ")) == 1
    assert len(_containing(emulator, s.plumber, "#1")) == 1


async def test_a_blip_after_the_card_was_sent_neither_loses_nor_doubles_it(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scene
    fail_once(monkeypatch, bot.services.requests, "set_card")
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    await emulator.wait_for_message(s.plumber, containing="#1")
    await bot.settle()
    assert len(_containing(emulator, s.group, "#1 ")) == 1
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.card_message_id == _containing(emulator, s.group, "#1 ")[0].message_id


async def test_track_handled_again_finishes_the_card(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    said = emulator.send_message(s.resident, s.group, "hmm, the tap drips a little")
    await bot.settle()
    emulator.inject_fault("sendMessage", kind="bad_gateway", times=1, chat_id=s.group.id)
    emulator.send_message(s.head, s.group, "/track", reply_to=said)
    await emulator.wait_for_message(s.group, containing="#1 ")
    await bot.settle()
    assert len(_containing(emulator, s.group, "#1 ")) == 1
    assert not _containing(emulator, s.group, "already tracked")
    emulator.send_message(s.head, s.group, "/track", reply_to=said)
    await emulator.wait_for_message(s.group, containing="already tracked as #1")


async def test_a_private_report_handled_again_is_filed_once_and_confirmed(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scene
    fail_once(monkeypatch, bot.services.requests, "mark_routed")
    emulator.send_message(s.resident, s.resident, "/report The water pipe in unit 3 is leaking")
    ask_photo = await emulator.wait_for_message(s.resident, containing="add a photo")
    query = emulator.press_button(s.resident, ask_photo, button_text="Skip")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.resident, containing="your request is filed")
    await bot.settle()
    assert await bot.services.requests.get(2) is None
    assert len(_containing(emulator, s.resident, "your request is filed")) == 1
    assert len(_containing(emulator, s.plumber, "#1")) == 1


async def test_a_vote_handled_again_is_not_withdrawn(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Paint the hall?")
    poll = await emulator.wait_for_message(s.group, containing="(#P1)")
    emulator.inject_fault("answerCallbackQuery", kind="server_error", times=1)
    query = emulator.press_button(s.resident, poll, button_text="For")
    answer = await emulator.wait_callback_answer(query)
    assert "You voted For" in (answer.text or "")
    await bot.settle()
    assert await bot.services.polls.ballot_of(1, s.resident.id) == {0}


async def test_resolving_handled_again_still_asks_the_resident_once(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    staff_card = await emulator.wait_for_message(s.plumber, containing="#1")
    query = emulator.press_button(s.plumber, staff_card, button_text="🛠 Take it")
    await emulator.wait_callback_answer(query)
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.resident.id)
    query = emulator.press_button(s.plumber, staff_card, button_text="✅ Resolved")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.resident, containing="Is it really fixed?")
    await bot.settle()
    assert len(_containing(emulator, s.resident, "Is it really fixed?")) == 1
    assert len(_containing(emulator, s.plumber, "send a short note")) == 1
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.status is RequestStatus.RESOLVED


async def test_a_join_handled_again_still_asks_the_heads_once(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scene
    fail_once(monkeypatch, bot.services.households, "request_join")
    emulator.send_message(s.resident, s.resident, "/join 3-502")
    await emulator.wait_for_message(s.head, containing="asks to join 3-502")
    await bot.settle()
    assert len(_containing(emulator, s.head, "asks to join")) == 1
    replies = [m.content for m in emulator.messages(s.resident) if "3-502" in m.content]
    assert len(replies) == 1
    assert "sent to the building heads" in replies[0]


async def test_a_request_telegram_kept_failing_is_finished_by_the_job(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.inject_fault("sendMessage", kind="server_error", times=3, chat_id=s.group.id)
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.card_message_id is None  # three failures: the update was given up
    job = next(j for j in bot.application.job_queue.jobs() if j.name == "finish_intakes")
    await job.run(bot.application)
    assert not _containing(emulator, s.group, "#1 ")  # too early: the update may still run
    clock.advance(timedelta(minutes=11))
    await job.run(bot.application)
    await emulator.wait_for_message(s.group, containing="#1 ")
    await emulator.wait_for_message(s.plumber, containing="#1")


async def test_extending_a_poll_handled_again_extends_it_once(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Paint the hall? --hours 24")
    await emulator.wait_for_message(s.group, containing="(#P1)")
    poll = await bot.services.polls.get(1)
    assert poll is not None
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.group.id)
    emulator.send_message(s.head, s.group, "/poll 1 extend 24")
    await emulator.wait_for_message(s.group, containing="now closes")
    await bot.settle()
    extended = await bot.services.polls.get(1)
    assert extended is not None
    assert extended.closes_at == poll.closes_at + timedelta(hours=24)


async def test_cancelling_a_poll_handled_again_says_it_was_cancelled(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Paint the hall?")
    await emulator.wait_for_message(s.group, containing="(#P1)")
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.group.id)
    emulator.send_message(s.head, s.group, "/poll 1 cancel the painter is ill")
    await emulator.wait_for_message(s.group, containing="was cancelled")
    await bot.settle()
    assert not _containing(emulator, s.group, "already finished")


async def test_removing_staff_handled_again_says_they_were_removed(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.group.id)
    emulator.send_message(s.head, s.group, f"/staff remove {s.plumber.id}")
    await emulator.wait_for_message(s.group, containing="no longer staff")
    await bot.settle()
    assert not _containing(emulator, s.group, "is not staff")


async def test_me_too_counted_before_a_blip_still_reaches_both_cards(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The press is counted, then the attempt stops short of editing the cards: the next
    # attempt finds the neighbour "already counted", and must still edit them.
    s = scene
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    card = await emulator.wait_for_message(s.group, containing="#1 ")
    staff_card = await emulator.wait_for_message(s.plumber, containing="#1")
    await bot.settle()
    calls = fail_once(monkeypatch, bot.services.requests, "add_supporter")
    query = emulator.press_button(s.head, card, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    await bot.settle()
    assert len(calls) == 2
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.affected == 2
    for chat, message in ((s.group, card), (s.plumber, staff_card)):
        now = next(m for m in emulator.messages(chat) if m.message_id == message.message_id)
        assert "👥 2" in now.content
