"""Polls and binding votes end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from storage.polls import PollStatus
from tests.e2e.harness import RunningBot, running_bot, settings_for


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    voters: list[SimUser]
    building_id: int


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        polls={"edit_delay_seconds": 0.3},
    )
    async with running_bot(emulator, settings, clock) as running:
        yield running


@pytest.fixture
async def scene(emulator: BotApiEmulator, bot: RunningBot) -> Scene:
    head = emulator.create_user("Hana", language_code="en")
    voters = [emulator.create_user(f"Voter {n}", language_code="en") for n in range(6)]
    group = emulator.create_group("Building 5", creator=head, members=voters)
    emulator.send_message(head, group, "/setup Building 5")
    await emulator.wait_for_message(group, containing="Created building")
    building = await bot.services.buildings.for_chat(group.id)
    assert building is not None
    return Scene(group, head, voters, building.id)


async def _poll_message(emulator: BotApiEmulator, scene: Scene, number: int) -> SentMessage:
    return await emulator.wait_for_message(scene.group, containing=f"(#P{number})")


async def _vote(emulator: BotApiEmulator, user: SimUser, message: SentMessage, label: str) -> str:
    query = emulator.press_button(
        user,
        message,
        button_text=next(
            b["text"]
            for row in message.reply_markup["inline_keyboard"]  # type: ignore[index]
            for b in row
            if label in b["text"]
        ),
    )
    answer = await emulator.wait_callback_answer(query)
    return answer.text or ""


async def test_for_against_poll_votes_changes_and_debounced_edits(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Convert the empty lot into a garden? --hours 48")
    poll = await _poll_message(emulator, s, 1)
    for label in ("For", "Against", "Abstain"):
        assert label in poll.content
    answer = await _vote(emulator, s.voters[0], poll, "Against")
    assert "You voted Against" in answer
    answer = await _vote(emulator, s.voters[0], poll, "For")  # changing the vote
    assert "You voted For" in answer
    for voter in s.voters[1:5]:
        await _vote(emulator, voter, poll, "For")
    await emulator.wait_for(lambda: "👥 5 voted" in poll.content, 5, "tally edited")
    assert "1. For — 5" in poll.content
    edits = [
        c
        for c in emulator.calls("editMessageText")
        if int(c.params["message_id"]) == poll.message_id
    ]
    assert 1 <= len(edits) < 6  # six votes, fewer edits: debounced


async def test_residents_cannot_start_polls_unless_allowed(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.voters[0], s.group, "/poll Paint the door red?")
    await emulator.wait_for_message(s.group, containing="only building heads can start polls")
    emulator.send_message(s.head, s.group, "/setup polls everyone")
    await emulator.wait_for_message(s.group, containing="any resident may start")
    emulator.send_message(s.voters[0], s.group, "/poll Paint the door red?")
    await _poll_message(emulator, s, 1)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/poll", "Usage: /poll"),
        ("/poll | a | b", "The question is empty"),
        ("/poll Lunch? | soup", "at least 2 options"),
        ("/poll Lunch? | soup | Soup", "repeats option 1"),
        ("/poll Pick? | " + " | ".join(str(n) for n in range(11)), "Too many options"),
        ("/poll Pick? | " + "x" * 101 + " | b", "too long"),
        ("/poll Garden? --until 2020-01-01 10:00", "in the past"),
        ("/poll Garden? --until someday", "cannot read the time"),
        ("/poll Garden? --quorum 150%", "must be above 0% and at most 100%"),
    ],
)
async def test_bad_poll_commands_get_a_usage_answer(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, command: str, expected: str
) -> None:
    emulator.send_message(scene.head, scene.group, command)
    await emulator.wait_for_message(scene.group, containing=expected)
    assert await bot.services.polls.get(1) is None


async def test_household_poll_refusals_proxy_reminders_and_closing(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/setup approve auto")
    await emulator.wait_for_message(s.group, containing="approved automatically")
    for index, voter in enumerate(s.voters[:3]):
        emulator.user_starts_bot(voter)
        emulator.send_message(voter, voter, f"/join 1-10{index + 1}")
        await emulator.wait_for_message(voter, containing="registered in")
    # A second member of household 1-101, and a household not on Telegram.
    emulator.user_starts_bot(s.voters[3])
    emulator.send_message(s.voters[3], s.voters[3], "/join 1-101")
    await emulator.wait_for_message(s.voters[3], containing="registered in 1-101")
    emulator.user_starts_bot(s.head)
    emulator.send_message(s.head, s.head, "/household add 1-104 Grandma Wang")
    await emulator.wait_for_message(s.head, containing="on behalf")
    emulator.send_message(
        s.head,
        s.group,
        "/poll Repaint the walls, 1800 each? --household --quorum 50% --pass 2/3 --hours 48",
    )
    poll = await _poll_message(emulator, s, 1)
    answer = await _vote(emulator, s.voters[5], poll, "For")
    assert "Only registered households" in answer
    assert "Your household voted For" in await _vote(emulator, s.voters[0], poll, "For")
    # Another member of the same household changes the household's vote.
    assert "Your household voted Against" in await _vote(emulator, s.voters[3], poll, "Against")
    await _vote(emulator, s.voters[1], poll, "For")
    emulator.send_message(s.head, s.head, "/proxy 1 1-104 1")
    await emulator.wait_for_message(s.head, containing="Recorded: 1-104 votes For")
    # A household that voted itself keeps its own vote.
    emulator.send_message(s.head, s.head, "/proxy 1 1-102 2")
    await emulator.wait_for_message(s.head, containing="1-102 has already voted itself")
    emulator.send_message(s.voters[0], s.voters[0], "/proxy 1 1-104 2")
    await emulator.wait_for_message(s.voters[0], containing="only building heads")
    # 24 h reminder: a note in the group and a private nudge to the household that did not vote.
    reminder_job = next(
        j for j in bot.application.job_queue.jobs() if j.name == "poll-remind-1-24"
    )
    await reminder_job.run(bot.application)
    await emulator.wait_for_message(s.group, containing="⏰ Poll #P1 closes")
    nudge = await emulator.wait_for_message(s.voters[2], containing="has not voted yet")
    assert "#P1" in nudge.content
    assert not [m for m in emulator.messages(s.voters[1]) if "has not voted" in m.content]
    # The 1 h reminder falls due while the bot is down: sent once after the restart.
    await bot.shutdown()
    settings = bot.services.settings
    clock.advance(timedelta(hours=47, minutes=30))
    async with running_bot(emulator, settings, clock):
        await emulator.wait_for_message(s.group, containing="⏰ Poll #P1 closes", count=2)
    reminders = [m for m in emulator.messages(s.group) if "⏰ Poll #P1" in m.content]
    assert len(reminders) == 2
    # The deadline passes while the bot is down; after the next restart it closes at once.
    clock.advance(timedelta(hours=1))
    async with running_bot(emulator, settings, clock) as restarted:
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
        assert "Turnout: 3 of 4 households (75%)" in results.content
        assert "Quorum reached" in results.content
        # Households: 1-101 For then Against (latest counts), 1-102 For, 1-104 For by proxy.
        assert "Decision: PASSED" in results.content
        chart = await emulator.wait_for(
            lambda: next((m for m in emulator.messages(s.group) if m.photo), None), 5, "chart"
        )
        assert chart.caption == "#P1"
        stored = await restarted.services.polls.get(1)
        assert stored is not None
        assert stored.status is PollStatus.CLOSED
        await emulator.wait_for(lambda: "Closed" in poll.content, 5, "final results on poll")
        assert poll.reply_markup is None
        emulator.send_message(s.head, s.group, "/polls")
        listing = await emulator.wait_for_message(s.group, containing="Polls (")
        assert "Repaint" in listing.content


async def test_early_close_extend_cancel_and_details(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(
        s.head, s.group, "/poll Topic for next month? | Parking | Garden | Noise"
    )
    poll = await _poll_message(emulator, s, 1)
    await _vote(emulator, s.voters[0], poll, "Garden")
    emulator.send_message(s.voters[0], s.group, "/poll 1 close")
    await emulator.wait_for_message(s.group, containing="only the poll's creator")
    emulator.send_message(s.head, s.group, "/poll 1 extend 24")
    await emulator.wait_for_message(s.group, containing="now closes")
    emulator.send_message(s.head, s.group, "/poll 1")
    await emulator.wait_for_message(s.group, containing="open a private chat with me first")
    emulator.user_starts_bot(s.head)
    emulator.send_message(s.head, s.group, "/poll 1")
    await emulator.wait_for_message(s.group, containing="I sent you who voted what")
    details = await emulator.wait_for_message(s.head, containing="Who voted what")
    assert "Voter 0: Garden" in details.content
    # Names never reach the group; the tally does.
    assert not [m for m in emulator.messages(s.group) if "Voter 0" in m.content]
    assert len([m for m in emulator.messages(s.group) if "(#P1)" in m.content]) == 3
    emulator.send_message(s.head, s.group, "/poll 1 close")
    results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "Most votes: Garden" in results.content
    assert "Voting has closed" in await _vote_after_close(emulator, s, poll)
    emulator.send_message(
        s.head, s.group, "/poll Secret evaluation of the property company --secret"
    )
    second = await _poll_message(emulator, s, 2)
    await _vote(emulator, s.voters[1], second, "Against")
    emulator.send_message(s.head, s.group, "/poll 2")
    secret_details = await emulator.wait_for_message(s.group, containing="(#P2)", count=2)
    assert "Voter 1" not in secret_details.content
    await bot.settle()
    assert not [m for m in emulator.messages(s.head) if "#P2" in m.content]
    emulator.send_message(s.head, s.group, "/poll 2 cancel wrong wording")
    await emulator.wait_for_message(s.group, containing="#P2 was cancelled")
    stored = await bot.services.polls.get(2)
    assert stored is not None
    assert stored.status is PollStatus.CANCELLED


async def _vote_after_close(emulator: BotApiEmulator, s: Scene, poll: SentMessage) -> str:
    # The buttons are gone from the message; an old client may still send the press.
    query = emulator.press_button(s.voters[2], poll, "pv:1:0", stale=True)
    return (await emulator.wait_callback_answer(query)).text or ""


async def test_multi_choice_poll_counts_each_choice_and_quorum_can_fail(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(
        s.head, s.group, "/poll Which topics? | Parking | Garden | Noise --multi --quorum 5"
    )
    poll = await _poll_message(emulator, s, 1)
    assert "You voted Parking" in await _vote(emulator, s.voters[0], poll, "Parking")
    assert "You voted Parking, Noise" in await _vote(emulator, s.voters[0], poll, "Noise")
    # Pressing a chosen option again takes it back.
    assert "You voted Noise" in await _vote(emulator, s.voters[0], poll, "Parking")
    await _vote(emulator, s.voters[1], poll, "Noise")
    emulator.send_message(s.head, s.group, "/poll 1 close")
    results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "3. Noise: 2" in results.content
    assert "Quorum not reached" in results.content
    assert "Most votes" not in results.content  # no winner without a quorum


async def test_a_question_may_start_with_a_number(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll 3 benches or 2 tables for the yard?")
    poll = await _poll_message(emulator, s, 1)
    assert "3 benches or 2 tables" in poll.content
    emulator.send_message(s.head, s.group, "/poll 1 close the bike shed on Sundays?")
    second = await _poll_message(emulator, s, 2)
    assert "close the bike shed" in second.content
    emulator.send_message(s.head, s.group, "/poll 1 cancel the cleaning contract? | yes | no")
    third = await _poll_message(emulator, s, 3)
    assert "cancel the cleaning contract?" in third.content
    stored = await bot.services.polls.get(1)
    assert stored is not None
    assert stored.is_open
    emulator.send_message(s.head, s.group, "/poll 1 extend ²")
    await emulator.wait_for_message(s.group, containing="Usage: /poll 1 extend <hours>")


async def test_proxy_in_the_group_is_removed_and_redirected(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.promote(s.group, emulator.bot_user, by_user=s.head)
    command = emulator.send_message(s.head, s.group, "/proxy 1 3-502 1")
    await emulator.wait_for_message(s.group, containing="please use /proxy in a private chat")
    typed = next(m for m in emulator.history(s.group) if m.message_id == command["message_id"])
    assert typed.deleted


async def _assert_cancelled_without_wake_ups(bot: RunningBot, number: int) -> None:
    stored = await bot.services.polls.get(number)
    assert stored is not None
    assert stored.status is PollStatus.CANCELLED
    assert not bot.application.job_queue.get_jobs_by_name(f"poll-close-{number}")


async def test_a_poll_that_cannot_be_posted_does_not_stay_open(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/setup polls everyone")
    await emulator.wait_for_message(s.group, containing="any resident may start")
    await bot.settle()
    # Removed right after the command was sent: posting the poll gets a 403.
    emulator.send_message(s.head, s.group, "/poll Paint the door red?")
    emulator.remove_bot_from_group(s.group, by_user=s.head)
    await bot.settle()
    await _assert_cancelled_without_wake_ups(bot, 1)


async def test_a_poll_whose_posting_timed_out_keeps_its_deadline(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    await bot.settle()
    # A gateway error may hide a message that did arrive: the poll stays and will close.
    emulator.inject_fault("sendMessage", kind="bad_gateway", times=1, chat_id=s.group.id)
    emulator.send_message(s.head, s.group, "/poll Paint the door red?")
    await bot.settle()
    stored = await bot.services.polls.get(1)
    assert stored is not None
    assert stored.is_open
    assert stored.message_id is None
    assert bot.application.job_queue.get_jobs_by_name("poll-close-1")
    # A minute later it is posted after all.
    (again,) = bot.application.job_queue.get_jobs_by_name("poll-post-1")
    await again.run(bot.application)
    poll = await _poll_message(emulator, s, 1)
    stored = await bot.services.polls.get(1)
    assert stored is not None
    assert stored.message_id == poll.message_id
    assert "You voted For" in await _vote(emulator, s.voters[0], poll, "For")


async def test_closing_waits_for_the_member_count_across_a_restart(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll New intercom? --quorum 50% --hours 48")
    poll = await _poll_message(emulator, s, 1)
    await _vote(emulator, s.voters[0], poll, "For")
    await bot.settle()
    # Telegram cannot say how many members the group has: 1 of 1 must not look like a quorum.
    emulator.inject_fault("getChatMemberCount", kind="server_error", times=10)
    emulator.send_message(s.head, s.group, "/poll 1 close")
    await emulator.wait_for_message(s.group, containing="I will close #P1 in a minute")
    stored = await bot.services.polls.get(1)
    assert stored is not None
    assert stored.is_open
    assert "Voting has closed" in await _vote(emulator, s.voters[1], poll, "For")
    # The bot restarts before the minute is up; the head's "close" still holds.
    settings = bot.services.settings
    await bot.shutdown()
    emulator.clear_faults()
    # The results message hits a server error once: the outbox sends it again.
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.group.id)
    async with running_bot(emulator, settings, clock) as restarted:
        await emulator.wait_for(lambda: "Closed" in poll.content, 10, "closed at start-up")
        outbox = next(
            j for j in restarted.application.job_queue.jobs() if j.name == "deliver_outbox"
        )
        for _attempt in range(20):
            if [m for m in emulator.messages(s.group) if "Results of #P1" in m.content]:
                break
            clock.advance(timedelta(seconds=10))
            await outbox.run(restarted.application)
            await asyncio.sleep(0.2)  # a running periodic delivery may hold the queue
        results = await emulator.wait_for_message(s.group, containing="Results of #P1")
    assert "Turnout: 1 of 7 people (14%)" in results.content
    assert "Quorum not reached" in results.content
    assert "Decision: NOT PASSED" in results.content
    assert len([c for c in emulator.calls("sendMessage") if c.fault]) == 1


async def test_a_poll_in_a_group_that_removed_the_bot_is_cancelled(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll New intercom? --hours 2")
    poll = await _poll_message(emulator, s, 1)
    await _vote(emulator, s.voters[0], poll, "For")
    await bot.settle()
    emulator.remove_bot_from_group(s.group, by_user=s.head)
    await bot.settle()
    clock.advance(timedelta(hours=2, seconds=1))
    (closing,) = bot.application.job_queue.get_jobs_by_name("poll-close-1")
    await closing.run(bot.application)
    await _assert_cancelled_without_wake_ups(bot, 1)


async def test_reminders_come_again_after_an_extension(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Paint the door red? --hours 48")
    await _poll_message(emulator, s, 1)
    await bot.settle()
    queue = bot.application.job_queue
    (first,) = queue.get_jobs_by_name("poll-remind-1-24")
    await first.run(bot.application)
    await emulator.wait_for_message(s.group, containing="⏰ Poll #P1 closes")
    emulator.send_message(s.head, s.group, "/poll 1 extend 48")
    await emulator.wait_for_message(s.group, containing="now closes")
    (second,) = queue.get_jobs_by_name("poll-remind-1-24")
    await second.run(bot.application)
    await emulator.wait_for_message(s.group, containing="⏰ Poll #P1 closes", count=2)


async def test_choosing_several_long_options_gets_a_short_answer(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    options = " | ".join(f"Option {n} " + "with a long description " * 3 for n in range(1, 4))
    emulator.send_message(s.head, s.group, f"/poll Which ones? | {options} --multi")
    poll = await _poll_message(emulator, s, 1)
    await _vote(emulator, s.voters[0], poll, "Option 1")
    await _vote(emulator, s.voters[0], poll, "Option 2")
    answer = await _vote(emulator, s.voters[0], poll, "Option 3")
    assert answer.startswith("You voted 1, 2, 3 — you can change it until")
    stored = await bot.services.polls.ballot_of(1, s.voters[0].id)
    assert stored == {0, 1, 2}


async def test_a_close_wake_up_before_the_deadline_sleeps_again(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/poll Paint the door red? --hours 2")
    await _poll_message(emulator, s, 1)
    await bot.settle()
    queue = bot.application.job_queue
    (job,) = queue.get_jobs_by_name("poll-close-1")
    job.schedule_removal()  # as APScheduler does when a one-off job fires
    await job.run(bot.application)
    stored = await bot.services.polls.get(1)
    assert stored is not None
    assert stored.is_open
    (again,) = queue.get_jobs_by_name("poll-close-1")
    assert again.next_t is not None
    assert abs((again.next_t - stored.closes_at).total_seconds()) < 5
