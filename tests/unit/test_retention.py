"""Which backups rotation keeps (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.retention import backups_to_keep

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 19, 30, tzinfo=UTC)  # Tuesday 03:30 in Shanghai


def test_newest_of_each_recent_day_and_week() -> None:
    backups = [(day, START + timedelta(days=day)) for day in range(21)]
    backups.append((99, START + timedelta(days=20, hours=1)))  # a second copy on the last day
    # Day 20 is Monday 23 November (local); day 19 the Sunday before.
    keep = backups_to_keep(backups, SHANGHAI, daily=2, weekly=3)
    # Days: the newest of Monday (copy 99) and Sunday (19); weeks: the newest of this week
    # (99), of last week (its Sunday, 19) and of the week before (its Sunday, 12).
    assert keep == {99, 19, 12}
    assert backups_to_keep(backups, SHANGHAI, daily=3, weekly=0) == {99, 19, 18}


def test_days_follow_the_local_calendar() -> None:
    late = datetime(2026, 11, 3, 15, 30, tzinfo=UTC)  # 23:30 local, Nov 3
    early = datetime(2026, 11, 3, 16, 30, tzinfo=UTC)  # 00:30 local, Nov 4
    assert backups_to_keep([("a", late), ("b", early)], SHANGHAI, daily=2, weekly=0) == {"a", "b"}
    assert backups_to_keep([("a", late), ("b", early)], UTC, daily=2, weekly=0) == {"b"}


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        backups_to_keep([("a", datetime(2026, 1, 1))], UTC, daily=1, weekly=0)


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 90), min_size=1, max_size=40),
    daily=st.integers(min_value=0, max_value=10),
    weekly=st.integers(min_value=0, max_value=6),
)
def test_the_newest_is_always_kept_and_counts_are_bounded(
    offsets: list[int], daily: int, weekly: int
) -> None:
    backups = [(index, START + timedelta(minutes=m)) for index, m in enumerate(offsets)]
    keep = backups_to_keep(backups, SHANGHAI, daily=daily, weekly=weekly)
    newest = max(backups, key=lambda item: item[1])[1]
    assert any(taken_at == newest for key, taken_at in backups if key in keep)
    assert len(keep) <= max(1, daily + weekly + 1)
    assert keep <= {key for key, _ in backups}
