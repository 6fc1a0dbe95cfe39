"""Turn a local wall-clock time on a given day into a real instant, across DST changes.

Aware datetimes in a `ZoneInfo` zone do wall-clock arithmetic (`+ timedelta(hours=24)` on a
spring-forward day moves only 23 real hours), so everything here hands back UTC instants and
callers do their arithmetic in UTC.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def require_aware(moment: datetime, name: str) -> None:
    """Refuse naive datetimes: domain code cannot guess which zone they meant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")


def require_naive_time(wall: time, name: str) -> None:
    """Wall times are interpreted in a zone given separately, so they must not carry one."""
    if wall.tzinfo is not None:
        raise ValueError(f"{name} must be a naive time (the zone is given separately)")


def wall_time_of(moment: datetime, tz: tzinfo) -> datetime:
    """The naive local wall-clock reading of `moment` in `tz`."""
    return moment.astimezone(tz).replace(tzinfo=None)


def local_instants(day: date, wall: time, tz: tzinfo) -> list[datetime]:
    """Every UTC instant at which clocks in `tz` read `wall` on `day`, earliest first.

    Usually one; two when the time repeats as clocks fall back; none when clocks spring
    forward over it.
    """
    require_naive_time(wall, "wall")
    naive = datetime.combine(day, wall)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if wall_time_of(instant, tz) == naive and instant not in found:
            found.append(instant)
    return sorted(found)


def first_instant_at(day: date, wall: time, tz: tzinfo) -> datetime:
    """The first UTC instant at which clocks in `tz` read `wall` on `day`.

    A repeated time gives its first occurrence. A time skipped by a spring-forward change gives
    the first valid instant after it: the moment the clocks jump (a 02:30 event on a day that
    jumps from 02:00 to 03:00 happens at 03:00).
    """
    existing = local_instants(day, wall, tz)
    if existing:
        return existing[0]
    return _end_of_gap(datetime.combine(day, wall), tz)


def _end_of_gap(naive: datetime, tz: tzinfo) -> datetime:
    """The instant a spring-forward gap containing the nonexistent `naive` ends."""
    # fold=0 reads `naive` with the offset before the jump, fold=1 with the one after; the
    # jump lies between the two readings. Zone transitions fall on whole seconds, so a binary
    # search over whole Unix seconds finds it exactly.
    readings = [naive.replace(tzinfo=tz, fold=fold).timestamp() for fold in (0, 1)]
    low, high = math.floor(min(readings)), math.ceil(max(readings))
    while high - low > 1:
        middle = (low + high) // 2
        if wall_time_of(datetime.fromtimestamp(middle, UTC), tz) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def offset_changes(start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """Instants in (start, end] at which `tz` changes its UTC offset, to the second."""
    require_aware(start, "start")
    require_aware(end, "end")
    changes: list[datetime] = []
    step = timedelta(hours=1)
    low = start
    while low < end:
        high = min(low + step, end)
        if low.astimezone(tz).utcoffset() != high.astimezone(tz).utcoffset():
            changes.append(_first_with_offset_of(low, high, tz))
        low = high
    return changes


def _first_with_offset_of(low: datetime, high: datetime, tz: tzinfo) -> datetime:
    """The first instant after `low` whose offset equals `high`'s (offsets change once)."""
    target = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0) if middle.microsecond else middle
        if middle <= low:
            break
        if middle.astimezone(tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high
