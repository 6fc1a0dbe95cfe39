"""Care check-ins end to end: consent, the daily question, missed check-ins climbing from carer
to carer, "I need help" at night, carers' "seen today", privacy and /forgetme."""

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
from handlers.weekly_report import WEEKLY_REPORT_JOB
from tests.e2e.harness import RunningBot, running_bot, settings_for

# Monday 23 November 2026, 08:00 in Shanghai.
MONDAY_8 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    volunteer: SimUser
    office: SimUser
    grandma: SimUser
    database: Path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_8)


@pytest.fixture
def scene(emulator: BotApiEmulator, tmp_path: Path) -> Scene:
    people = {
        name: emulator.create_user(name.title(), username=name, language_code="en")
        for name in ("head", "volunteer", "office", "grandma")
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
        people["office"],
        people["grandma"],
        tmp_path / "c.db",
    )


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    settings = settings_for(
        emulator,
        scene.database,
        community={"language": "en", "quiet_hours": "22:00-07:00"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [scene.group.id],
                "heads": [scene.head.id],
                "auto_approve": True,
                "staff": [
                    {"user": scene.volunteer.id, "categories": ["*"], "level": 1},
                    {"user": scene.office.id, "categories": ["*"], "level": 3},
                ],
            }
        ],
    )
    async with running_bot(emulator, settings, clock) as running:
        yield running


async def tick(bot: RunningBot) -> None:
    job = next(j for j in bot.application.job_queue.jobs() if j.name == "care_scan")
    await job.run(bot.application)


async def press(emulator: BotApiEmulator, user: SimUser, message: SentMessage, label: str) -> str:
    query = emulator.press_button(user, message, button_text=label)
    answer = await emulator.wait_callback_answer(query)
    return answer.text or ""


async def next_message(
    emulator: BotApiEmulator, user: SimUser, containing: str, after: SentMessage | None = None
) -> SentMessage:
    return await emulator.wait_for_message(user, containing=containing, after=after)


async def enrol_grandma(emulator: BotApiEmulator, s: Scene) -> None:
    """Grandma puts herself on the care list: daily at 09:00, the head then the volunteer."""
    emulator.send_message(s.grandma, s.grandma, "/join 3-502")
    await next_message(emulator, s.grandma, "You are registered in")
    emulator.send_message(s.grandma, s.grandma, "/care")
    overview = await next_message(emulator, s.grandma, "You are not on the care list")
    await press(emulator, s.grandma, overview, "Put me on the care list")
    step = await next_message(emulator, s.grandma, "How often")
    await press(emulator, s.grandma, step, "every day")
    step = await next_message(emulator, s.grandma, "At what time")
    await press(emulator, s.grandma, step, "09:00")
    step = await next_message(emulator, s.grandma, "Who looks after")
    await press(emulator, s.grandma, step, "Head")
    step = await next_message(emulator, s.grandma, "1. Head", after=step)
    await press(emulator, s.grandma, step, "Volunteer")
    step = await next_message(emulator, s.grandma, "2. Volunteer", after=step)
    await press(emulator, s.grandma, step, "Done")
    confirm = await next_message(emulator, s.grandma, "Check-in every day at 09:00")
    await press(emulator, s.grandma, confirm, "Save")
    await emulator.wait_for(lambda: "First check-in" in confirm.content, 10, "saved")
    await next_message(emulator, s.head, "asked you to look after Grandma 3-502")


async def test_missed_check_in_climbs_from_carer_to_carer_to_the_office(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await enrol_grandma(emulator, s)
    clock.advance(timedelta(hours=1))  # 09:00: the check-in
    await tick(bot)
    check_in = await next_message(emulator, s.grandma, "How are you today")
    assert [b["text"] for b in check_in.buttons] == ["I'm fine 👍", "I need help 🆘"]

    # She does not answer. Nothing happens until the grace period (2 h) is over …
    clock.advance(timedelta(hours=1, minutes=59))
    await tick(bot)
    assert not [m for m in emulator.messages(s.head) if "has not checked in" in m.content]
    # … then the first carer hears, privately.
    clock.advance(timedelta(minutes=1))
    await tick(bot)
    first = await next_message(
        emulator, s.head, "Grandma 3-502 has not checked in since Monday 09:00"
    )
    assert {b["text"] for b in first.buttons} >= {"📞 I'll call", "✅ Seen, all well"}
    assert not [m for m in emulator.messages(s.volunteer) if "has not checked in" in m.content]

    # The head does not react within the hour: the volunteer is next, then the office.
    clock.advance(timedelta(hours=1))
    await tick(bot)
    second = await next_message(emulator, s.volunteer, "has not checked in since Monday 09:00")
    assert "The carer before you has not answered" in second.content
    clock.advance(timedelta(hours=1))
    await tick(bot)
    await next_message(emulator, s.office, "Sent to the community office")

    # The volunteer goes round: seen, all well. Everyone alerted hears; the next check-in is
    # tomorrow at 09:00 and nothing climbs any more.
    await press(emulator, s.volunteer, second, "Seen, all well")
    await emulator.wait_for(lambda: "marked seen" in second.content, 10, "seen")
    await next_message(emulator, s.head, "Volunteer has seen Grandma 3-502: all is well")
    await next_message(emulator, s.office, "Volunteer has seen Grandma 3-502")
    enrolment = (await bot.services.care.of_person(s.grandma.id))[0]
    assert enrolment.next_checkin_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert enrolment.awaiting_since is None
    clock.advance(timedelta(hours=3))
    await tick(bot)
    assert len([m for m in emulator.messages(s.office) if "has not checked in" in m.content]) == 1
    # Nothing about any of this in the group.
    assert not [m for m in emulator.messages(s.group) if "Grandma" in m.content]


async def test_i_need_help_at_night_reaches_every_carer_at_once(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await enrol_grandma(emulator, s)
    clock.set(datetime(2026, 11, 23, 15, 30, tzinfo=UTC))  # 23:30, inside quiet hours
    emulator.send_message(s.grandma, s.grandma, "/care")
    overview = await next_message(emulator, s.grandma, "You are on the care list")
    await press(emulator, s.grandma, overview, "I need help")
    await emulator.wait_for(lambda: "Help is on the way" in overview.content, 10, "told")
    assert "Head" in overview.content
    head_alert = await next_message(emulator, s.head, "pressed “I need help” at Monday 23:30")
    volunteer_alert = await next_message(emulator, s.volunteer, "pressed “I need help”")
    assert not [m for m in emulator.messages(s.office) if "I need help" in m.content]

    # It stays open: nobody answers for an hour, so the office hears too — at night.
    clock.advance(timedelta(hours=1))
    await tick(bot)
    await next_message(emulator, s.office, "Sent to the community office")

    # The volunteer is on the way; the head marks it handled; Grandma hears.
    await press(emulator, s.volunteer, volunteer_alert, "On my way")
    await next_message(emulator, s.head, "Volunteer is taking care of Grandma 3-502")
    await press(emulator, s.head, head_alert, "Handled")
    await next_message(emulator, s.grandma, "Head has taken care of your call for help")
    await next_message(
        emulator, s.volunteer, "Head marked the call for help of Grandma 3-502 handled"
    )
    await press(emulator, s.volunteer, volunteer_alert, "Handled")
    await emulator.wait_for(lambda: "already handled" in volunteer_alert.content, 10, "handled")
    with sqlite3.connect(s.database) as db:
        open_alerts = db.execute("SELECT count(*) FROM care_alerts WHERE handled_at IS NULL")
        assert open_alerts.fetchone() == (0,)


async def test_carers_see_people_not_on_telegram_and_the_report_names_nobody(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    # The head records 王奶奶's spoken consent; she is not on Telegram.
    emulator.send_message(s.head, s.head, "/care")
    overview = await next_message(emulator, s.head, "You are not on the care list")
    await press(emulator, s.head, overview, "Enrol someone else")
    step = await next_message(emulator, s.head, "Who agreed")
    await press(emulator, s.head, step, "They told me")
    step = await next_message(emulator, s.head, "Which building")
    await press(emulator, s.head, step, "Building 5")
    await next_message(emulator, s.head, "What do neighbours call them")
    emulator.send_message(s.head, s.head, "王奶奶")
    await next_message(emulator, s.head, "Which flat")
    emulator.send_message(s.head, s.head, "3-501")
    step = await next_message(emulator, s.head, "Are they on Telegram")
    await press(emulator, s.head, step, "Not on Telegram")
    await next_message(emulator, s.head, "how and when they agreed")
    emulator.send_message(s.head, s.head, "Agreed at her door on 11-20, her son present")
    step = await next_message(emulator, s.head, "How often")
    await press(emulator, s.head, step, "every 2 days")
    step = await next_message(emulator, s.head, "At what time")
    emulator.send_message(s.head, s.head, "10:30")
    step = await next_message(emulator, s.head, "Who looks after 王奶奶")
    await press(emulator, s.head, step, "Volunteer")
    step = await next_message(emulator, s.head, "1. Volunteer", after=step)
    await press(emulator, s.head, step, "Done")
    confirm = await next_message(emulator, s.head, "Not on Telegram")
    await press(emulator, s.head, confirm, "Save")
    await next_message(emulator, s.volunteer, "asked you to look after 王奶奶 3-501")

    # At 10:30 the volunteer is asked to go and see her, and confirms from their own list.
    clock.advance(timedelta(hours=2, minutes=30))
    await tick(bot)
    await next_message(emulator, s.volunteer, "Today please see 王奶奶 3-501")
    emulator.send_message(s.volunteer, s.volunteer, "/care")
    overview = await next_message(emulator, s.volunteer, "You look after 1 people")
    await press(emulator, s.volunteer, overview, "People I look after")
    await emulator.wait_for(lambda: "王奶奶 3-501" in overview.content, 10, "the list")
    await press(emulator, s.volunteer, overview, "Seen: 王奶奶")
    await emulator.wait_for(lambda: "marked seen" in overview.content, 10, "seen")
    enrolment = (await bot.services.care.cared_by(s.volunteer.id, limit=5))[0]
    assert enrolment.next_checkin_at == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # in 2 days

    # Only the person, carers and admins see it: Grandma (a resident) cannot open it.
    forged = emulator.press_button(s.grandma, overview, f"ce:view:{enrolment.id}", stale=True)
    assert "out of date" in ((await emulator.wait_callback_answer(forged)).text or "")
    emulator.send_message(s.head, s.group, "/care")
    reply = await next_message(emulator, s.group, "private chat")
    assert "王奶奶" not in reply.content

    # The weekly report to heads counts, without names.
    clock.set(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # next Monday 09:00
    job = next(j for j in bot.application.job_queue.jobs() if j.name == WEEKLY_REPORT_JOB)
    await job.run(bot.application)
    weekly = await next_message(emulator, s.head, "Care check-ins, Building 5")
    assert "1 people on the care list · 1 check-ins asked" in weekly.content
    assert "👀 1 seen by a carer" in weekly.content
    assert "王奶奶" not in weekly.content

    # /forgetme: the volunteer stops being anyone's carer.
    emulator.send_message(s.volunteer, s.volunteer, "/forgetme")
    confirm = await next_message(emulator, s.volunteer, "Continue?")
    await press(emulator, s.volunteer, confirm, "Yes, delete my data")
    await emulator.wait_for(lambda: "deleted" in confirm.content, 10, "forgotten")
    assert await bot.services.care.count_cared_by(s.volunteer.id) == 0
