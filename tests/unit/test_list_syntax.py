"""What heads type for projects, meetings and minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.community import Target
from bot.domain.item_refs import ItemKind, ItemRef, item_label, item_number, parse_item_ref
from bot.domain.list_syntax import (
    AgendaEntry,
    DecisionKind,
    ListSyntaxError,
    Problem,
    parse_meeting,
    parse_minutes_entry,
    parse_project,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 5, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("need 12", ItemRef(ItemKind.NEED, 12)),
        ("N12", ItemRef(ItemKind.NEED, 12)),
        ("需求12", ItemRef(ItemKind.NEED, 12)),
        ("#34", ItemRef(ItemKind.REQUEST, 34)),
        ("＃34", ItemRef(ItemKind.REQUEST, 34)),
        ("project 3", ItemRef(ItemKind.PROJECT, 3)),
        ("PJ3", ItemRef(ItemKind.PROJECT, 3)),
        ("M2", ItemRef(ItemKind.MEETING, 2)),
        ("D5", ItemRef(ItemKind.DECISION, 5)),
        ("parking lines", None),
        ("need more benches", None),
    ],
)
def test_item_references(text: str, ref: ItemRef | None) -> None:
    assert parse_item_ref(text) == ref
    if ref is not None:
        assert parse_item_ref(item_label(ref)) == ref


def test_numbers_of_one_kind() -> None:
    assert item_number("12", ItemKind.NEED) == 12
    assert item_number("N12", ItemKind.NEED) == 12
    assert item_number("PJ3", ItemKind.NEED) is None


def test_a_meeting_in_one_message() -> None:
    spec = parse_meeting("2030-05-20 19:00 | 一楼活动室 | 楼道扶手; need 12；#34", now=NOW, tz=TZ)
    assert spec.starts_at == datetime(2030, 5, 20, 11, 0, tzinfo=UTC)
    assert spec.place == "一楼活动室"
    assert spec.agenda == (
        AgendaEntry("楼道扶手"),
        AgendaEntry("need 12", ItemRef(ItemKind.NEED, 12)),
        AgendaEntry("#34", ItemRef(ItemKind.REQUEST, 34)),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2030-05-20 19:00 | room", Problem.PARTS),
        ("2030-05-20 | room | garden", Problem.NO_TIME_OF_DAY),
        ("2030-04-20 19:00 | room | garden", Problem.PAST),
        ("2032-04-20 19:00 | room | garden", Problem.TOO_FAR),
        ("someday 19:00 | room | garden", Problem.TIME),
        ("2030-05-20 19:00 |  | garden", Problem.EMPTY),
        (
            "2030-05-20 19:00 | room | " + "; ".join(f"item {n}" for n in range(13)),
            Problem.TOO_MANY_ITEMS,
        ),
    ],
)
def test_bad_meetings_say_what_is_wrong(text: str, problem: Problem) -> None:
    with pytest.raises(ListSyntaxError) as error:
        parse_meeting(text, now=NOW, tz=TZ)
    assert error.value.problem is problem


def test_a_project_with_owner_budget_and_date_in_any_order() -> None:
    spec = parse_project("楼道扶手 | 2030-08-01 | 预算 5000 维修基金 | @wang", now=NOW, tz=TZ)
    assert spec.title == "楼道扶手"
    assert spec.source is None
    assert spec.owner == Target(username="wang")
    assert spec.budget_cents == 500_000
    assert spec.funding == "维修基金"
    assert spec.target_date == date(2030, 8, 1)


def test_a_project_from_a_need_keeps_or_replaces_its_title() -> None:
    from_need = parse_project("need 12 | budget 3k", now=NOW, tz=TZ)
    assert from_need.source == ItemRef(ItemKind.NEED, 12)
    assert from_need.title is None
    assert from_need.budget_cents == 300_000
    retitled = parse_project("N12 Handrails, both sides", now=NOW, tz=TZ)
    assert retitled.title == "Handrails, both sides"
    assert parse_project("#34 | owner @liming", now=NOW, tz=TZ).source == ItemRef(
        ItemKind.REQUEST, 34
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Garden | budget lots", Problem.MONEY),
        ("Garden | owner wang", Problem.OWNER),
        ("Garden | whenever", Problem.UNKNOWN_PART),
        ("Garden | due 2030-02-30", Problem.TIME),
        ("", Problem.EMPTY),
    ],
)
def test_bad_projects(text: str, problem: Problem) -> None:
    with pytest.raises(ListSyntaxError) as error:
        parse_project(text, now=NOW, tz=TZ)
    assert error.value.problem is problem


def test_minutes_with_a_poll_decision_owner_due_and_votes() -> None:
    entry = parse_minutes_entry(
        "Most want handrails => poll Install them? --hours 48 owner @wang due 2030-06-01 "
        "votes 20:5",
        now=NOW,
        tz=TZ,
    )
    assert entry.summary == "Most want handrails"
    decision = entry.decision
    assert decision is not None
    assert decision.kind is DecisionKind.POLL
    assert decision.argument == "Install them? --hours 48"
    assert decision.owner == Target(username="wang")
    assert decision.due == datetime(2030, 6, 1, 15, 59, tzinfo=UTC)  # the end of that day
    assert decision.votes == (20, 5)


def test_minutes_in_chinese() -> None:
    entry = parse_minutes_entry(
        "大家同意 决定：指派 #34 @liming 负责人 @wang 截止 6月1日", now=NOW, tz=TZ
    )
    decision = entry.decision
    assert decision is not None
    assert decision.kind is DecisionKind.ASSIGN
    assert decision.request == 34
    assert decision.assignee == Target(username="liming")
    assert decision.owner == Target(username="wang")


def test_minutes_without_a_decision_and_free_decisions() -> None:
    assert parse_minutes_entry("Only talked", now=NOW, tz=TZ).decision is None
    other = parse_minutes_entry("=> repaint the lines", now=NOW, tz=TZ).decision
    assert other is not None
    assert other.kind is DecisionKind.OTHER
    assert other.argument == "repaint the lines"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("=> close #34", Problem.MISSING_REASON),
        ("=> decline", Problem.MISSING_REASON),
        ("=> assign #34", Problem.MISSING_TARGET),
        ("=> fix it due 2020-01-01", Problem.PAST),
        ("=> fix it due soon", Problem.TIME),
        ("   ", Problem.EMPTY),
    ],
)
def test_bad_decisions(text: str, problem: Problem) -> None:
    with pytest.raises(ListSyntaxError) as error:
        parse_minutes_entry(text, now=NOW, tz=TZ)
    assert error.value.problem is problem
