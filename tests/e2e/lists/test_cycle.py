"""The whole cycle of the three lists, end to end, with the clock moved between steps:
need → support → meeting → poll → project → progress → done → evaluation; the pinned board,
the follow-up of decisions, /summary and /export along the way."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from bot.clock import FakeClock
from bot.domain.lists import NeedStatus, ProjectStatus
from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, eventually
from tests.e2e.lists.helpers import Scene, board_shows, join, press, tick


async def test_need_to_evaluated_project_with_meeting_poll_board_and_follow_up(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    r = s.residents
    for person, flat in zip(r, ("1-101", "1-102", "2-201", "2-201"), strict=True):
        await join(emulator, person, flat)
    emulator.send_message(s.head, s.head, "/household add 2-301 Grandma Li")
    await emulator.wait_for_message(s.head, containing="on behalf")

    # -- a need, supported once per household -------------------------------------------------
    emulator.send_message(r[0], s.group, "/need Handrails in the stairwell of unit 2")
    card = await emulator.wait_for_message(s.group, containing="Need N1")
    board = await board_shows(emulator, s.group, "Needs (1)")
    assert "Handrails" in board.content
    assert len(emulator.calls("pinChatMessage")) == 1
    assert "Thank you" in await press(emulator, r[1], card, "Support")
    assert "Thank you" in await press(emulator, r[2], card, "Support")
    # Resident 3 lives with resident 2: one household, one voice.
    assert "household already supports" in await press(emulator, r[3], card, "Support")
    assert "already support" in await press(emulator, r[0], card, "Support")
    await emulator.wait_for(lambda: "Support (3)" in str(card.reply_markup), 5, "card count")
    await board_shows(emulator, s.group, "👍3")

    # -- a meeting with RSVPs and reminders ---------------------------------------------------
    emulator.send_message(
        s.head, s.group, "/meeting 2026-11-26 19:00 | Community room | need 1; Parking lines"
    )
    announcement = await emulator.wait_for_message(s.group, containing="Meeting M1")
    assert "Handrails in the stairwell" in announcement.content
    assert "See you at M1" in await press(emulator, r[0], announcement, "Coming")
    await press(emulator, r[1], announcement, "Maybe")
    await press(emulator, r[2], announcement, "Not coming")
    emulator.send_message(s.head, s.head, "/meeting 1 coming 2-301")
    await emulator.wait_for_message(s.head, containing="2-301 is coming to M1")
    await emulator.wait_for(
        lambda: "2 coming · 🤔 1 maybe · ❌ 1 not coming" in announcement.content, 5, "counts"
    )
    clock.set(datetime(2026, 11, 25, 11, 5, tzinfo=UTC))  # the day before, 19:05 local
    await tick(bot)
    await emulator.wait_for_message(r[0], containing="Reminder: meeting M1")
    await emulator.wait_for_message(r[1], containing="Reminder: meeting M1")
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=UTC))  # an hour before
    await tick(bot)
    await emulator.wait_for_message(r[0], containing="Reminder: meeting M1", count=2)
    await tick(bot)  # nothing is sent twice
    assert len([m for m in emulator.messages(r[1]) if "Reminder: meeting" in m.content]) == 2
    assert not [m for m in emulator.messages(r[2]) if "Reminder: meeting" in m.content]

    # -- minutes: a poll on the need, a task with an owner, one summary ----------------------
    clock.set(datetime(2026, 11, 26, 12, 30, tzinfo=UTC))  # 20:30, the meeting is over
    emulator.send_message(s.head, s.group, "/minutes 1 present 23 | Hana, Wang, 2-301, Li")
    await emulator.wait_for_message(s.group, containing="Attendance of M1: 23")
    emulator.send_message(
        s.head,
        s.group,
        "/minutes 1 1 Everyone wants handrails, two worry about cost => poll Install handrails "
        "in unit 2? --hours 48 owner @wang due 2026-12-10 votes 20:5",
    )
    await emulator.wait_for_message(s.group, containing="D1:")
    poll = await emulator.wait_for_message(s.group, containing="(#P1)")
    emulator.send_message(
        s.head,
        s.group,
        "/minutes 1 2 The lines are faded => repaint the parking lines owner @wang due 2026-12-01",
    )
    await emulator.wait_for_message(s.group, containing="D2:")
    await emulator.wait_for_message(s.wang, containing="you are responsible", count=2)
    emulator.send_message(s.head, s.group, "/minutes 1 publish")
    summary = await emulator.wait_for_message(s.group, containing="Minutes of M1")
    assert "Present: 23" in summary.content
    assert "2-301" not in summary.content  # flat numbers never reach the group
    assert "D1" in summary.content
    assert "D2" in summary.content
    assert "20 for, 5 against" in summary.content

    # -- the poll passes: the need moves forward, its decision is done -------------------------
    for person in r[:3]:
        query = emulator.press_button(person, poll, button_text="For")
        await emulator.wait_callback_answer(query)
    emulator.send_message(s.head, s.group, "/poll 1 close")
    await emulator.wait_for_message(s.group, containing="Results of #P1")

    # The results are queued with the outcome, so an outbox run can send them while the
    # lists are still following the poll: wait for the need to move and its decision to close.
    async def lists_followed() -> bool:
        need = await bot.services.needs.get(1)
        d1 = await bot.services.decisions.get(1)
        return (
            need is not None
            and need.status is NeedStatus.FORWARDED
            and d1 is not None
            and not d1.is_open
        )

    await eventually(lists_followed, description="the need forwarded and D1 done")

    # -- the project: approved by the poll, worked on, with progress and photos --------------
    emulator.send_message(
        s.head,
        s.group,
        "/project need 1 | @wang | budget 5000 maintenance fund | 2026-12-20",
    )
    project_card = await emulator.wait_for_message(s.group, containing="Project PJ1")
    assert "approved" in project_card.content
    assert "N1" in project_card.content
    assert "#P1" in project_card.content
    assert "5,000 (maintenance fund)" in project_card.content
    await board_shows(emulator, s.group, "PJ1")
    emulator.send_message(r[0], s.group, "/project 1 start")
    await emulator.wait_for_message(s.group, containing="Sorry, only building heads")
    emulator.send_message(s.wang, s.group, "/project 1 start")
    await emulator.wait_for_message(s.group, containing="PJ1 is now in progress")
    emulator.send_message(s.wang, s.group, "/project 1 progress 40 posts are in")
    await emulator.wait_for_message(s.group, containing="PJ1: 40%")
    await board_shows(emulator, s.group, "▓▓▓▓░░░░░░ 40%")
    emulator.send_message(s.wang, s.group, photo=True, caption="/project 1 photo after")
    await emulator.wait_for_message(s.group, containing="Photo added to PJ1")

    # -- follow-up: the task's owner is reminded, then the community office steps in -------
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # most of the time to 12-01 is gone
    await tick(bot)
    await emulator.wait_for_message(s.wang, containing="Reminder: decision D2")
    clock.set(datetime(2026, 12, 2, 17, 0, tzinfo=UTC))  # due 12-01, a day's grace passed
    await tick(bot)
    await emulator.wait_for_message(s.office, containing="Street supervision: decision D2")
    await emulator.wait_for_message(s.wang, containing="escalated to the community office")
    await board_shows(emulator, s.group, "Overdue decisions")

    # -- done, then evaluated below the building's threshold: reopened ---------------------
    emulator.send_message(s.head, s.group, "/project threshold 80")
    await emulator.wait_for_message(s.group, containing="below 80% satisfied")
    emulator.send_message(s.wang, s.group, "/project 1 done")
    await emulator.wait_for_message(s.group, containing="PJ1 is now done")
    question = await emulator.wait_for_message(s.group, containing="How satisfied are you")
    assert "anonymous" in await press(emulator, r[0], question, "Satisfied")
    await press(emulator, r[1], question, "Fairly")
    await press(emulator, r[2], question, "Not satisfied")
    await press(emulator, r[3], question, "Not satisfied")  # same household: replaces it
    clock.advance(timedelta(days=7, minutes=1))
    await tick(bot)
    verdict = await emulator.wait_for_message(s.group, containing="reopened for discussion")
    assert "67% of 3 answers" in verdict.content
    project = await bot.services.projects.get(1)
    assert project is not None
    assert project.status is ProjectStatus.REOPENED

    # -- the reports show all three lists ------------------------------------------------------
    emulator.send_message(s.head, s.group, "/summary month")
    report = await emulator.wait_for_message(s.group, containing="Report for Building 5")
    assert "Needs" in report.content
    assert "decisions taken: 2" in report.content
    assert "PJ1 evaluated: 67% satisfied (threshold 80%)" in report.content
    weekly = next(j for j in bot.application.job_queue.jobs() if j.name == "weekly_report")
    await weekly.run(bot.application)
    private_report = await emulator.wait_for_message(s.head, containing="Report for Building 5")
    assert "reopened for discussion" in private_report.content
    emulator.send_message(s.head, s.head, "/export 30")
    document = await emulator.wait_for(
        lambda: next((m for m in emulator.messages(s.head) if m.document is not None), None),
        10,
        "the lists workbook",
    )
    assert document.document is not None
    workbook = load_workbook(io.BytesIO(document.document.content))
    assert workbook.sheetnames == ["needs", "projects", "meetings", "decisions", "lists history"]
    assert workbook["projects"]["C2"].value == "Handrails in the stairwell of unit 2"
    assert workbook["decisions"].max_row == 3

    # -- nothing in the group ever named a flat ------------------------------------------------
    assert not [m for m in emulator.messages(s.group) if "2-301" in m.content]
