"""Tracked requests end to end: intake, cards, routing, lifecycle, rating and commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.lifecycle import RequestStatus
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for


@dataclass
class Scene:
    """A linked building with a head, two residents and two staff members."""

    group: SimChat
    head: SimUser
    resident: SimUser
    neighbour: SimUser
    plumber: SimUser  # water staff, has started the bot
    electrician: SimUser  # electricity staff, never started the bot
    building_id: int


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings) as running:
        yield running


@pytest.fixture
async def scene(emulator: BotApiEmulator, bot: RunningBot) -> Scene:
    head = emulator.create_user("Hana", username="hana", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    neighbour = emulator.create_user("Nick", username="nick", language_code="en")
    plumber = emulator.create_user("Pavel", username="pavel", language_code="en")
    electrician = emulator.create_user("Erik", username="erik", language_code="en")
    group = emulator.create_group(
        "Building 5", creator=head, members=[resident, neighbour, plumber, electrician]
    )
    emulator.send_message(head, group, "/setup Building 5")
    await emulator.wait_for_message(group, containing="Created building")
    emulator.user_starts_bot(plumber)
    await emulator.wait_for_message(plumber, containing="Welcome")
    for user, args in ((plumber, "water 1"), (electrician, "electricity 1")):
        note = emulator.send_message(user, group, "hi")
        emulator.send_message(head, group, f"/staff add {args}", reply_to=note)
        await emulator.wait_for_message(group, containing=f"{user.first_name} is now staff")
    building = await bot.services.buildings.for_chat(group.id)
    assert building is not None
    return Scene(group, head, resident, neighbour, plumber, electrician, building.id)


async def _card(emulator: BotApiEmulator, scene: Scene, number: int) -> SentMessage:
    return await emulator.wait_for_message(scene.group, containing=f"#{number} ")


async def test_confident_message_becomes_a_request_routed_to_staff(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    report = emulator.send_message(
        s.resident, s.group, "The water pipe in unit 3 is leaking <again> & dripping"
    )
    card = await _card(emulator, s, 1)
    assert card.reply_to == report["message_id"]
    assert "unit 3" in card.content.lower() or "Unit 3" in card.content
    assert "<again> & dripping" in card.content  # escaped, shown as typed
    assert "Me too" in str(card.reply_markup)
    staff_card = await emulator.wait_for_message(s.plumber, containing="#1")
    assert "New request" in staff_card.content
    assert "Rita" in staff_card.content
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.category == "water"
    assert request.delivered
    assert request.level == 1


async def test_chit_chat_is_ignored(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    for text in (
        "Good morning everyone!",
        "大家早上好",
        "谢谢!",
        "🎉🎉",
        "What time is the meeting?",
    ):
        emulator.send_message(s := scene.resident, scene.group, text)
    del s
    await bot.settle()
    assert await bot.services.requests.get(1) is None
    assert not [m for m in emulator.messages(scene.group) if "Track this" in m.content]


async def test_borderline_message_asks_and_only_allowed_people_may_answer(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    from bot.domain.classifier import Verdict

    text = next(
        t
        for t in (
            "Something is broken near the entrance",
            "The door is not working properly",
            "there is a problem with the mailbox",
            "楼下有个东西坏了",
            "The gate near block 2 looks a bit loose",
            "Hmm the hallway light seems dim tonight",
            "The gate near block 2 seems a bit odd",
            "The side gate looks a bit off",
        )
        if bot.services.understanding.classify(t).verdict is Verdict.BORDERLINE
    )
    emulator.send_message(s.resident, s.group, text)
    prompt = await emulator.wait_for_message(s.group, containing="Track this as a request?")
    query = emulator.press_button(s.neighbour, prompt, button_text="Track it")
    answer = await emulator.wait_callback_answer(query)
    assert "Only the author" in (answer.text or "")
    query = emulator.press_button(s.resident, prompt, button_text="Track it")
    await emulator.wait_callback_answer(query)
    await _card(emulator, s, 1)
    await emulator.wait_for(lambda: prompt.deleted, 5, "the question is removed")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.reporter_id == s.resident.id


async def test_report_track_and_photo_intake(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "/report the bench by the playground wobbles")
    await _card(emulator, s, 1)
    quiet = emulator.send_message(s.neighbour, s.group, "hmm the mailbox lid")
    emulator.send_message(s.resident, s.group, "/track", reply_to=quiet)
    await emulator.wait_for_message(s.group, containing="Only the author")
    emulator.send_message(s.head, s.group, "/track", reply_to=quiet)
    await _card(emulator, s, 2)
    tracked = await bot.services.requests.get(2)
    assert tracked is not None
    assert tracked.reporter_id == s.neighbour.id
    emulator.send_message(s.head, s.group, "/track", reply_to=quiet)
    await emulator.wait_for_message(s.group, containing="already tracked as #2")
    emulator.send_message(
        s.resident, s.group, photo=True, caption="/report water leaking from the ceiling in unit 2"
    )
    await _card(emulator, s, 3)
    photo_request = await bot.services.requests.get(3)
    assert photo_request is not None
    assert len(photo_request.photos) == 1
    staff_card = await emulator.wait_for_message(s.plumber, containing="#3")
    assert staff_card.photo is not None
    emulator.send_message(s.resident, s.group, "/report")
    await emulator.wait_for_message(s.group, containing="Usage: /report")


async def test_urgent_request_pages_staff_at_once(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(
        s.resident, s.group, "Burst pipe in the basement, water is flooding everything!"
    )
    card = await _card(emulator, s, 1)
    assert "urgent" in card.content
    page = await emulator.wait_for_message(s.plumber, containing="Urgent request")
    assert "#1" in page.content


async def test_unreachable_staff_is_mentioned_in_the_group(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(
        s.resident, s.group, "The corridor light on floor 3 is broken, it is dark"
    )
    await _card(emulator, s, 1)
    mention = await emulator.wait_for_message(s.group, containing="cannot message you privately")
    assert "Erik" in mention.content
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.category == "electricity"
    assert not request.delivered
    link = mention.reply_markup["inline_keyboard"][0][0]["url"]  # type: ignore[index]
    emulator.user_starts_bot(s.electrician, link.split("start=")[1])
    waiting = await emulator.wait_for_message(s.electrician, containing="waiting for you")
    assert "#1" in waiting.content
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.delivered


async def test_me_too_and_duplicate_suggestion(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The elevator in unit 2 is broken again")
    card = await _card(emulator, s, 1)
    query = emulator.press_button(s.neighbour, card, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "👥 2" in card.content, 5, "affected count 2")
    query = emulator.press_button(s.neighbour, card, button_text="🙋 Me too")
    answer = await emulator.wait_callback_answer(query)
    assert "already counted" in (answer.text or "")
    emulator.send_message(s.head, s.group, "Elevator in unit 2 is broken, not working again")
    prompt = await emulator.wait_for_message(s.group, containing="Is this the same as #1")
    query = emulator.press_button(s.head, prompt, button_text="Yes, me too")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "👥 3" in card.content, 5, "affected count 3")
    assert await bot.services.requests.get(2) is None


async def test_full_lifecycle_with_card_edits_rating_and_reopen(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.user_starts_bot(s.resident)
    emulator.send_message(s.resident, s.group, "No water in unit 4 since morning, taps are dry")
    card = await _card(emulator, s, 1)
    staff_card = await emulator.wait_for_message(s.plumber, containing="#1")
    # A resident cannot take it; the routed plumber can, from the private card.
    query = emulator.press_button(s.neighbour, card, button_text="🛠 Take it")
    assert "not allowed" in ((await emulator.wait_callback_answer(query)).text or "")
    query = emulator.press_button(s.plumber, staff_card, button_text="🛠 Take it")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(
        lambda: "assigned" in card.content and "Pavel" in card.content,
        5,
        "group card shows the assignee",
    )
    query = emulator.press_button(s.plumber, staff_card, button_text="▶️ In progress")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "in progress" in card.content, 5, "in progress")
    query = emulator.press_button(s.plumber, staff_card, button_text="✅ Resolved")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.plumber, containing="send a short note")
    emulator.send_message(s.plumber, s.plumber, "Replaced the valve")
    await emulator.wait_for_message(s.plumber, containing="note was added")
    await emulator.wait_for(lambda: "Replaced the valve" in card.content, 5, "note on card")
    question = await emulator.wait_for_message(s.resident, containing="Is it really fixed?")
    query = emulator.press_button(s.resident, question, button_text="👎 Not fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "reopened" in card.content, 5, "reopened")
    await emulator.wait_for_message(s.plumber, containing="not fixed")
    query = emulator.press_button(s.plumber, staff_card, button_text="✅ Resolved")
    await emulator.wait_callback_answer(query)
    question = await emulator.wait_for_message(
        s.resident, containing="Is it really fixed?", after=question
    )
    query = emulator.press_button(s.resident, question, button_text="👍 Fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "How satisfied" in question.content, 5, "rating asked")
    query = emulator.press_button(s.resident, question, button_text="⭐⭐⭐⭐")
    await emulator.wait_callback_answer(query)
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.status is RequestStatus.CLOSED
    assert request.rating == 4
    assert request.satisfied is True
    assert len(card.edits) >= 5
    history = [e.action for e in await bot.services.requests.history(1)]
    assert history[:4] == ["report", "take", "start", "resolve"]
    assert "not_fixed" in history
    assert history[-2:] == ["confirm_fixed", "rate"]


async def test_reporter_edit_follows_while_new(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    message = emulator.send_message(s.resident, s.group, "The heating radiator in 2B is cold")
    card = await _card(emulator, s, 1)
    emulator.edit_message(s.resident, message, "The heating radiators in 2B and 2C are cold")
    await emulator.wait_for(lambda: "2C" in card.content, 5, "edited description")
    emulator.send_message(s.head, s.group, "/close 1 fixed by the property company")
    await emulator.wait_for_message(s.group, containing="#1 is closed")
    emulator.edit_message(s.resident, message, "changed after closing")
    await bot.settle()
    assert "changed after closing" not in card.content


async def test_commands_and_bad_arguments(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The water pipe in unit 1 is leaking")
    await _card(emulator, s, 1)
    emulator.send_message(s.resident, s.group, "Fire! Smoke coming out of the meter box in unit 3")
    await _card(emulator, s, 2)
    emulator.send_message(s.resident, s.group, "/requests")
    listing = await emulator.wait_for_message(s.group, containing="Open requests")
    assert listing.content.index("#2") < listing.content.index("#1")  # urgent first
    emulator.send_message(s.resident, s.group, "/request abc")
    await emulator.wait_for_message(s.group, containing="Usage: /request")
    emulator.send_message(s.resident, s.group, "/request 99999")
    await emulator.wait_for_message(s.group, containing="no request #99999")
    emulator.send_message(s.resident, s.group, "/request 1")
    await emulator.wait_for_message(s.group, containing="privately for the full history")
    emulator.user_starts_bot(s.head)
    emulator.send_message(s.head, s.head, "/request 1")
    detail = await emulator.wait_for_message(s.head, containing="History")
    assert "report" in detail.content
    emulator.send_message(s.neighbour, s.neighbour, "/request 1")
    await emulator.wait_for_message(s.neighbour, containing="no request #1")
    emulator.send_message(s.head, s.group, "/close 1")
    await emulator.wait_for_message(s.group, containing="Usage: /close")
    emulator.send_message(s.resident, s.group, "/close 1 I want to")
    await emulator.wait_for_message(s.group, containing="not allowed")
    emulator.send_message(s.head, s.group, "/assign 1 @pavel")
    await emulator.wait_for_message(s.group, containing="#1 is assigned to Pavel")
    await emulator.wait_for_message(s.plumber, containing="was assigned to you")
    emulator.send_message(s.plumber, s.plumber, "/mine")
    mine = await emulator.wait_for_message(s.plumber, containing="Your open requests")
    assert "#1" in mine.content
    emulator.send_message(s.plumber, s.group, "/note 1 waiting for a spare part")
    await emulator.wait_for_message(s.group, containing="Noted on #1")
    emulator.send_message(s.neighbour, s.group, "/note 1 me")
    await emulator.wait_for_message(s.group, containing="not allowed", count=2)
    emulator.send_message(s.head, s.group, "/reject 2 duplicate")
    await emulator.wait_for_message(s.group, containing="Usage: /reject")
    emulator.send_message(s.head, s.group, "/reject 2 duplicate 1")
    await emulator.wait_for_message(s.group, containing="#2 was rejected")
    emulator.send_message(s.head, s.group, "/reopen 2")
    await emulator.wait_for_message(s.group, containing="#2 is reopened")
    long_text = "Water leaking " + "x" * 4000
    emulator.send_message(s.neighbour, s.group, "/report " + long_text[:4000])
    card = await _card(emulator, s, 3)
    assert len(card.content) < 4096


async def test_other_buildings_requests_are_not_visible(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The water pipe in unit 1 is leaking")
    await _card(emulator, s, 1)
    other_head = emulator.create_user("Otto", language_code="en")
    other = emulator.create_group("Building 9", creator=other_head)
    emulator.send_message(other_head, other, "/setup Building 9")
    await emulator.wait_for_message(other, containing="Created building")
    emulator.send_message(other_head, other, "/request 1")
    await emulator.wait_for_message(other, containing="no request #1")
    emulator.send_message(other_head, other, "/close 1 not yours")
    await emulator.wait_for_message(other, containing="no request #1", count=2)


async def test_private_report_is_guided(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.user_starts_bot(s.resident)
    emulator.send_message(s.resident, s.resident, "/report")
    kind = await emulator.wait_for_message(s.resident, containing="What kind of problem")
    query = emulator.press_button(s.resident, kind, callback_data="pr:c:sanitation")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.resident, containing="Please describe the problem")
    emulator.send_message(s.resident, s.resident, "Garbage has not been collected for a week")
    ask_photo = await emulator.wait_for_message(s.resident, containing="add a photo")
    assert ask_photo.reply_markup is not None
    emulator.send_message(s.resident, s.resident, photo=True)
    filed = await emulator.wait_for_message(s.resident, containing="your request is filed")
    assert "#1" in filed.content
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.category == "sanitation"
    assert request.chat_id is None
    assert len(request.photos) == 1
    assert not [m for m in emulator.messages(s.group) if "Garbage" in m.content]


async def test_resolved_requests_close_when_nobody_answers(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.clock import FakeClock

    clock = FakeClock(datetime.now(UTC))
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("B1", creator=head, members=[resident])
    async with running_bot(emulator, settings, clock) as bot:
        emulator.send_message(head, group, "/setup B1")
        await emulator.wait_for_message(group, containing="Created building")
        emulator.send_message(resident, group, "/report the bench is broken")
        card = await emulator.wait_for_message(group, containing="#1 ")
        query = emulator.press_button(head, card, button_text="✅ Resolved")
        await emulator.wait_callback_answer(query)
        await emulator.wait_for(lambda: "👍 Fixed" in str(card.reply_markup), 5, "fixed buttons")
        job = next(j for j in bot.application.job_queue.jobs() if j.name == "close_unrated")
        await job.run(bot.application)
        request = await bot.services.requests.get(1)
        assert request is not None
        assert request.status is RequestStatus.RESOLVED  # too early
        clock.advance(timedelta(days=3, minutes=1))
        await job.run(bot.application)
        request = await bot.services.requests.get(1)
        assert request is not None
        assert request.status is RequestStatus.CLOSED
        await emulator.wait_for(lambda: "closed" in card.content, 5, "card shows closed")
        assert card.reply_markup is None  # no buttons left on a closed card


async def test_request_list_pages_forward_and_back(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    for n in range(10):
        emulator.send_message(s.resident, s.group, f"/report the bench number {n} is broken")
        await emulator.wait_for_message(s.group, containing=f"#{n + 1} ")
    emulator.send_message(s.resident, s.group, "/requests")
    listing = await emulator.wait_for_message(s.group, containing="Open requests (1–8 of 10)")
    assert listing.reply_markup is not None
    query = emulator.press_button(s.neighbour, listing, button_text="Next ▶️")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "(9–10 of 10)" in listing.content, 5, "second page")
    query = emulator.press_button(s.neighbour, listing, button_text="◀️ Previous")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "(1–8 of 10)" in listing.content, 5, "first page again")
    # A page button pressed in another building's group is refused.
    forged = emulator.press_button(s.neighbour, listing, "rl:999:8", stale=True)
    answer = await emulator.wait_callback_answer(forged)
    assert "out of date" in (answer.text or "")
