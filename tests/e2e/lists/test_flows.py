"""Needs from suggestions and private chats, merges and declines, a project a poll declines,
a meeting set up step by step whose decisions assign, close and decline, and a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.domain.lifecycle import RequestStatus
from bot.domain.lists import NeedStatus, ProjectStatus
from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot
from tests.e2e.lists.helpers import Scene, join, press, tick


async def test_a_suggestion_in_the_chat_becomes_a_need_with_one_button(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.residents[0], s.group, "Could we get a bike shed near unit 3?")
    prompt = await emulator.wait_for_message(s.group, containing="suggestion for the needs list")
    answer = await press(emulator, s.residents[1], prompt, "This is a suggestion")
    assert "Only the author" in answer
    await press(emulator, s.residents[0], prompt, "This is a suggestion")
    card = await emulator.wait_for_message(s.group, containing="Need N1")
    assert "bike shed near unit 3" in card.content
    await emulator.wait_for(lambda: prompt.deleted, 5, "the question removed")
    assert await bot.services.requests.get(1) is None  # not a request


async def test_a_private_need_stays_private_until_its_author_shows_it(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    author = s.residents[0]
    await join(emulator, author, "1-101")
    emulator.send_message(author, author, "/need A quiet reading room")
    saved = await emulator.wait_for_message(author, containing="Saved as need N1")
    emulator.send_message(s.head, s.group, "/needs")
    listed = await emulator.wait_for_message(s.group, containing="Needs")
    assert "(proposed privately)" in listed.content
    assert "reading room" not in listed.content
    emulator.send_message(s.residents[1], s.group, "/need 1")
    shown = await emulator.wait_for_message(s.group, containing="Need N1")
    assert "reading room" not in shown.content
    await press(emulator, author, saved, "Show it in the group")
    card = await emulator.wait_for(
        lambda: next(
            (m for m in emulator.messages(s.group) if "Need N1" in m.content and m.reply_markup),
            None,
        ),
        5,
        "the need's card",
    )
    assert "A quiet reading room" in card.content
    assert "Support (1)" in str(card.reply_markup)
    assert "Resident 0" not in card.content


async def test_heads_merge_duplicates_and_decline_with_a_reason(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.residents[0], s.group, "/need Bike shed")
    first = await emulator.wait_for_message(s.group, containing="Need N1")
    emulator.send_message(s.residents[1], s.group, "/need A shelter for bicycles")
    await emulator.wait_for_message(s.group, containing="Need N2")
    emulator.send_message(s.head, s.group, "/need 2 merge 1")
    await emulator.wait_for_message(s.group, containing="N2 is merged into N1")
    await emulator.wait_for(lambda: "Support (2)" in str(first.reply_markup), 5, "merged count")
    emulator.send_message(s.head, s.group, "/need 1 decline the lot belongs to the school")
    await emulator.wait_for_message(s.group, containing="N1 is declined")
    await emulator.wait_for(lambda: "belongs to the school" in first.content, 5, "reason shown")
    assert first.reply_markup is None or "Support" not in str(first.reply_markup)
    emulator.send_message(s.head, s.group, "/need 1")
    history = await emulator.wait_for_message(s.group, containing="History")
    assert "merged in · N2" in history.content


async def test_a_poll_that_fails_declines_the_project_with_its_result(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/project Repaint the hall | budget 2000 | @wang")
    card = await emulator.wait_for_message(s.group, containing="Project PJ1")
    assert "planned" in card.content
    emulator.send_message(s.head, s.group, "/project 1 poll --hours 2")
    poll = await emulator.wait_for_message(s.group, containing="(#P1)")
    assert "Approve project PJ1: Repaint the hall?" in poll.content
    for person in s.residents[:2]:
        query = emulator.press_button(person, poll, button_text="Against")
        await emulator.wait_callback_answer(query)
    emulator.send_message(s.head, s.group, "/poll 1 close")
    await emulator.wait_for_message(s.group, containing="did not pass: project PJ1")
    await emulator.wait_for(lambda: "Against 2" in card.content, 5, "result on the card")
    project = await bot.services.projects.get(1)
    assert project is not None
    assert project.status is ProjectStatus.DECLINED


async def test_a_meeting_set_up_privately_decides_to_assign_close_and_decline(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.send_message(s.residents[0], s.group, "The elevator in unit 2 is stuck again")
    await emulator.wait_for_message(s.group, containing="#1 ")
    emulator.send_message(s.residents[1], s.group, "The corridor light on floor 3 is broken")
    await emulator.wait_for_message(s.group, containing="#2 ")
    emulator.send_message(s.residents[2], s.group, "/need A swimming pool on the roof")
    await emulator.wait_for_message(s.group, containing="Need N1")
    emulator.send_message(s.head, s.head, "/meeting")
    await emulator.wait_for_message(s.head, containing="When?")
    emulator.send_message(s.head, s.head, "2026-11-20 19:00")
    await emulator.wait_for_message(s.head, containing="is in the past")
    emulator.send_message(s.head, s.head, "2026-11-28 19:00")
    await emulator.wait_for_message(s.head, containing="Where?")
    emulator.send_message(s.head, s.head, "https://meet.example/room5")
    await emulator.wait_for_message(s.head, containing="The agenda")
    emulator.send_message(s.head, s.head, "#1\n#2\nneed 1")
    await emulator.wait_for_message(s.head, containing="Posted in the group: meeting M1")
    announcement = await emulator.wait_for_message(s.group, containing="Meeting M1")
    assert "meet.example/room5" in announcement.content
    assert "elevator in unit 2" in announcement.content
    await press(emulator, s.residents[0], announcement, "Coming")
    clock.set(datetime(2026, 11, 28, 12, 30, tzinfo=UTC))
    await tick(bot)  # the reminders' moments passed while nobody looked: none is sent late
    assert not [m for m in emulator.messages(s.residents[0]) if "Reminder: meeting" in m.content]
    emulator.send_message(s.head, s.head, "/minutes 1 1 stuck weekly => assign #1 @wang")
    await emulator.wait_for_message(s.head, containing="D1:")
    emulator.send_message(s.head, s.head, "/minutes 1 2 fixed meanwhile => close #2 fixed already")
    await emulator.wait_for_message(s.head, containing="D2:")
    emulator.send_message(s.head, s.head, "/minutes 1 3 too costly => decline no roof access")
    await emulator.wait_for_message(s.head, containing="D3:")
    emulator.send_message(s.head, s.head, "/minutes 1 3 again => decline twice")
    await emulator.wait_for_message(s.head, containing="Item 3 already has decision D3")
    elevator = await bot.services.requests.get(1)
    light = await bot.services.requests.get(2)
    need = await bot.services.needs.get(1)
    assert elevator is not None
    assert elevator.assignee_id == s.wang.id
    assert light is not None
    assert light.status is RequestStatus.CLOSED
    assert need is not None
    assert need.status is NeedStatus.DECLINED
    assignment = await bot.services.decisions.get(1)
    assert assignment is not None
    assert assignment.owner_id == s.wang.id  # followed up by the one it was given to
    history = [e.note for e in await bot.services.requests.history(1)]
    assert any("M1/D1" in note for note in history)
    emulator.send_message(s.head, s.head, "/minutes 1 publish")
    summary = await emulator.wait_for_message(s.group, containing="Minutes of M1")
    assert "D1" in summary.content
    assert "D3" in summary.content


async def test_a_cancelled_meeting_tells_those_who_were_coming(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/meeting 2026-11-30 19:00 | Room 1 | Parking")
    announcement = await emulator.wait_for_message(s.group, containing="Meeting M1")
    await press(emulator, s.residents[0], announcement, "Maybe")
    await press(emulator, s.residents[1], announcement, "Not coming")
    emulator.send_message(s.head, s.group, "/meeting 1 cancel the room is flooded")
    await emulator.wait_for_message(s.group, containing="M1 is cancelled")
    await emulator.wait_for_message(s.residents[0], containing="is cancelled: the room is flooded")
    await emulator.wait_for(lambda: "Cancelled" in announcement.content, 5, "announcement")
    assert not [m for m in emulator.messages(s.residents[1]) if "cancelled" in m.content]
    answer = (
        await press(emulator, s.residents[2], announcement, "Coming")
        if (announcement.reply_markup)
        else "over or cancelled"
    )
    assert "over or cancelled" in answer
    clock.set(datetime(2026, 11, 29, 11, 30, tzinfo=UTC))
    await tick(bot)
    assert not [m for m in emulator.messages(s.residents[0]) if "Reminder" in m.content]
