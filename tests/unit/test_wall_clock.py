"""Local wall-clock times to instants: ordinary, repeated and skipped times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.wall_clock import first_instant_at, local_instants, require_aware

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_an_ordinary_time_happens_once() -> None:
    assert local_instants(date(2024, 6, 3), time(8), SHANGHAI) == [
        datetime(2024, 6, 3, 0, tzinfo=UTC)
    ]


def test_a_fall_back_time_happens_twice_an_hour_apart() -> None:
    first, second = local_instants(date(2024, 11, 3), time(1, 30), NEW_YORK)
    assert first == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    assert second - first == timedelta(hours=1)
    assert first_instant_at(date(2024, 11, 3), time(1, 30), NEW_YORK) == first


def test_a_spring_forward_time_never_happens() -> None:
    assert local_instants(date(2024, 3, 10), time(2, 30), NEW_YORK) == []
    assert first_instant_at(date(2024, 3, 10), time(2, 30), NEW_YORK) == datetime(
        2024, 3, 10, 7, tzinfo=UTC
    )


def test_fixed_offset_zones_work_too() -> None:
    plus_eight = timezone(timedelta(hours=8))
    assert first_instant_at(date(2024, 3, 10), time(2, 30), plus_eight) == datetime(
        2024, 3, 9, 18, 30, tzinfo=UTC
    )


def test_a_day_skipped_entirely_resolves_to_the_jump() -> None:
    # Samoa skipped 2011-12-30 when it crossed the date line.
    apia = ZoneInfo("Pacific/Apia")
    instant = first_instant_at(date(2011, 12, 30), time(9), apia)
    assert instant.astimezone(apia) == datetime(2011, 12, 31, 0, tzinfo=apia)


def test_zoned_wall_times_and_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_instants(date(2024, 6, 3), time(8, tzinfo=UTC), SHANGHAI)
    with pytest.raises(ValueError, match="aware"):
        require_aware(datetime(2024, 6, 3), "now")
