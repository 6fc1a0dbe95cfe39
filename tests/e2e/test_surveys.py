"""Surveys end to end: a head's survey reaches every household, some only at the door."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for

# Monday 09:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    volunteer: SimUser
    anna: SimUser  # 1-101
    ben: SimUser  # 1-102
    stranger: SimUser
    database: Path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def scene(emulator: BotApiEmulator, tmp_path: Path) -> Scene:
    people = {
        name: emulator.create_user(name.title(), language_code="en")
        for name in ("head", "volunteer", "anna", "ben", "stranger")
    }
    for person in people.values():
        emulator.user_starts_bot(person)
    group = emulator.create_group(
        "Building 5",
        creator=people["head"],
        members=[p for name, p in people.items() if name != "head"],
    )
    return Scene(
        group,
        people["head"],
        people["volunteer"],
        people["anna"],
        people["ben"],
        people["stranger"],
        tmp_path / "c.db",
    )


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    settings = settings_for(
        emulator,
        scene.database,
        community={"language": "en", "quiet_hours": "off"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [scene.group.id],
                "heads": [scene.head.id],
                "total_households": 4,
                "auto_approve": True,
                "staff": [{"user": scene.volunteer.id, "categories": ["*"], "level": 1}],
            }
        ],
    )
    async with running_bot(emulator, settings, clock) as running:
        yield running


async def tick(bot: RunningBot, name: str) -> None:
    job = next(j for j in bot.application.job_queue.jobs() if j.name == name)
    await job.run(bot.application)


async def press(emulator: BotApiEmulator, user: SimUser, message: SentMessage, label: str) -> str:
    """Tap a button and return the bot's answer to the tap ("" when it said nothing)."""
    query = emulator.press_button(user, message, button_text=label)
    answer = await emulator.wait_callback_answer(query)
    return answer.text or ""


async def edited_to(emulator: BotApiEmulator, message: SentMessage, needle: str) -> None:
    await emulator.wait_for(lambda: needle in message.content, 10, f"message shows {needle!r}")


async def button_shows(emulator: BotApiEmulator, message: SentMessage, label: str) -> None:
    await emulator.wait_for(
        lambda: label in [b["text"] for b in message.buttons], 10, f"a {label!r} button"
    )


async def answer_survey(
    emulator: BotApiEmulator, user: SimUser, question: SentMessage, choice: str, text: str
) -> None:
    """Question 1 by button, question 2 typed: the flow every respondent goes through."""
    await press(emulator, user, question, choice)
    await edited_to(emulator, question, "question 2 of 2")
    emulator.send_message(user, user, text)
    await emulator.wait_for_message(user, containing="✅", after=question)


async def join(emulator: BotApiEmulator, user: SimUser, flat: str) -> None:
    emulator.send_message(user, user, f"/join {flat}")
    await emulator.wait_for_message(user, containing="You are registered in")


async def record_at_door(
    emulator: BotApiEmulator, s: Scene, flat: str, choice: str, text: str
) -> None:
    emulator.send_message(s.volunteer, s.volunteer, flat)
    card = await emulator.wait_for_message(s.volunteer, containing=f"🚪 {flat}")
    await press(emulator, s.volunteer, card, "Record their answers")
    await edited_to(emulator, card, f"Recording the answers of {flat}")
    await answer_survey(emulator, s.volunteer, card, choice, text)


def _coverage_line(message: SentMessage) -> str:
    return next(line for line in message.content.splitlines() if "answered" in line)


async def test_survey_reaches_every_household_with_visits(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await join(emulator, s.anna, "1-101")
    await join(emulator, s.ben, "1-102")

    # A head writes the survey in one message and publishes it.
    emulator.send_message(
        s.head,
        s.head,
        "/survey Living here | How is the lift? Good / Slow / Broken | What should change? text",
    )
    preview = await emulator.wait_for_message(s.head, containing="Living here")
    assert "single choice" in preview.content
    await press(emulator, s.head, preview, "Publish")
    announcement = await emulator.wait_for_message(s.group, containing="New survey: Living here")
    assert "survey-1" in announcement.button("Answer privately")["url"]

    # Anna answers from the group's deep link: one question at a time, with a way back.
    emulator.user_starts_bot(s.anna, "survey-1")
    question = await emulator.wait_for_message(s.anna, containing="question 1 of 2")
    await press(emulator, s.anna, question, "Slow")
    await edited_to(emulator, question, "question 2 of 2")
    await press(emulator, s.anna, question, "Back")
    await button_shows(emulator, question, "✅ Slow")
    await press(emulator, s.anna, question, "Next")
    await edited_to(emulator, question, "question 2 of 2")
    emulator.send_message(s.anna, s.anna, "The rubbish room smells terrible")
    await emulator.wait_for_message(s.anna, containing="You can change them until")

    # The volunteer knocks: nobody home at 2-301 today, its answers tomorrow; 2-302 answers.
    emulator.user_starts_bot(s.volunteer, "canvass-1")
    listing = await emulator.wait_for_message(s.volunteer, containing="Door to door")
    assert "answered 1 of 4 households (25 %), visited 0" in listing.content
    assert listing.buttons[0]["text"].startswith("⬜")  # not reached first; answered last
    assert listing.buttons[1]["text"] == "✅ 1-101"
    emulator.send_message(s.volunteer, s.volunteer, "2-301")
    card = await emulator.wait_for_message(s.volunteer, containing="🚪 2-301")
    assert "nobody home at 2-301" in await press(emulator, s.volunteer, card, "Nobody home")
    await edited_to(emulator, card, "nobody home at 1")
    assert "🚪 2-301" in [b["text"].rsplit(" ", 1)[0] for b in card.buttons]
    await record_at_door(emulator, s, "2-302", "Good", "More parking spaces please")
    clock.advance(timedelta(days=1))
    emulator.user_starts_bot(s.volunteer, "canvass-1")  # the next day, from the list again
    listing = await emulator.wait_for_message(s.volunteer, containing="visited 2", after=listing)
    assert listing.buttons[0]["text"] == "⬜ 1-102"
    assert listing.buttons[1]["text"].startswith("🚪 2-301 ")
    await record_at_door(emulator, s, "2-301", "Broken", "The rubbish room smells, fix it")

    # Halfway through, Ben (not answered) is reminded, and the volunteer gets what is left.
    clock.advance(timedelta(days=3))
    await tick(bot, "survey_scan")
    reminder = await emulator.wait_for_message(s.ben, containing="has not answered")
    assert "survey-1" in reminder.button("Answer privately")["url"]
    left = await emulator.wait_for_message(s.volunteer, containing="still to reach")
    assert "1-102" in left.content
    assert "2-301" not in left.content
    assert not [m for m in emulator.messages(s.anna) if "Reminder" in m.content]

    emulator.user_starts_bot(s.ben, "survey-1")
    question = await emulator.wait_for_message(s.ben, containing="question 1 of 2")
    await answer_survey(emulator, s.ben, question, "Good", "无")

    # Coverage climbed to every household; a stranger can neither see it nor record visits.
    emulator.send_message(s.head, s.head, "/survey 1")
    card = await emulator.wait_for_message(s.head, containing="📈")
    assert "answered 4 of 4 households (100 %), visited 2" in _coverage_line(card)
    forged = emulator.press_button(s.stranger, card, "cv:o:1:1:d", stale=True)
    refusal = await emulator.wait_callback_answer(forged)
    assert "only building heads and volunteers" in (refusal.text or "")

    # At the deadline the group hears the coverage (never a flat or an answer).
    clock.advance(timedelta(days=3))
    await tick(bot, "survey_scan")
    closed = await emulator.wait_for_message(s.group, containing="has closed")
    assert "answered 4 of 4 households (100 %), visited 2" in closed.content
    for message in emulator.messages(s.group):
        for private in ("2-301", "1-101", "rubbish", "parking"):
            assert private not in message.content

    # Results: counts, a chart, and the free text as a ranked list of suggestions.
    done = await emulator.wait_for_message(s.head, containing="has closed")
    await press(emulator, s.head, done, "Results")
    counts = await emulator.wait_for_message(s.head, containing="How is the lift?")
    assert "B. Slow — 1 (25 %)" in counts.content
    await emulator.wait_for(
        lambda: any(m.photo for m in emulator.messages(s.head)), 10, "a results chart"
    )
    ranked = await emulator.wait_for_message(s.head, containing="suggestions")
    assert "4 answers → 2 suggestions (1 said there was nothing to add)" in ranked.content
    assert "1. ×2" in ranked.content  # the two rubbish-room answers, together

    # One tap each: the top suggestion becomes a tracked request, and goes to the needs list.
    notice = await press(emulator, s.head, ranked, "🛠 1")
    assert "Filed as request #1" in notice
    await edited_to(emulator, ranked, "🛠#1")
    assert "already" in await press(emulator, s.head, ranked, "🛠 1")
    await press(emulator, s.head, ranked, "📌 1")
    await edited_to(emulator, ranked, "📌")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert "From survey #1" in request.description
    with sqlite3.connect(scene.database) as db:
        links = db.execute("SELECT target, survey_id, households FROM survey_followups").fetchall()
    assert sorted(links) == [("need", 1, 2), ("request", 1, 2)]
    with sqlite3.connect(scene.database) as db:
        needs = db.execute(
            "SELECT n.public, n.chat_id FROM survey_followups f "
            "JOIN needs n ON n.id = f.target_id "
            "WHERE f.target = 'need'"
        ).fetchall()
    assert needs == [(0, None)]  # on the needs list, private until the head shows it

    # The answers export as CSV and XLSX, flats but no Telegram ids.
    emulator.send_message(s.head, s.head, "/export survey 1")
    exported = await emulator.wait_for_message(s.head, containing="Survey #1: 4 respondents")
    assert exported.document is not None
    csv_text = emulator.file_bytes(exported.document.file_id).decode("utf-8-sig")
    assert "2-301" in csv_text
    assert str(s.anna.id) not in csv_text


async def test_answers_can_change_until_the_deadline_only(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await join(emulator, s.anna, "1-101")
    emulator.send_message(s.head, s.head, "/survey Quick | Lift ok? Yes / No --days 1")
    preview = await emulator.wait_for_message(s.head, containing="Quick")
    await press(emulator, s.head, preview, "Publish")
    await emulator.wait_for_message(s.group, containing="New survey")
    emulator.user_starts_bot(s.anna, "survey-1")
    question = await emulator.wait_for_message(s.anna, containing="question 1 of 1")
    await press(emulator, s.anna, question, "Yes")
    await edited_to(emulator, question, "Thank you")
    await press(emulator, s.anna, question, "Change my answers")
    await button_shows(emulator, question, "✅ Yes")
    await press(emulator, s.anna, question, "No")
    await edited_to(emulator, question, "Thank you")
    with sqlite3.connect(scene.database) as db:
        assert db.execute("SELECT choices FROM survey_answers").fetchall() == [("[1]",)]
    # Ben has no household: he is asked to register instead of answering.
    emulator.user_starts_bot(s.ben, "survey-1")
    await emulator.wait_for_message(s.ben, containing="register your flat")
    clock.advance(timedelta(days=1, minutes=1))
    stale = emulator.press_button(s.anna, question, "sa:1:0:0:c:0", stale=True)
    answer = await emulator.wait_callback_answer(stale)
    assert "closed" in (answer.text or "")


async def test_a_head_builds_a_survey_step_by_step(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.anna, s.anna, "/survey Not a head | Q? text")
    await emulator.wait_for_message(s.anna, containing="only building heads")
    emulator.send_message(s.head, s.head, "/survey")
    await emulator.wait_for_message(s.head, containing="What is its title?")
    emulator.send_message(s.head, s.head, "Parking")
    await emulator.wait_for_message(s.head, containing="Send question 1")
    emulator.send_message(s.head, s.head, "Enough spaces? A")
    await emulator.wait_for_message(s.head, containing="needs at least two options")
    emulator.send_message(s.head, s.head, "Which days are hardest? multi: Weekdays / Weekends")
    prompt = await emulator.wait_for_message(s.head, containing="Send question 2")
    emulator.send_message(s.head, s.head, "Rate the parking: rating")
    prompt = await emulator.wait_for_message(s.head, containing="Send question 3", after=prompt)
    await press(emulator, s.head, prompt, "Done")
    audience = await emulator.wait_for_message(s.head, containing="Who answers?")
    await press(emulator, s.head, audience, "one answer per person")
    deadline = await emulator.wait_for_message(s.head, containing="Until when?")
    emulator.send_message(s.head, s.head, "2026-11-20")
    await emulator.wait_for_message(s.head, containing="already passed")
    await press(emulator, s.head, deadline, "3 days")
    preview = await emulator.wait_for_message(
        s.head, containing="multiple choice: Weekdays / Weekends"
    )
    assert "rating 1–5" in preview.content
    assert "one answer per person" in preview.content
    await press(emulator, s.head, preview, "Publish")
    await emulator.wait_for_message(s.group, containing="New survey: Parking")
    survey = await bot.services.surveys.get(1)
    assert survey is not None
    assert not survey.per_household
    assert survey.closes_at == MORNING + timedelta(days=3)
    # Per person: Anna's answers are hers, her multiple choice collects several options.
    await join(emulator, s.anna, "1-101")
    emulator.user_starts_bot(s.anna, "survey-1")
    question = await emulator.wait_for_message(s.anna, containing="question 1 of 2")
    await press(emulator, s.anna, question, "Weekdays")
    await button_shows(emulator, question, "☑️ Weekdays")
    await press(emulator, s.anna, question, "Weekends")
    await button_shows(emulator, question, "☑️ Weekends")
    await press(emulator, s.anna, question, "Next")
    await edited_to(emulator, question, "question 2 of 2")
    await press(emulator, s.anna, question, "4")
    await edited_to(emulator, question, "Thank you")
    response = await bot.services.surveys.response(1, f"p{s.anna.id}")
    assert response is not None
    assert response.answers[0].choices == (0, 1)
    assert response.answers[1].rating == 4
