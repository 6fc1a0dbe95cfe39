"""Building reports and the admins' export end to end: /summary, the weekly job, /export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.clock import FakeClock
from bot.domain.lifecycle import RequestStatus
from bot.domain.report import previous_days
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from bot.sandbox.params import UploadedFile
from handlers.reports import build_report, chart_data, render_chart
from handlers.weekly_report import WEEKLY_REPORT_JOB, schedule_weekly_report
from tests.e2e.harness import RunningBot, eventually, running_bot, settings_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-11-02, 10:00 in Shanghai: fixed, so periods and file names are known.
START = datetime(2026, 11, 2, 10, tzinfo=SHANGHAI).astimezone(UTC)
CHINESE = "3单元楼道的灯坏了，晚上很黑"
FORMULA = "=1+1 the bench by the playground wobbles"


@dataclass
class Scene:
    group: SimChat
    admin_chat: SimChat
    head: SimUser  # the group's creator: a head through being a chat admin
    resident: SimUser
    neighbour: SimUser
    plumber: SimUser
    admin: SimUser  # community admin
    clock: FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def people(emulator: BotApiEmulator) -> dict[str, SimUser]:
    return {
        name.lower(): emulator.create_user(name, username=name.lower(), language_code="en")
        for name in ("Hana", "Rita", "Nick", "Pavel", "Ada", "Olga")
    }


@pytest.fixture
def admin_chat(emulator: BotApiEmulator, people: dict[str, SimUser]) -> SimChat:
    return emulator.create_group("Courtyard admins", creator=people["ada"])


@pytest.fixture
async def bot(
    emulator: BotApiEmulator,
    tmp_path: Path,
    clock: FakeClock,
    people: dict[str, SimUser],
    admin_chat: SimChat,
) -> AsyncIterator[RunningBot]:
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={
            "language": "en",
            "admins": [people["ada"].id],
            "admin_chat_id": admin_chat.id,
        },
    )
    async with running_bot(emulator, settings, clock) as running:
        yield running


async def _card(emulator: BotApiEmulator, group: SimChat, number: int) -> SentMessage:
    return await emulator.wait_for_message(group, containing=f"#{number} ")


@pytest.fixture
async def scene(
    emulator: BotApiEmulator,
    bot: RunningBot,
    clock: FakeClock,
    people: dict[str, SimUser],
    admin_chat: SimChat,
) -> Scene:
    """#1 open and overdue (2 households), #2 resolved and rated, #3 open in Chinese,
    #4 closed without a fix, poll #P1 passed."""
    head, resident, neighbour, plumber = (people[n] for n in ("hana", "rita", "nick", "pavel"))
    group = emulator.create_group(
        "Building 5", creator=head, members=[resident, neighbour, plumber]
    )
    emulator.send_message(head, group, "/setup Building 5")
    await emulator.wait_for_message(group, containing="Created building")
    for user in (plumber, resident):
        emulator.user_starts_bot(user)
        await emulator.wait_for_message(user, containing="Welcome")
    note = emulator.send_message(plumber, group, "hi")
    emulator.send_message(head, group, "/staff add water 1", reply_to=note)
    await emulator.wait_for_message(group, containing="Pavel is now staff")

    emulator.send_message(resident, group, "No water in unit 4 since morning, taps are dry")
    first = await _card(emulator, group, 1)
    query = emulator.press_button(neighbour, first, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "👥 2" in first.content, 5, "two households affected")
    await bot.settle()
    clock.advance(timedelta(days=4))
    emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
    await _card(emulator, group, 2)
    staff_card = await emulator.wait_for_message(plumber, containing="#2")
    await bot.settle()
    clock.advance(timedelta(hours=2))
    query = emulator.press_button(plumber, staff_card, button_text="🛠 Take it")
    await emulator.wait_callback_answer(query)
    await bot.settle()  # handled at this time, before the clock moves on
    clock.advance(timedelta(hours=1))
    query = emulator.press_button(plumber, staff_card, button_text="✅ Resolved")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(plumber, containing="send a short note")
    emulator.send_message(plumber, plumber, "Replaced the valve")
    await emulator.wait_for_message(plumber, containing="note was added")
    question = await emulator.wait_for_message(resident, containing="Is it really fixed?")
    query = emulator.press_button(resident, question, button_text="👍 Fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "How satisfied" in question.content, 5, "rating asked")
    query = emulator.press_button(resident, question, button_text="⭐⭐⭐⭐")
    await emulator.wait_callback_answer(query)

    emulator.send_message(resident, group, f"/report {CHINESE}")
    await _card(emulator, group, 3)
    emulator.send_message(neighbour, group, f"/report {FORMULA}")
    await _card(emulator, group, 4)
    emulator.send_message(head, group, "/close 4 the property company already knows")
    await emulator.wait_for_message(group, containing="#4 is closed")

    emulator.send_message(head, group, "/poll Paint the door red? --hours 2")
    poll = await emulator.wait_for_message(group, containing="(#P1)")
    query = emulator.press_button(resident, poll, button_text=poll.button("For")["text"])
    await emulator.wait_callback_answer(query)
    emulator.send_message(head, group, "/poll 1 close")
    await emulator.wait_for_message(group, containing="Results of #P1")
    await bot.settle()

    states = [await bot.services.requests.get(n) for n in (1, 2, 3, 4)]
    assert [r.status if r else None for r in states] == [
        RequestStatus.NEW,
        RequestStatus.CLOSED,
        RequestStatus.NEW,
        RequestStatus.CLOSED,
    ]
    return Scene(group, admin_chat, head, resident, neighbour, plumber, people["ada"], clock)


async def _photo_after(
    emulator: BotApiEmulator, chat: SimChat | SimUser, after: SentMessage
) -> SentMessage:
    photo = await emulator.wait_for_message(chat, containing="resolved (green)", after=after)
    assert photo.photo is not None
    assert emulator.file_bytes(photo.photo[-1]["file_id"]).startswith(b"\x89PNG")
    return photo


def _check_week(text: str) -> None:
    assert "New: 4 · ✅ Resolved: 1 · 🚫 Closed without a fix: 1" in text
    assert "Open now: 2 · ⚠️ Overdue: 1" in text
    assert "first response: 2 h · to resolution: 3 h" in text
    assert "satisfied with the fix: 100% of 1 answers" in text
    assert "Average rating: 4.0 (1 ratings)" in text
    assert "water: 2 / 1 / 1" in text
    # The most affected open request leads the list.
    top = text.split("affecting the most households")[1]
    assert top.index("#1 ") < top.index("#3 ")
    assert "👥 2" in top
    assert "#P1 Paint the door red? — passed ✅" in text


async def test_summary_for_heads_with_chart_refusals_and_usage(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.head, s.group, "/summary week")
    report = await emulator.wait_for_message(s.group, containing="Report for Building 5")
    assert "2026-10-30 – 2026-11-06" in report.content
    _check_week(report.content)
    await _photo_after(emulator, s.group, report)

    emulator.send_message(s.resident, s.group, "/summary")
    await emulator.wait_for_message(
        s.group, containing="only building heads and community admins", after=report
    )
    emulator.send_message(s.head, s.group, "/summary year")
    await emulator.wait_for_message(s.group, containing="Usage: /summary", after=report)
    assert len([m for m in emulator.messages(s.group) if "Report for" in m.content]) == 1

    # A month reaches further back; privately a head gets every building they manage.
    s.clock.advance(timedelta(days=10))
    emulator.user_starts_bot(s.head)
    await emulator.wait_for_message(s.head, containing="Welcome")
    emulator.send_message(s.head, s.head, "/summary week")
    week = await emulator.wait_for_message(s.head, containing="Report for Building 5")
    assert "New: 0 · ✅ Resolved: 0" in week.content
    assert "Open now: 2 · ⚠️ Overdue: 2" in week.content
    emulator.send_message(s.head, s.head, "/summary month")
    month = await emulator.wait_for_message(s.head, containing="Report for Building 5", count=2)
    assert "New: 4 · ✅ Resolved: 1" in month.content
    emulator.send_message(s.resident, s.resident, "/summary")
    await emulator.wait_for_message(s.resident, containing="only building heads")


async def test_summary_in_the_group_keeps_private_reports_private(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    secret = "Mould behind the wardrobe in my flat, please come quietly"
    emulator.send_message(s.resident, s.resident, "/report")
    kind = await emulator.wait_for_message(s.resident, containing="What kind of problem")
    query = emulator.press_button(s.resident, kind, callback_data="pr:c:sanitation")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.resident, containing="Please describe the problem")
    emulator.send_message(s.resident, s.resident, secret)
    ask_photo = await emulator.wait_for_message(s.resident, containing="add a photo")
    query = emulator.press_button(s.resident, ask_photo, button_text="Skip")
    await emulator.wait_for_message(s.resident, containing="your request is filed")

    emulator.send_message(s.head, s.group, "/summary week")
    report = await emulator.wait_for_message(s.group, containing="Report for Building 5")
    assert "#5 " in report.content
    assert "(reported privately)" in report.content
    assert "Mould" not in report.content
    emulator.user_starts_bot(s.head)
    await emulator.wait_for_message(s.head, containing="Welcome")
    emulator.send_message(s.head, s.head, "/summary week")
    private = await emulator.wait_for_message(s.head, containing="Report for Building 5")
    assert "Mould behind the wardrobe" in private.content


def _documents(emulator: BotApiEmulator, chat: SimUser | SimChat) -> dict[str, bytes]:
    return {
        m.document.filename or "": m.document.content
        for m in emulator.messages(chat)
        if m.document is not None
    }


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


async def test_export_sends_csv_and_xlsx_to_an_admin_in_private(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.admin, s.admin_chat, "/export")
    await emulator.wait_for_message(s.admin_chat, containing="only in a private chat")
    emulator.send_message(s.resident, s.group, "/export")
    await emulator.wait_for_message(s.group, containing="only community admins can export")
    emulator.send_message(s.resident, s.resident, "/export")
    await emulator.wait_for_message(s.resident, containing="only community admins can export")
    await bot.settle()
    for chat in (s.admin_chat, s.group, s.resident):
        assert _documents(emulator, chat) == {}

    emulator.user_starts_bot(s.admin)
    await emulator.wait_for_message(s.admin, containing="Welcome")
    emulator.send_message(s.admin, s.admin, "/export")
    await emulator.wait_for(lambda: len(_documents(emulator, s.admin)) == 2, 10, "two files")
    files = _documents(emulator, s.admin)
    assert sorted(files) == [
        "requests-2026-10-08-2026-11-06.csv",
        "requests-2026-10-08-2026-11-06.xlsx",
    ]
    caption = next(m for m in emulator.messages(s.admin) if m.document is not None).content
    assert "4 requests" in caption
    assert "personal data" in caption

    raw = files["requests-2026-10-08-2026-11-06.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["number"] for r in rows] == ["1", "2", "3", "4"]
    resolved = await bot.services.requests.get(2)
    assert resolved is not None
    two = rows[1]
    assert two["building"] == "Building 5"
    assert two["category"] == "water"
    assert two["status"] == "closed"
    assert two["urgent"] == "0"
    assert two["reporter id"] == str(s.resident.id)
    assert two["assignee id"] == str(s.plumber.id)
    assert two["created"] == _local(resolved.created_at) == "2026-11-06 10:00:00"
    assert two["first response"] == "2026-11-06 12:00:00"
    assert two["resolved"] == "2026-11-06 13:00:00"
    assert two["closed"] == _local(resolved.closed_at)
    assert (two["satisfied"], two["rating"]) == ("1", "4")
    assert rows[0]["affected households"] == "2"
    assert rows[0]["satisfied"] == rows[0]["resolved"] == ""
    assert rows[2]["description"] == CHINESE
    assert rows[3]["description"] == "'" + FORMULA  # never a formula in a spreadsheet

    book = load_workbook(io.BytesIO(files["requests-2026-10-08-2026-11-06.xlsx"]))
    assert book.sheetnames == ["requests", "history"]
    sheet = [list(r) for r in book["requests"].iter_rows(values_only=True)]
    header = sheet[0]
    assert header[:4] == ["number", "building", "category", "urgent"]
    assert [r[0] for r in sheet[1:]] == [1, 2, 3, 4]
    by_name = dict(zip(header, sheet[2], strict=True))
    assert by_name["created"] == datetime(2026, 11, 6, 10, 0)
    assert by_name["resolved"] == datetime(2026, 11, 6, 13, 0)
    assert (by_name["satisfied"], by_name["rating"], by_name["reporter id"]) == (
        True,
        4,
        s.resident.id,
    )
    assert sheet[3][header.index("description")] == CHINESE
    formula_cell = book["requests"].cell(row=5, column=header.index("description") + 1)
    assert (formula_cell.value, formula_cell.data_type) == (FORMULA, "s")

    history = [list(r) for r in book["history"].iter_rows(values_only=True)]
    assert history[0] == [
        "request number",
        "time",
        "actor id",
        "action",
        "from status",
        "to status",
        "note",
    ]
    events = [r for r in history[1:] if r[0] == 2]
    expected = [(e.actor_id, e.action) for e in await bot.services.requests.history(2)]
    assert [(r[2], r[3]) for r in events] == expected
    take = next(r for r in events if r[3] == "take")
    assert (take[1], take[2], take[4], take[5]) == (
        datetime(2026, 11, 6, 12, 0),
        s.plumber.id,
        "new",
        "assigned",
    )
    assert {r[0] for r in history[1:]} == {1, 2, 3, 4}
    assert any(r[3] == "close" and r[6] == "the property company already knows" for r in history)

    emulator.send_message(s.admin, s.admin, "/export 2020-01-01 2020-01-31")
    await emulator.wait_for_message(s.admin, containing="No requests were reported")
    emulator.send_message(s.admin, s.admin, "/export last-week")
    await emulator.wait_for_message(s.admin, containing="Usage: /export")
    emulator.send_message(s.admin, s.admin, "/export 2 2026-11-01")
    await emulator.wait_for_message(s.admin, containing="Usage: /export", count=2)
    assert len(_documents(emulator, s.admin)) == 2


async def test_weekly_report_reaches_heads_who_started_the_bot_and_the_admin_chat(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, people: dict[str, SimUser]
) -> None:
    s = scene
    olga = people["olga"]  # an appointed head who blocked the bot after starting it
    emulator.user_starts_bot(olga)
    await emulator.wait_for_message(olga, containing="Welcome")
    emulator.send_message(s.head, s.group, "/head add @olga")
    await emulator.wait_for_message(s.group, containing="Olga is now a building head")
    emulator.block_bot(olga)
    await bot.settle()
    # As if the bot had missed the block: only Telegram's 403 will tell it.
    await bot.services.people.mark_started(olga.id)
    person = await bot.services.people.get(olga.id)
    assert person is not None
    assert not person.blocked_bot
    emulator.user_starts_bot(s.head)
    await emulator.wait_for_message(s.head, containing="Welcome")
    quiet_head = emulator.create_user("Quentin", language_code="en")
    quiet = emulator.create_group("Building 9", creator=quiet_head)
    emulator.user_starts_bot(quiet_head)
    await emulator.wait_for_message(quiet_head, containing="Welcome")
    emulator.send_message(quiet_head, quiet, "/setup Building 9")
    await emulator.wait_for_message(quiet, containing="Created building")
    await bot.settle()

    schedule_weekly_report(bot.application.job_queue, bot.services)
    schedule_weekly_report(bot.application.job_queue, bot.services)  # replaces, never doubles
    jobs = [j for j in bot.application.job_queue.jobs() if j.name == WEEKLY_REPORT_JOB]
    assert len(jobs) == 1
    trigger = jobs[0].job.trigger
    assert "day_of_week='mon', hour='9', minute='0'" in str(trigger)
    assert str(trigger.timezone) == "Asia/Shanghai"

    s.clock.set(datetime(2026, 11, 9, 9, tzinfo=SHANGHAI).astimezone(UTC))
    before = {chat.id: len(emulator.messages(chat)) for chat in (s.head, s.admin_chat)}
    await jobs[0].run(bot.application)

    for chat in (s.head, s.admin_chat):
        # The job queues the report; the periodic outbox sender may be the one that sends
        # it (it holds the sending lock), so wait for it rather than look at once.
        await emulator.wait_for_message(chat, containing="Report for Building 5")
        new = emulator.messages(chat)[before[chat.id] :]
        texts = [m for m in new if "Report for Building 5" in m.content]
        assert len(texts) == 1, chat
        assert "2026-11-02 – 2026-11-08" in texts[0].content
        _check_week(texts[0].content)
        await _photo_after(emulator, chat, texts[0])  # private chats are paced: a moment later

    def refused_for_olga() -> bool:
        calls = [
            c
            for c in emulator.calls("sendMessage")
            if str(c.params.get("chat_id")) == str(olga.id) and c.error is not None
        ]
        return bool(calls) and calls[-1].error.error_code == 403  # type: ignore[union-attr]

    await emulator.wait_for(refused_for_olga, description="Telegram refusing Olga's report")

    async def olga_blocked() -> bool:
        person = await bot.services.people.get(olga.id)
        return person is not None and person.blocked_bot

    await eventually(olga_blocked, description="Olga to be marked as having blocked the bot")
    assert not [m for m in emulator.messages(s.plumber) if "Report for" in m.content]
    # A building with nothing to report stays silent.
    assert not [m for m in emulator.messages(quiet_head) if "Report for" in m.content]
    assert not [m for m in emulator.messages(s.admin_chat) if "Building 9" in m.content]
    # The chart follows the words in each chat (the outbox keeps a chat's order).
    for chat in (s.head, s.admin_chat):
        mine = [m for m in emulator.messages(chat) if "Building 5" in m.content]
        assert mine[-1].photo is not None
        assert "Report for Building 5" in mine[-2].content
    sends = [
        c.params["photo"]
        for c in emulator.calls("sendPhoto")
        if str(c.params.get("caption", "")).startswith("Building 5") and c.error is None
    ]
    assert len(sends) == 2
    assert all(isinstance(photo, UploadedFile) for photo in sends)
    # Drawn in a child process, the chart is the picture of this building's week.
    building = next(b for b in await bot.services.buildings.all() if b.name == "Building 5")
    week = previous_days(s.clock.now(), SHANGHAI, 7)
    data = chart_data(await build_report(bot.services, building, *week))
    assert data is not None
    expected = render_chart(data)
    assert [photo.content for photo in sends] == [expected, expected]
    # The same week's job again (as after a crash before its run was recorded): nothing twice.
    await jobs[0].run(bot.application)
    await bot.settle()
    await bot.outbox_sent()
    for chat in (s.head, s.admin_chat):
        texts = [m for m in emulator.messages(chat) if "Report for Building 5" in m.content]
        assert len(texts) == 1, chat
    assert len([m for m in emulator.messages(s.head) if m.photo is not None]) == 1


async def test_a_weekly_report_missed_while_down_is_sent_once_at_start(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.user_starts_bot(s.head)
    await emulator.wait_for_message(s.head, containing="Welcome")
    await bot.settle()
    settings = bot.services.settings
    await bot.shutdown()
    # Down over Monday 09:00; back at 11:00.
    s.clock.set(datetime(2026, 11, 9, 11, tzinfo=SHANGHAI).astimezone(UTC))
    async with running_bot(emulator, settings, s.clock):
        await emulator.wait_for_message(s.head, containing="Report for Building 5")
    async with running_bot(emulator, settings, s.clock) as again:
        await again.settle()
    reports = [m for m in emulator.messages(s.head) if "Report for Building 5" in m.content]
    assert len(reports) == 1
