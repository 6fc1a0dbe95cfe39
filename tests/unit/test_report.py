"""The building report: counts, medians, satisfaction, ordering, periods and export ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.lifecycle import RequestStatus
from bot.domain.poll_rules import DefaultOption
from bot.domain.report import (
    BuildingReport,
    ClosedPollRow,
    PeriodKind,
    ReportData,
    RequestRow,
    ResolveTarget,
    default_resolve_target,
    local_day_bounds,
    median,
    parse_export_range,
    parse_period,
    previous_days,
    rolling_period,
    summarize,
)

START = datetime(2026, 11, 2, tzinfo=UTC)
END = START + timedelta(days=7)
NOW = END + timedelta(hours=9)
H = timedelta(hours=1)


def at(hours: float) -> datetime:
    """`hours` after the period started (negative: before it)."""
    return START + timedelta(hours=hours)


def row(
    number: int,
    *,
    created: float = 1,
    status: RequestStatus = RequestStatus.NEW,
    category: str = "water",
    urgent: bool = False,
    responded: float | None = None,
    resolved: float | None = None,
    closed: float | None = None,
    satisfied: bool | None = None,
    rating: int | None = None,
    affected: int = 1,
) -> RequestRow:
    return RequestRow(
        id=number,
        category=category,
        urgent=urgent,
        status=status,
        description=f"request {number}",
        created_at=at(created),
        responded_at=None if responded is None else at(responded),
        resolved_at=None if resolved is None else at(resolved),
        closed_at=None if closed is None else at(closed),
        satisfied=satisfied,
        rating=rating,
        affected=affected,
    )


def report_of(
    *rows: RequestRow,
    polls: tuple[ClosedPollRow, ...] = (),
    resolve_target: ResolveTarget = default_resolve_target,
) -> BuildingReport:
    return summarize(ReportData(tuple(rows), polls), START, END, NOW, resolve_target)


# -- median -----------------------------------------------------------------------------------


def test_median_of_odd_and_even_counts_and_of_nothing() -> None:
    assert median([]) is None
    assert median([3 * H]) == 3 * H
    assert median([5 * H, H, 3 * H]) == 3 * H
    assert median([4 * H, H]) == timedelta(hours=2, minutes=30)
    assert median([H, 2 * H, 10 * H, 3 * H]) == timedelta(hours=2, minutes=30)


# -- empty and quiet --------------------------------------------------------------------------


def test_an_empty_week_is_all_zeros_and_quiet() -> None:
    report = report_of()
    assert (report.new, report.resolved, report.closed_unresolved) == (0, 0, 0)
    assert (report.open, report.overdue) == (0, 0)
    assert report.median_response is None
    assert report.median_resolution is None
    assert report.satisfied_share is None
    assert report.average_rating is None
    assert report.categories == ()
    assert report.top_open == ()
    assert report.polls == ()
    assert report.is_quiet


def test_an_old_open_request_alone_is_not_quiet() -> None:
    report = report_of(row(1, created=-500))
    assert report.new == 0
    assert report.open == 1
    assert not report.is_quiet


# -- counts -----------------------------------------------------------------------------------


def test_counts_respect_the_period_and_the_status() -> None:
    report = report_of(
        row(1, created=-1),  # before the period, still open
        row(2, created=10, status=RequestStatus.CLOSED, responded=12, resolved=20, closed=30),
        row(3, created=-50, status=RequestStatus.RESOLVED, responded=-40, resolved=5),
        row(4, created=20, status=RequestStatus.REJECTED, closed=25),
        row(5, created=30, status=RequestStatus.REOPENED, responded=31, resolved=40),
        row(6, created=-300, status=RequestStatus.CLOSED, resolved=-200, closed=-100),
        row(7, created=170, status=RequestStatus.IN_PROGRESS, responded=171),  # after the period
    )
    assert report.new == 3  # 2, 4, 5
    assert report.resolved == 2  # 2 and 3; 5 was reopened, 6 was resolved long ago
    assert report.closed_unresolved == 1  # 4
    assert report.open == 3  # 1, 5, 7


def test_the_period_is_half_open() -> None:
    report = report_of(row(1, created=0), row(2, created=7 * 24))
    assert report.new == 1


def test_a_request_listed_twice_counts_once() -> None:
    twice = row(1, created=5)
    report = report_of(twice, twice)
    assert report.new == 1
    assert report.open == 1


def test_closed_after_resolution_is_resolved_not_closed_without_a_fix() -> None:
    report = report_of(row(1, status=RequestStatus.CLOSED, resolved=2, closed=3))
    assert (report.resolved, report.closed_unresolved) == (1, 0)


# -- overdue ----------------------------------------------------------------------------------


def test_overdue_uses_the_resolution_target_and_counts_from_its_exact_instant() -> None:
    hours_before_now = (NOW - START) / H
    report = report_of(
        row(1, created=hours_before_now - 72),  # exactly 72 h old: overdue
        row(2, created=hours_before_now - 71.9),  # not yet
        row(3, created=hours_before_now - 24, urgent=True),  # urgent: 24 h
        row(4, created=hours_before_now - 23, urgent=True),
        row(5, created=-500, status=RequestStatus.CLOSED, closed=-400),  # closed: never overdue
    )
    assert report.open == 4
    assert report.overdue == 2


def test_overdue_follows_the_given_resolve_target() -> None:
    def per_category(category: str, urgent: bool) -> timedelta:
        return timedelta(hours=1) if category == "elevator" else timedelta(days=30)

    hours_before_now = (NOW - START) / H
    rows = (
        row(1, created=hours_before_now - 2, category="elevator"),
        row(2, created=hours_before_now - 100, category="water"),
    )
    assert report_of(*rows, resolve_target=per_category).overdue == 1
    assert report_of(*rows).overdue == 1  # the default: only water (72 h) is overdue
    assert default_resolve_target("water", False) == timedelta(hours=72)
    assert default_resolve_target("water", True) == timedelta(hours=24)


# -- medians ----------------------------------------------------------------------------------


def test_median_response_counts_responses_in_the_period_from_creation() -> None:
    report = report_of(
        row(1, created=1, responded=3, status=RequestStatus.ASSIGNED),  # 2 h
        row(2, created=-10, responded=0, status=RequestStatus.ASSIGNED),  # 10 h, responded in it
        row(3, created=-30, responded=-20, status=RequestStatus.ASSIGNED),  # outside: ignored
        row(4, created=5, status=RequestStatus.NEW),  # no response
    )
    assert report.responses == 2
    assert report.median_response == 6 * H  # even count: (2 h + 10 h) / 2


def test_median_resolution_counts_only_requests_resolved_and_still_resolved() -> None:
    report = report_of(
        row(1, created=0, status=RequestStatus.RESOLVED, resolved=4),
        row(2, created=0, status=RequestStatus.CLOSED, resolved=10, closed=12),
        row(3, created=0, status=RequestStatus.CLOSED, resolved=1, closed=2),
        row(4, created=0, status=RequestStatus.REOPENED, resolved=1),  # reopened: not counted
    )
    assert report.resolutions == 3
    assert report.median_resolution == 4 * H


# -- satisfaction -----------------------------------------------------------------------------


def test_satisfaction_counts_answers_including_not_fixed_ones_that_reopened() -> None:
    report = report_of(
        row(1, status=RequestStatus.CLOSED, resolved=5, satisfied=True, rating=5),
        row(2, status=RequestStatus.CLOSED, resolved=6, satisfied=True, rating=2),
        row(3, status=RequestStatus.REOPENED, resolved=7, satisfied=False),
        row(4, status=RequestStatus.RESOLVED, resolved=8),  # no answer yet
        row(5, created=-400, status=RequestStatus.CLOSED, resolved=-300, satisfied=False),
    )
    assert report.satisfaction_answers == 3
    assert report.satisfied_share == Fraction(2, 3)
    assert report.ratings == 2
    assert report.average_rating == Fraction(7, 2)


def test_answers_without_ratings_leave_the_average_empty() -> None:
    report = report_of(
        row(1, status=RequestStatus.CLOSED, resolved=5, satisfied=True),
        row(2, status=RequestStatus.CLOSED, resolved=6, satisfied=True),
    )
    assert report.satisfied_share == 1
    assert report.ratings == 0
    assert report.average_rating is None


# -- ordering ---------------------------------------------------------------------------------


def test_top_open_orders_by_affected_then_urgent_then_age_then_number_and_keeps_five() -> None:
    report = report_of(
        row(1, created=10, affected=3),
        row(2, created=5, affected=3),
        row(3, created=20, affected=3, urgent=True),
        row(4, created=1, affected=1),
        row(5, created=1, affected=7),
        row(6, created=5, affected=3),  # same age and count as 2: the lower number first
        row(7, created=0, affected=1, status=RequestStatus.CLOSED, closed=3),
    )
    assert [r.id for r in report.top_open] == [5, 3, 2, 6, 1]


def test_categories_busiest_first_with_ties_by_key() -> None:
    report = report_of(
        row(1, category="water"),
        row(2, category="water", status=RequestStatus.RESOLVED, resolved=9),
        row(3, category="heating"),
        row(4, category="elevator"),
        row(5, created=-400, category="noise"),  # open only
    )
    assert [(c.category, c.new, c.resolved, c.open) for c in report.categories] == [
        ("water", 2, 1, 1),
        ("elevator", 1, 0, 1),
        ("heating", 1, 0, 1),
        ("noise", 0, 0, 1),
    ]


def test_polls_closed_in_the_period_in_closing_order() -> None:
    def poll(number: int, closed: float) -> ClosedPollRow:
        return ClosedPollRow(
            id=number,
            question=f"poll {number}",
            closed_at=at(closed),
            options=(DefaultOption.FOR, DefaultOption.AGAINST, DefaultOption.ABSTAIN),
            passed=True,
            winners=(0,),
        )

    report = report_of(polls=(poll(1, 50), poll(2, 10), poll(3, -1), poll(4, 200), poll(5, 10)))
    assert [p.id for p in report.polls] == [2, 5, 1]
    assert not report.is_quiet


# -- argument checks --------------------------------------------------------------------------


def test_naive_times_and_empty_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        summarize(ReportData(), START.replace(tzinfo=None), END, NOW)
    with pytest.raises(ValueError, match="empty period"):
        summarize(ReportData(), END, START, NOW)


# -- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], PeriodKind.WEEK),
        (["week"], PeriodKind.WEEK),
        (["WEEK"], PeriodKind.WEEK),
        (["周"], PeriodKind.WEEK),
        (["month"], PeriodKind.MONTH),
        (["月"], PeriodKind.MONTH),
        (["year"], None),
        (["week", "month"], None),
    ],
)
def test_parse_period(args: list[str], expected: PeriodKind | None) -> None:
    assert parse_period(args) == expected


def test_rolling_periods_include_the_current_second() -> None:
    now = NOW + timedelta(microseconds=500)
    end = NOW + timedelta(seconds=1)
    assert rolling_period(PeriodKind.WEEK, now) == (end - timedelta(days=7), end)
    assert rolling_period(PeriodKind.MONTH, now) == (end - timedelta(days=30), end)
    start, end = rolling_period(PeriodKind.WEEK, NOW)
    report = summarize(ReportData((row(1, created=(NOW - START) / H),)), start, end, NOW)
    assert report.new == 1  # reported in the very second of the report


def test_previous_days_are_whole_local_days_even_across_a_dst_change() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    monday_morning = datetime(2026, 11, 9, 9, tzinfo=shanghai)
    start, end = previous_days(monday_morning, shanghai)
    assert start == datetime(2026, 11, 2, tzinfo=shanghai)
    assert end == datetime(2026, 11, 9, tzinfo=shanghai)
    berlin = ZoneInfo("Europe/Berlin")  # clocks went back on 2026-10-25
    start, end = previous_days(datetime(2026, 10, 26, 9, tzinfo=berlin), berlin)
    assert start == datetime(2026, 10, 19, tzinfo=berlin)
    assert end == datetime(2026, 10, 26, tzinfo=berlin)
    assert end - start == timedelta(days=7, hours=1)


TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (date(2026, 11, 1), TODAY)),
        (["1"], (TODAY, TODAY)),
        (["7"], (date(2026, 11, 24), TODAY)),
        (["2026-10-01", "2026-10-31"], (date(2026, 10, 1), date(2026, 10, 31))),
        (["2026-10-01", "2026-10-01"], (date(2026, 10, 1), date(2026, 10, 1))),
        (["0"], None),
        (["-5"], None),
        (["abc"], None),
        (["99999"], None),
        (["2026-10-31", "2026-10-01"], None),
        (["2026-10-01", "someday"], None),
        (["2026-10-01"], None),
        (["1", "2", "3"], None),
    ],
)
def test_parse_export_range(args: list[str], expected: tuple[date, date] | None) -> None:
    assert parse_export_range(args, TODAY) == expected


def test_local_day_bounds_cover_whole_local_days() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = local_day_bounds(date(2026, 11, 1), date(2026, 11, 30), shanghai)
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, tzinfo=UTC)
