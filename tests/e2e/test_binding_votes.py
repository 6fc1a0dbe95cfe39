"""Votes that bind: the press decides the deadline, frozen denominators, bots not counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import running_bot, settings_for


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def emulator(clock: FakeClock) -> AsyncIterator[BotApiEmulator]:
    """The emulator dates messages by the same (fake) clock the bot reads."""
    async with BotApiEmulator(clock=lambda: clock.now().timestamp()) as running:
        yield running


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    voters: list[SimUser]
    settings: Settings


@pytest.fixture
def scene(emulator: BotApiEmulator, tmp_path: Path) -> Scene:
    head = emulator.create_user("Hana", language_code="en")
    voters = [emulator.create_user(f"Voter {n}", language_code="en") for n in range(3)]
    group = emulator.create_group("Building 5", creator=head, members=voters)
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        polls={"edit_delay_seconds": 0.1},
        buildings=[{"name": "Building 5", "chats": [group.id]}],
    )
    return Scene(group, head, voters, settings)


def _button(message: SentMessage, label: str) -> str:
    return next(
        b["callback_data"]
        for row in message.reply_markup["inline_keyboard"]  # type: ignore[index]
        for b in row
        if label in b["text"]
    )


async def test_a_vote_pressed_in_time_while_the_bot_was_down_counts(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock) as bot:
        emulator.send_message(s.head, s.group, "/poll Paint the door red? --hours 2")
        poll = await emulator.wait_for_message(s.group, containing="(#P1)")
        await bot.settle()
    # Down for a while around the deadline: one press before it, then the deadline passes.
    clock.advance(timedelta(hours=1, minutes=50))
    query = emulator.press_button(s.voters[0], poll, _button(poll, "For"))
    clock.advance(timedelta(minutes=20))
    async with running_bot(emulator, s.settings, clock):
        answer = await emulator.wait_callback_answer(query)
        assert answer.text is not None
        assert "You voted For" in answer.text
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "1. For: 1" in results.content
    assert "Turnout: 1 of" in results.content


async def test_a_vote_pressed_after_the_deadline_is_refused(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock) as bot:
        emulator.send_message(s.head, s.group, "/poll Paint the door red? --hours 2")
        poll = await emulator.wait_for_message(s.group, containing="(#P1)")
        await bot.settle()
        clock.advance(timedelta(hours=2, seconds=1))
        query = emulator.press_button(s.voters[0], poll, _button(poll, "For"))
        answer = await emulator.wait_callback_answer(query)
        assert answer.text == "Voting has closed."


async def _vote(emulator: BotApiEmulator, user: SimUser, poll: SentMessage, label: str) -> str:
    query = emulator.press_button(user, poll, _button(poll, label))
    return (await emulator.wait_callback_answer(query)).text or ""


async def test_household_turnout_uses_the_buildings_total_frozen_at_opening(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock) as bot:
        emulator.send_message(s.head, s.group, "/setup approve auto")
        await emulator.wait_for_message(s.group, containing="approved automatically")
        emulator.send_message(s.head, s.group, "/setup households 120")
        await emulator.wait_for_message(s.group, containing="120 households")
        emulator.user_starts_bot(s.voters[0])
        emulator.send_message(s.voters[0], s.voters[0], "/join 1-101")
        await emulator.wait_for_message(s.voters[0], containing="registered in")
        emulator.send_message(
            s.head, s.group, "/poll New roof? --household --quorum 50% --hours 2"
        )
        poll = await emulator.wait_for_message(s.group, containing="(#P1)")
        assert "Your household voted For" in await _vote(emulator, s.voters[0], poll, "For")
        # Changing the total mid-poll does not move this poll's denominator.
        emulator.send_message(s.head, s.group, "/setup households 2")
        await emulator.wait_for_message(s.group, containing="2 households")
        await bot.settle()
        clock.advance(timedelta(hours=2, seconds=1))
        emulator.send_message(s.head, s.group, "/poll 1 close")
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "Turnout: 1 of 120 households (1%) — all households of the building" in (
        results.content
    )
    assert "Quorum not reached" in results.content
    assert "NOT PASSED" in results.content


async def test_without_a_total_the_households_registered_at_opening_count(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock) as bot:
        emulator.send_message(s.head, s.group, "/setup approve auto")
        await emulator.wait_for_message(s.group, containing="approved automatically")
        for index, voter in enumerate(s.voters[:2]):
            emulator.user_starts_bot(voter)
            emulator.send_message(voter, voter, f"/join 1-10{index + 1}")
            await emulator.wait_for_message(voter, containing="registered in")
        emulator.send_message(s.head, s.group, "/poll New roof? --household --hours 2")
        poll = await emulator.wait_for_message(s.group, containing="(#P1)")
        # A household registered after the poll opened votes, without moving the measure.
        emulator.user_starts_bot(s.voters[2])
        emulator.send_message(s.voters[2], s.voters[2], "/join 1-103")
        await emulator.wait_for_message(s.voters[2], containing="registered in")
        assert "Your household voted For" in await _vote(emulator, s.voters[2], poll, "For")
        assert "Your household voted For" in await _vote(emulator, s.voters[0], poll, "For")
        await bot.settle()
        emulator.send_message(s.head, s.group, "/poll 1 close")
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "1. For: 2" in results.content
    assert "Turnout: 2 of 2 households (100%) — those registered when the poll opened" in (
        results.content
    )


async def test_other_bots_in_the_group_are_not_counted_as_voters(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    other = emulator.state.add_user(
        {"first_name": "Helper", "username": "helper_bot", "is_bot": True}
    )
    async with running_bot(emulator, s.settings, clock) as bot:
        emulator.add_member(s.group, other, by_user=s.head)
        await bot.settle()
        emulator.send_message(s.head, s.group, "/poll New roof? --hours 2")
        poll = await emulator.wait_for_message(s.group, containing="(#P1)")
        await _vote(emulator, s.voters[0], poll, "For")
        await bot.settle()
        emulator.send_message(s.head, s.group, "/poll 1 close")
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    # Hana and three voters; neither this bot nor the helper bot.
    assert "Turnout: 1 of 4 people (25%)" in results.content
