"""Quiet hours: the window across midnight, its exact edges, and sending across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quiet_hours import QuietHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # half-hour DST shifts
SECOND = timedelta(seconds=1)
NIGHT = QuietHours()  # 22:00-07:00


def shanghai(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (shanghai(3, 21, 59, 59), False),
        (shanghai(3, 22), True),
        (shanghai(3, 23, 59, 59), True),
        (shanghai(4, 0), True),
        (shanghai(4, 6, 59, 59), True),
        (shanghai(4, 7), False),
        (shanghai(4, 12), False),
    ],
)
def test_default_window_crosses_midnight(moment: datetime, quiet: bool) -> None:
    assert NIGHT.is_quiet(moment, SHANGHAI) is quiet
    # The answer depends on the instant, not on the zone the caller happened to use.
    assert NIGHT.is_quiet(moment.astimezone(UTC), SHANGHAI) is quiet


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (shanghai(3, 12, 59), False),
        (shanghai(3, 13), True),
        (shanghai(3, 14, 59, 59), True),
        (shanghai(3, 15), False),
    ],
)
def test_window_within_one_day(moment: datetime, quiet: bool) -> None:
    assert QuietHours(time(13), time(15)).is_quiet(moment, SHANGHAI) is quiet


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    for hour in range(24):
        assert not QuietHours(time(22), time(22)).is_quiet(shanghai(3, hour), SHANGHAI)
        assert not QuietHours.never().is_quiet(shanghai(3, hour), SHANGHAI)
    assert QuietHours.never().is_disabled
    assert not NIGHT.is_disabled


def test_is_quiet_reads_the_buildings_clock() -> None:
    # 15:00 UTC is 23:00 in Shanghai but 17:00 in Berlin (summer time).
    moment = datetime(2024, 6, 3, 15, tzinfo=UTC)
    assert NIGHT.is_quiet(moment, SHANGHAI)
    assert not NIGHT.is_quiet(moment, BERLIN)


def test_quiet_hours_refuse_zoned_times_and_naive_moments() -> None:
    with pytest.raises(ValueError, match="naive"):
        QuietHours(time(22, tzinfo=UTC), time(7))
    with pytest.raises(ValueError, match="aware"):
        NIGHT.is_quiet(datetime(2024, 6, 3, 23), SHANGHAI)
    with pytest.raises(ValueError, match="aware"):
        NIGHT.next_allowed_send(datetime(2024, 6, 3, 23), SHANGHAI, urgent=False)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (shanghai(3, 21, 59, 59), shanghai(3, 21, 59, 59)),
        (shanghai(3, 22), shanghai(4, 7)),
        (shanghai(3, 23, 30), shanghai(4, 7)),
        (shanghai(4, 0), shanghai(4, 7)),
        (shanghai(4, 6, 59, 59), shanghai(4, 7)),
        (shanghai(4, 7), shanghai(4, 7)),
        (shanghai(4, 12), shanghai(4, 12)),
    ],
)
def test_non_urgent_pings_wait_for_morning(at: datetime, expected: datetime) -> None:
    assert NIGHT.next_allowed_send(at, SHANGHAI, urgent=False) == expected


def test_urgent_pings_never_wait() -> None:
    at = shanghai(3, 23, 30)
    assert NIGHT.next_allowed_send(at, SHANGHAI, urgent=True) == at


def test_quiet_end_skipped_by_spring_forward_sends_when_clocks_jump() -> None:
    # New York jumps from 02:00 EST to 03:00 EDT on 2024-03-10; 02:30 never happens.
    quiet = QuietHours(time(22), time(2, 30))
    at = datetime(2024, 3, 10, 1, 15, tzinfo=NEW_YORK)
    sent = quiet.next_allowed_send(at, NEW_YORK, urgent=False)
    assert sent == datetime(2024, 3, 10, 7, tzinfo=UTC)
    assert sent.astimezone(NEW_YORK).hour == 3


def test_quiet_end_on_spring_forward_morning_counts_real_hours() -> None:
    # 22:00 EST to 07:00 EDT is only eight real hours.
    at = datetime(2024, 3, 9, 22, tzinfo=NEW_YORK)
    sent = NIGHT.next_allowed_send(at, NEW_YORK, urgent=False)
    assert sent == datetime(2024, 3, 10, 7, tzinfo=NEW_YORK)
    assert sent - at == timedelta(hours=8)


def test_quiet_end_repeated_by_fall_back_uses_the_first_reading_not_before_at() -> None:
    # Berlin falls back from 03:00 CEST to 02:00 CET on 2024-10-27; 02:30 happens twice.
    quiet = QuietHours(time(1), time(2, 30))
    first_0230 = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    second_0230 = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    at_1_am = datetime(2024, 10, 27, 1, tzinfo=BERLIN)
    assert quiet.next_allowed_send(at_1_am, BERLIN, urgent=False) == first_0230
    # After the clocks fall back, 02:10 CET is quiet again until the second 02:30.
    at_second_0210 = datetime(2024, 10, 27, 1, 10, tzinfo=UTC)
    assert quiet.is_quiet(at_second_0210, BERLIN)
    assert quiet.next_allowed_send(at_second_0210, BERLIN, urgent=False) == second_0230


def test_half_hour_dst_shift() -> None:
    # Lord Howe moves from 02:00 to 02:30 on 2024-10-06.
    quiet = QuietHours(time(22), time(2, 15))
    at = datetime(2024, 10, 6, 1, 50, tzinfo=LORD_HOWE)
    sent = quiet.next_allowed_send(at, LORD_HOWE, urgent=False)
    assert sent.astimezone(LORD_HOWE).time() == time(2, 30)
    assert sent - at == timedelta(minutes=10)


ZONES = [SHANGHAI, NEW_YORK, BERLIN, LORD_HOWE, ZoneInfo("Asia/Kathmandu"), UTC]
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
wall_times = st.times().map(lambda t: t.replace(microsecond=0))


@given(at=moments, zone=st.sampled_from(ZONES), start=wall_times, end=wall_times)
def test_next_allowed_send_is_the_end_of_the_quiet_stretch(
    at: datetime, zone: ZoneInfo, start: time, end: time
) -> None:
    quiet = QuietHours(start, end)
    sent = quiet.next_allowed_send(at, zone, urgent=False)
    assert sent >= at
    assert not quiet.is_quiet(sent, zone)
    if quiet.is_quiet(at, zone):
        # Nothing later than needed: it is still quiet just before, and halfway there.
        assert quiet.is_quiet(sent - SECOND, zone) or sent - SECOND < at
        assert quiet.is_quiet(at + (sent - at) / 2, zone)
        assert sent - at <= timedelta(hours=25)
    else:
        assert sent == at


@given(at=moments, zone=st.sampled_from(ZONES), start=wall_times, end=wall_times)
def test_urgent_is_never_delayed(at: datetime, zone: ZoneInfo, start: time, end: time) -> None:
    assert QuietHours(start, end).next_allowed_send(at, zone, urgent=True) == at


# Instants at which the DST zones above change their clocks, to aim the search at the edges.
TRANSITIONS = [
    (NEW_YORK, datetime(2024, 3, 10, 7, tzinfo=UTC)),
    (NEW_YORK, datetime(2024, 11, 3, 6, tzinfo=UTC)),
    (BERLIN, datetime(2024, 3, 31, 1, tzinfo=UTC)),
    (BERLIN, datetime(2024, 10, 27, 1, tzinfo=UTC)),
    (LORD_HOWE, datetime(2024, 4, 6, 15, tzinfo=UTC)),
    (LORD_HOWE, datetime(2024, 10, 5, 15, 30, tzinfo=UTC)),
]
near_a_transition = st.sampled_from(TRANSITIONS).flatmap(
    lambda pair: st.integers(-36 * 3600, 36 * 3600).map(
        lambda seconds: (pair[0], pair[1] + timedelta(seconds=seconds))
    )
)
small_hours = st.integers(0, 4 * 60).map(lambda minutes: time(minutes // 60, minutes % 60))


@given(zone_and_moment=near_a_transition, start=small_hours | wall_times, end=small_hours)
def test_next_allowed_send_around_dst_changes(
    zone_and_moment: tuple[ZoneInfo, datetime], start: time, end: time
) -> None:
    zone, at = zone_and_moment
    quiet = QuietHours(start, end)
    sent = quiet.next_allowed_send(at, zone, urgent=False)
    assert sent >= at
    assert not quiet.is_quiet(sent, zone)
    if sent > at:
        assert quiet.is_quiet(sent - SECOND, zone) or sent - SECOND < at
        assert quiet.is_quiet(at + (sent - at) / 2, zone)


def test_the_dst_transitions_used_above_are_real() -> None:
    for zone, instant in TRANSITIONS:
        assert (instant - SECOND).astimezone(zone).utcoffset() != instant.astimezone(
            zone
        ).utcoffset()


def test_falling_clocks_can_end_a_window_before_its_end_time() -> None:
    # Berlin, 2024-10-27: 02:59:59 CEST is followed by 02:00:00 CET, outside 02:30–03:00.
    quiet = QuietHours(time(2, 30), time(3, 0))
    at = datetime(2024, 10, 27, 0, 59, 59, tzinfo=UTC)
    assert quiet.is_quiet(at, BERLIN)
    assert quiet.next_allowed_send(at, BERLIN, urgent=False) == datetime(
        2024, 10, 27, 1, 0, 0, tzinfo=UTC
    )
