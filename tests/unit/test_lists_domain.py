"""Needs and projects: moves, progress, money, evaluation; suggestions; meeting timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.classifier import classify, default_rules
from bot.domain.lists import (
    MoveRefused,
    NeedStatus,
    ProjectStatus,
    Satisfaction,
    Verdict,
    check_need_move,
    check_project_move,
    evaluate,
    format_money,
    parse_money,
    parse_percent,
    percent_after_move,
    progress_bar,
    supporter_key,
)
from bot.domain.meetings import (
    FollowUp,
    Rsvp,
    count_rsvps,
    due_follow_up,
    due_reminders,
    next_follow_up,
    next_reminder,
    reminders_already_past,
)

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (ProjectStatus.PLANNED, ProjectStatus.VOTING),
        (ProjectStatus.VOTING, ProjectStatus.APPROVED),
        (ProjectStatus.VOTING, ProjectStatus.DECLINED),
        (ProjectStatus.VOTING, ProjectStatus.PLANNED),
        (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
        (ProjectStatus.IN_PROGRESS, ProjectStatus.DONE),
        (ProjectStatus.DONE, ProjectStatus.REOPENED),
        (ProjectStatus.REOPENED, ProjectStatus.IN_PROGRESS),
    ],
)
def test_projects_move_planned_approved_in_progress_done(
    current: ProjectStatus, target: ProjectStatus
) -> None:
    check_project_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (ProjectStatus.PLANNED, ProjectStatus.DONE),  # never approved
        (ProjectStatus.DONE, ProjectStatus.IN_PROGRESS),  # only an evaluation reopens it
        (ProjectStatus.DECLINED, ProjectStatus.APPROVED),
        (ProjectStatus.IN_PROGRESS, ProjectStatus.VOTING),
    ],
)
def test_projects_refuse_moves_that_skip_a_decision(
    current: ProjectStatus, target: ProjectStatus
) -> None:
    with pytest.raises(MoveRefused):
        check_project_move(current, target)


def test_needs_close_once() -> None:
    check_need_move(NeedStatus.OPEN, NeedStatus.FORWARDED)
    check_need_move(NeedStatus.FORWARDED, NeedStatus.ADOPTED)
    for closed in (NeedStatus.DECLINED, NeedStatus.MERGED, NeedStatus.ADOPTED):
        with pytest.raises(MoveRefused):
            check_need_move(closed, NeedStatus.OPEN)


def test_done_is_a_hundred_percent_and_the_bar_rounds() -> None:
    assert percent_after_move(ProjectStatus.DONE, 40) == 100
    assert percent_after_move(ProjectStatus.REOPENED, 100) == 100
    assert progress_bar(0) == "░" * 10
    assert progress_bar(100) == "▓" * 10
    assert progress_bar(44) == "▓▓▓▓░░░░░░"
    assert progress_bar(45) == "▓▓▓▓▓░░░░░"
    assert progress_bar(250) == "▓" * 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [("40", 40), ("40%", 40), ("40％", 40), ("0", 0), ("100", 100), ("101", None), ("x", None)],
)
def test_percentages(text: str, expected: int | None) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("5000", 500_000),
        ("5,000元", 500_000),
        ("¥5000.50", 500_050),
        ("1.2万", 1_200_000),
        ("3k", 300_000),
        ("５０００", 500_000),
        ("-5", None),
        ("five", None),
    ],
)
def test_money(text: str, cents: int | None) -> None:
    assert parse_money(text) == cents


def test_money_is_written_with_thousands() -> None:
    assert format_money(500_000) == "5,000"
    assert format_money(500_050) == "5,000.50"


def test_evaluation_threshold_is_a_share_of_satisfied_and_fairly_satisfied() -> None:
    counts = {
        Satisfaction.SATISFIED: 2,
        Satisfaction.FAIRLY_SATISFIED: 1,
        Satisfaction.DISSATISFIED: 2,
    }
    at_threshold = evaluate(counts, 60)
    assert at_threshold.percent == 60
    assert at_threshold.verdict is Verdict.ACCEPTED
    assert evaluate(counts, 61).verdict is Verdict.REOPENED
    assert evaluate({}, 60).verdict is Verdict.NO_ANSWERS
    assert evaluate({}, 60).percent is None
    with pytest.raises(ValueError, match="threshold"):
        evaluate(counts, 0)


def test_one_voice_per_household() -> None:
    assert supporter_key(7, 3) == supporter_key(8, 3) == "h3"
    assert supporter_key(7, None) == "p7"


@pytest.mark.parametrize(
    "text",
    [
        "建议在2单元楼道装个扶手",
        "能不能装个电动车充电桩？",
        "Could we get a bike shed near unit 3?",
        "It would be nice to have benches in the garden",
    ],
)
def test_suggestions_are_told_apart(text: str) -> None:
    assert classify(text, default_rules()).suggestion


@pytest.mark.parametrize(
    "text",
    ["3单元的水管爆了！", "The elevator in unit 2 is stuck again", "大家早上好"],
)
def test_problem_reports_and_chat_are_no_suggestions(text: str) -> None:
    assert not classify(text, default_rules()).suggestion


def test_a_hazard_is_never_a_suggestion() -> None:
    text = "建议大家注意，楼道里有煤气味！"
    result = classify(text, default_rules())
    assert result.urgent
    assert not result.suggestion


def test_rsvps_are_counted_per_answer() -> None:
    counts = count_rsvps([Rsvp.YES, Rsvp.MAYBE, Rsvp.YES, Rsvp.NO])
    assert (counts.yes, counts.maybe, counts.no) == (2, 1, 1)


def test_meeting_reminders_the_day_before_and_an_hour_before() -> None:
    starts = NOW + timedelta(days=3)
    assert next_reminder(starts, (), NOW) == (24, starts - timedelta(hours=24))
    assert next_reminder(starts, (24,), NOW) == (1, starts - timedelta(hours=1))
    assert next_reminder(starts, (24, 1), NOW) is None
    assert due_reminders(starts, (), NOW) == ()
    # Both fell due while the bot was down: the latest (1 h) first, both settled.
    assert due_reminders(starts, (), starts - timedelta(minutes=30)) == (1, 24)
    assert due_reminders(starts, (), starts + timedelta(minutes=1)) == ()
    # A meeting called for tomorrow morning owes no "day before" reminder.
    assert reminders_already_past(NOW + timedelta(hours=10), NOW) == (24,)


def test_decisions_are_reminded_then_overdue_then_escalated() -> None:
    created, due = NOW, NOW + timedelta(days=4)
    assert next_follow_up(created, due, ()) == NOW + timedelta(days=3)
    assert due_follow_up(created, due, (), NOW + timedelta(days=2)) is None
    reminder = due_follow_up(created, due, (), NOW + timedelta(days=3))
    assert reminder is not None
    assert reminder.act is FollowUp.REMINDER
    overdue = due_follow_up(created, due, ("reminder",), due)
    assert overdue is not None
    assert overdue.act is FollowUp.OVERDUE
    # Down for two days: only the escalation is acted on; the others are settled with it.
    late = due_follow_up(created, due, (), due + timedelta(days=2))
    assert late is not None
    assert late.act is FollowUp.ESCALATION
    assert late.settled == (FollowUp.REMINDER, FollowUp.OVERDUE, FollowUp.ESCALATION)
    assert next_follow_up(created, due, ("reminder", "overdue", "escalation")) is None
