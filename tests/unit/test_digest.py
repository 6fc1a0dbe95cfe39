"""Staff digests: request order, age parts, and daily/weekly send times across DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.digest import (
    AgeParts,
    age_parts,
    most_pressing,
    next_daily_at,
    next_weekly_at,
    order_for_digest,
    target_seconds,
    watched_deadline,
)
from bot.domain.sla import RequestTimes, SlaPolicy, SlaTargets, Urgency

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 6, 10, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    request_id: int
    created_at: datetime
    deadline: datetime


@dataclass(frozen=True)
class SecondsRow:
    request_id: int
    created_at: int
    deadline: int
    row: Row


def _whole(moment: datetime) -> int:
    return int(moment.timestamp())


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def row(request_id: int, created_hours_ago: float, deadline_hours_ago: float) -> Row:
    return Row(request_id, ago(created_hours_ago), ago(deadline_hours_ago))


# --- order -----------------------------------------------------------------------------------


ROWS = [
    row(1, created_hours_ago=5, deadline_hours_ago=-19),  # due in 19 h
    row(2, created_hours_ago=30, deadline_hours_ago=6),  # 6 h overdue
    row(3, created_hours_ago=80, deadline_hours_ago=-10),  # oldest, not overdue
    row(4, created_hours_ago=26, deadline_hours_ago=2),  # 2 h overdue
    row(5, created_hours_ago=2, deadline_hours_ago=1),  # newest yet 1 h overdue
    row(6, created_hours_ago=10, deadline_hours_ago=-1),
]


@given(st.permutations(ROWS))
def test_overdue_first_most_overdue_first_then_oldest_first(rows: list[Row]) -> None:
    assert [r.request_id for r in order_for_digest(rows, NOW)] == [2, 4, 5, 3, 6, 1]


def test_a_deadline_at_exactly_now_is_overdue() -> None:
    due_now = row(1, created_hours_ago=1, deadline_hours_ago=0)
    older = row(2, created_hours_ago=50, deadline_hours_ago=-1)
    assert order_for_digest([older, due_now], NOW) == [due_now, older]


def test_ties_are_broken_by_age_then_id() -> None:
    a = row(9, created_hours_ago=10, deadline_hours_ago=3)
    b = row(4, created_hours_ago=20, deadline_hours_ago=3)
    c = row(2, created_hours_ago=10, deadline_hours_ago=3)
    assert order_for_digest([a, b, c], NOW) == [b, c, a]


def test_order_accepts_any_iterable_and_empty() -> None:
    rows = (row(i, i, -1) for i in range(3))
    assert [r.request_id for r in order_for_digest(rows, NOW)] == [2, 1, 0]
    assert order_for_digest([], NOW) == []


_ROW = st.builds(
    row,
    st.integers(1, 30),
    st.floats(0, 200, allow_nan=False),
    st.floats(-100, 200, allow_nan=False),
)


@given(st.lists(_ROW, max_size=40), st.integers(0, 45))
def test_most_pressing_is_the_head_of_the_digest_order(rows: list[Row], limit: int) -> None:
    # Ids repeat on purpose: ties must fall the same way as in the full order.
    assert most_pressing(rows, NOW, limit) == order_for_digest(rows, NOW)[:limit]


def test_most_pressing_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        most_pressing(ROWS, datetime(2024, 6, 10), 3)


_MOMENT = st.integers(0, 400).map(lambda hours: NOW - timedelta(hours=hours))


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


@given(_MOMENT, st.none() | _MOMENT, st.none() | _MOMENT, st.sampled_from(list(Urgency)))
def test_watched_deadline_is_the_sla_rule(
    created: datetime, responded: datetime | None, reopened: datetime | None, urgency: Urgency
) -> None:
    policy = SlaPolicy()
    times = RequestTimes(created, responded, reopened)
    deadlines = policy.deadlines_for("water", urgency, 1, times)
    expected = deadlines.resolve_by if times.has_response else deadlines.respond_by
    targets = target_seconds(policy.targets_for("water", urgency, 1))
    deadline = watched_deadline(
        targets, int(created.timestamp()), _seconds(responded), _seconds(reopened)
    )
    assert deadline == int(expected.timestamp())


def test_watched_deadline_restarts_with_a_reopening() -> None:
    targets = target_seconds(SlaTargets(timedelta(hours=1), timedelta(hours=10)))
    hour = 3600
    created, reopened = 1_000_000, 1_000_000 + 45 * hour
    # Responded before the reopening: that response no longer counts.
    assert watched_deadline(targets, created, created + 10 * hour, reopened) == reopened + hour
    assert watched_deadline(targets, created, reopened + hour, reopened) == reopened + 10 * hour
    assert watched_deadline(targets, created, None, None) == created + hour


@given(st.lists(_ROW, max_size=40), st.integers(0, 45))
def test_the_order_is_the_same_in_unix_seconds(rows: list[Row], limit: int) -> None:
    # The digest orders cards by their times in seconds; whole-second times order alike.
    def seconds(row: Row) -> SecondsRow:
        return SecondsRow(row.request_id, _whole(row.created_at), _whole(row.deadline), row)

    whole = [
        Row(r.request_id, _moment(_whole(r.created_at)), _moment(_whole(r.deadline))) for r in rows
    ]
    in_seconds = [seconds(row) for row in whole]
    now = int(NOW.timestamp())
    assert [r.row for r in order_for_digest(in_seconds, now)] == order_for_digest(whole, NOW)
    assert [r.row for r in most_pressing(in_seconds, now, limit)] == most_pressing(
        whole, NOW, limit
    )


def test_order_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        order_for_digest([], datetime(2024, 6, 10))


# --- age parts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "parts"),
    [
        (timedelta(0), AgeParts(0, 0, 0)),
        (timedelta(seconds=59), AgeParts(0, 0, 0)),
        (timedelta(minutes=1), AgeParts(0, 0, 1)),
        (timedelta(hours=23, minutes=59, seconds=59), AgeParts(0, 23, 59)),
        (timedelta(days=1), AgeParts(1, 0, 0)),
        (timedelta(days=3, hours=4, minutes=5), AgeParts(3, 4, 5)),
        (timedelta(days=400, minutes=61), AgeParts(400, 1, 1)),
        (timedelta(seconds=-30), AgeParts(0, 0, 0)),
    ],
)
def test_age_parts(age: timedelta, parts: AgeParts) -> None:
    assert age_parts(age) == parts


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5000)))
def test_age_parts_add_back_up_to_whole_minutes(age: timedelta) -> None:
    days, hours, minutes = age_parts(age)
    assert 0 <= hours < 24
    assert 0 <= minutes < 60
    rebuilt = timedelta(days=days, hours=hours, minutes=minutes)
    assert rebuilt <= age < rebuilt + timedelta(minutes=1)


# --- daily and weekly times ------------------------------------------------------------------


def test_daily_later_today_or_tomorrow_in_shanghai() -> None:
    eight = time(8)
    morning = datetime(2024, 6, 3, 7, 59, tzinfo=SHANGHAI)
    assert next_daily_at(eight, SHANGHAI, morning) == datetime(2024, 6, 3, 8, tzinfo=SHANGHAI)
    assert next_daily_at(eight, SHANGHAI, morning).tzinfo is UTC
    after = datetime(2024, 6, 3, 8, tzinfo=SHANGHAI)
    # Strictly after: a scheduler that just fired at 08:00 gets tomorrow's 08:00.
    assert next_daily_at(eight, SHANGHAI, after) == datetime(2024, 6, 4, 8, tzinfo=SHANGHAI)


def test_daily_reads_now_on_the_buildings_clock() -> None:
    # 23:30 UTC on the 2nd is already 07:30 on the 3rd in Shanghai.
    now = datetime(2024, 6, 2, 23, 30, tzinfo=UTC)
    assert next_daily_at(time(8), SHANGHAI, now) == datetime(2024, 6, 3, 8, tzinfo=SHANGHAI)


def test_daily_time_in_a_spring_forward_gap_fires_when_clocks_jump() -> None:
    # New York skips 02:00-03:00 on 2024-03-10.
    now = datetime(2024, 3, 9, 12, tzinfo=NEW_YORK)
    first = next_daily_at(time(2, 30), NEW_YORK, now)
    assert first == datetime(2024, 3, 10, 7, tzinfo=UTC)  # 03:00 EDT
    assert next_daily_at(time(2, 30), NEW_YORK, first) == datetime(
        2024, 3, 11, 2, 30, tzinfo=NEW_YORK
    )


def test_daily_time_repeated_by_fall_back_fires_once() -> None:
    # Berlin repeats 02:00-03:00 on 2024-10-27; a 02:30 digest goes out at the first 02:30.
    now = datetime(2024, 10, 26, 12, tzinfo=BERLIN)
    first = next_daily_at(time(2, 30), BERLIN, now)
    assert first == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    following = next_daily_at(time(2, 30), BERLIN, first)
    assert following == datetime(2024, 10, 28, 2, 30, tzinfo=BERLIN)


def test_daily_keeps_local_time_across_dst() -> None:
    moment = datetime(2024, 3, 8, 9, tzinfo=NEW_YORK)
    for _ in range(5):
        moment = next_daily_at(time(9), NEW_YORK, moment)
        assert moment.astimezone(NEW_YORK).time() == time(9)


def test_weekly_on_the_right_local_weekday() -> None:
    monday_nine = time(9)
    # 2024-06-03 is a Monday.
    sunday = datetime(2024, 6, 2, 12, tzinfo=SHANGHAI)
    assert next_weekly_at(0, monday_nine, SHANGHAI, sunday) == datetime(
        2024, 6, 3, 9, tzinfo=SHANGHAI
    )
    just_after = datetime(2024, 6, 3, 9, 0, 1, tzinfo=SHANGHAI)
    assert next_weekly_at(0, monday_nine, SHANGHAI, just_after) == datetime(
        2024, 6, 10, 9, tzinfo=SHANGHAI
    )
    # Sunday 23:00 UTC is already Monday 07:00 in Shanghai.
    assert next_weekly_at(0, monday_nine, SHANGHAI, datetime(2024, 6, 2, 23, tzinfo=UTC)) == (
        datetime(2024, 6, 3, 9, tzinfo=SHANGHAI)
    )


def test_weekly_in_a_spring_forward_gap() -> None:
    # 2024-03-31 is a Sunday; Berlin skips 02:00-03:00 that night.
    now = datetime(2024, 3, 28, tzinfo=BERLIN)
    assert next_weekly_at(6, time(2, 15), BERLIN, now) == datetime(2024, 3, 31, 1, tzinfo=UTC)


@pytest.mark.parametrize("weekday", [-1, 7])
def test_weekly_refuses_impossible_weekdays(weekday: int) -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_weekly_at(weekday, time(9), SHANGHAI, NOW)


def test_digest_times_refuse_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_daily_at(time(9), SHANGHAI, datetime(2024, 6, 3))


ZONES = [SHANGHAI, NEW_YORK, BERLIN, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kathmandu")]
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
minute_times = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@given(now=moments, zone=st.sampled_from(ZONES), wall=minute_times)
def test_daily_is_the_next_occurrence(now: datetime, zone: ZoneInfo, wall: time) -> None:
    fire = next_daily_at(wall, zone, now)
    assert now < fire <= now + timedelta(hours=26)
    local = fire.astimezone(zone)
    # Either the clocks read the wanted time, or they just jumped over it.
    if local.time() != wall:
        assert (fire - timedelta(seconds=1)).astimezone(zone).time() < wall < local.time()


@given(now=moments, zone=st.sampled_from(ZONES), wall=minute_times, weekday=st.integers(0, 6))
def test_weekly_is_within_a_week(now: datetime, zone: ZoneInfo, wall: time, weekday: int) -> None:
    fire = next_weekly_at(weekday, wall, zone, now)
    assert now < fire <= now + timedelta(days=7, hours=2)
    assert fire.astimezone(zone).weekday() == weekday
