"""Staff digests: when they go out (local wall-clock time) and how their requests are ordered."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple, Protocol, TypeVar

from bot.domain.sla import SlaTargets
from bot.domain.wall_clock import first_instant_at, require_aware, wall_time_of

_SEARCH_DAYS = 9  # a week, plus slack for zones that once skipped a whole calendar day

# A digest lists this many requests, the most pressing first, and counts the rest: a longer
# list is unreadable on a phone and spends the private chat's send budget.
DIGEST_SHOWN = 15
_MINUTE = timedelta(minutes=1)
_NO_TIME = timedelta(0)


# Digest times are aware datetimes or Unix seconds, the same for the items and `now`: a
# district's digest orders 140,000 requests a run, and integers are several times cheaper to
# build and to compare.
InstantT_co = TypeVar("InstantT_co", datetime, int, covariant=True)


class DigestItem(Protocol[InstantT_co]):
    """What ordering needs from an open request; storage rows can satisfy it directly."""

    @property
    def request_id(self) -> int: ...

    @property
    def created_at(self) -> InstantT_co: ...

    @property
    def deadline(self) -> InstantT_co:
        """The deadline currently watched (see `bot.domain.sla.SlaState.deadline`)."""
        ...


ItemT = TypeVar("ItemT", bound=DigestItem[Any])


class AgeParts(NamedTuple):
    """A duration split for display; handlers turn it into words."""

    days: int
    hours: int
    minutes: int


def order_for_digest(items: Iterable[ItemT], now: datetime | int) -> list[ItemT]:
    """Overdue requests first, most overdue first; then the rest, oldest first.

    A request is overdue from its deadline's exact instant on. Ties fall back to age, then id,
    so the order is the same every day.
    """
    _require_instant(now)
    return sorted(items, key=_sort_key(now))


def most_pressing(items: Iterable[ItemT], now: datetime | int, limit: int) -> list[ItemT]:
    """The first `limit` items of `order_for_digest(items, now)`, without sorting the rest."""
    _require_instant(now)
    return heapq.nsmallest(limit, items, key=_sort_key(now))


def _require_instant(now: datetime | int) -> None:
    if isinstance(now, datetime):
        require_aware(now, "now")


def _sort_key(now: datetime | int) -> Callable[[DigestItem[Any]], tuple[bool, Any, Any, int]]:
    def sort_key(item: DigestItem[Any]) -> tuple[bool, Any, Any, int]:
        overdue = item.deadline <= now
        # Most overdue = earliest deadline; among the rest only age matters.
        primary = item.deadline if overdue else item.created_at
        return (not overdue, primary, item.created_at, item.request_id)

    return sort_key


def target_seconds(targets: SlaTargets) -> tuple[int, int]:
    """`targets` (respond within, resolve within) in whole seconds, for `watched_deadline`."""
    return (
        int(targets.respond_within.total_seconds()),
        int(targets.resolve_within.total_seconds()),
    )


def watched_deadline(
    targets: tuple[int, int], created_at: int, responded_at: int | None, reopened_at: int | None
) -> int:
    """The deadline a digest shows, in Unix seconds (`targets` from `target_seconds`): to
    resolve once staff responded in the current cycle, else to respond. The same instant as
    `SlaPolicy.deadlines_for` on `RequestTimes` gives, without building either."""
    start = created_at if reopened_at is None else reopened_at
    if responded_at is not None and responded_at >= start:
        return start + targets[1]
    return start + targets[0]


def age_parts(age: timedelta) -> AgeParts:
    """Whole days, hours and minutes in `age`; a small negative age (clock skew) reads as 0."""
    total_minutes = age // _MINUTE if age > _NO_TIME else 0
    hours, minutes = divmod(total_minutes, 60)
    days, hours = divmod(hours, 24)
    return AgeParts(days, hours, minutes)


def next_daily_at(local_time: time, tz: tzinfo, now: datetime) -> datetime:
    """The first instant strictly after `now` when clocks in `tz` read `local_time` (UTC).

    A time repeated as clocks fall back fires once, at its first occurrence; a time skipped as
    clocks spring forward fires when the clocks jump.
    """
    return _next_matching(local_time, tz, now, weekday=None)


def next_weekly_at(weekday: int, local_time: time, tz: tzinfo, now: datetime) -> datetime:
    """Like `next_daily_at`, on local `weekday` only (0 = Monday … 6 = Sunday)."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    return _next_matching(local_time, tz, now, weekday=weekday)


def _next_matching(local_time: time, tz: tzinfo, now: datetime, weekday: int | None) -> datetime:
    require_aware(now, "now")
    today = wall_time_of(now, tz).date()
    for offset in range(_SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if weekday is not None and day.weekday() != weekday:
            continue
        candidate = first_instant_at(day, local_time, tz)
        if candidate > now:
            return candidate
    raise AssertionError(f"no {local_time} after {now.isoformat()} within {_SEARCH_DAYS} days")
