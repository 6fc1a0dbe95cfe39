"""The weekly (or monthly) building report: what came in, what got fixed, what is still open.

Everything here works on plain rows, so it is tested without Telegram or a database. Periods
are half-open, `[period_start, period_end)`; "open" and "overdue" are as of `now`, when the
report is made, whatever the period.

Counting rules:

- *new*: created in the period;
- *resolved*: resolved in the period and not reopened since (status resolved or closed);
- *closed without a fix*: closed or rejected in the period without ever being resolved;
- *open* / *overdue*: open now; overdue when its age has reached the resolution target;
- median *first response*: requests whose first response fell in the period, measured from
  creation; median *resolution*: the resolved requests above, from creation to resolution;
- *satisfaction*: requests resolved in the period whose residents answered "Is it fixed?"
  (a 👎 reopens the request, so those count here although they are not "resolved"), and the
  average of their star ratings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction

from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.poll_rules import PollOption
from bot.domain.wall_clock import first_instant_at, require_aware, wall_time_of

ResolveTarget = Callable[[str, bool], timedelta]
"""How long a request of (category, urgent) may take to be resolved."""

URGENT_RESOLVE_TARGET = timedelta(hours=24)
NORMAL_RESOLVE_TARGET = timedelta(hours=72)
TOP_OPEN = 5


def default_resolve_target(category: str, urgent: bool) -> timedelta:
    """Until the SLA policy is passed in: urgent 24 h, everything else 72 h."""
    del category
    return URGENT_RESOLVE_TARGET if urgent else NORMAL_RESOLVE_TARGET


@dataclass(frozen=True)
class RequestRow:
    """What the report needs of one request."""

    id: int
    category: str
    urgent: bool
    status: RequestStatus
    description: str
    created_at: datetime
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    satisfied: bool | None = None
    rating: int | None = None
    affected: int = 1
    # Reported in a private chat: its text must not be repeated in a group.
    private: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class ClosedPollRow:
    """A poll that closed, with its stored outcome."""

    id: int
    question: str
    closed_at: datetime
    options: tuple[PollOption, ...]
    passed: bool | None
    winners: tuple[int, ...]


@dataclass(frozen=True)
class ReportData:
    """One building's rows: requests with something in the period or open now, closed polls.

    Rows outside the period are ignored where they do not count, and a request listed twice
    counts once, so callers may simply concatenate query results.
    """

    requests: tuple[RequestRow, ...] = ()
    polls: tuple[ClosedPollRow, ...] = ()


@dataclass(frozen=True)
class CategoryCounts:
    category: str
    new: int
    resolved: int
    open: int


@dataclass(frozen=True)
class BuildingReport:
    """The summary of one building for one period."""

    period_start: datetime
    period_end: datetime
    now: datetime
    new: int
    resolved: int
    closed_unresolved: int
    open: int
    overdue: int
    categories: tuple[CategoryCounts, ...]
    median_response: timedelta | None
    responses: int
    median_resolution: timedelta | None
    resolutions: int
    satisfied: int
    satisfaction_answers: int
    rating_total: int
    ratings: int
    top_open: tuple[RequestRow, ...]
    polls: tuple[ClosedPollRow, ...]

    @property
    def satisfied_share(self) -> Fraction | None:
        """Share of 👍 among the answers, None without answers."""
        if not self.satisfaction_answers:
            return None
        return Fraction(self.satisfied, self.satisfaction_answers)

    @property
    def average_rating(self) -> Fraction | None:
        if not self.ratings:
            return None
        return Fraction(self.rating_total, self.ratings)

    @property
    def is_quiet(self) -> bool:
        """Nothing happened and nothing is open: not worth a message."""
        return not (self.new or self.resolved or self.closed_unresolved or self.open or self.polls)


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The median duration; the mean of the middle two for an even count; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def summarize(
    data: ReportData,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    resolve_target: ResolveTarget = default_resolve_target,
) -> BuildingReport:
    """Count, measure and order one building's report."""
    for moment, name in ((period_start, "period_start"), (period_end, "period_end"), (now, "now")):
        require_aware(moment, name)
    if period_end <= period_start:
        raise ValueError(f"empty period: {period_start.isoformat()} to {period_end.isoformat()}")

    def within(moment: datetime | None) -> bool:
        return moment is not None and period_start <= moment < period_end

    requests = list({row.id: row for row in data.requests}.values())
    new = [r for r in requests if within(r.created_at)]
    resolved = [
        r
        for r in requests
        if within(r.resolved_at) and r.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED)
    ]
    closed_unresolved = [
        r
        for r in requests
        if r.resolved_at is None
        and within(r.closed_at)
        and r.status in (RequestStatus.CLOSED, RequestStatus.REJECTED)
    ]
    still_open = [r for r in requests if r.is_open]
    overdue = [r for r in still_open if now - r.created_at >= resolve_target(r.category, r.urgent)]
    answered = [r for r in requests if within(r.resolved_at) and r.satisfied is not None]
    rated = [r for r in requests if within(r.resolved_at) and r.rating is not None]
    response_times = [
        max(r.responded_at - r.created_at, timedelta(0))
        for r in requests
        if r.responded_at is not None and within(r.responded_at)
    ]
    resolution_times = [
        max(r.resolved_at - r.created_at, timedelta(0))
        for r in resolved
        if r.resolved_at is not None
    ]
    top_open = sorted(still_open, key=lambda r: (-r.affected, not r.urgent, r.created_at, r.id))
    polls = sorted(
        {p.id: p for p in data.polls if within(p.closed_at)}.values(),
        key=lambda p: (p.closed_at, p.id),
    )
    return BuildingReport(
        period_start=period_start,
        period_end=period_end,
        now=now,
        new=len(new),
        resolved=len(resolved),
        closed_unresolved=len(closed_unresolved),
        open=len(still_open),
        overdue=len(overdue),
        categories=_by_category(new, resolved, still_open),
        median_response=median(response_times),
        responses=len(response_times),
        median_resolution=median(resolution_times),
        resolutions=len(resolution_times),
        satisfied=sum(1 for r in answered if r.satisfied),
        satisfaction_answers=len(answered),
        rating_total=sum(r.rating for r in rated if r.rating is not None),
        ratings=len(rated),
        top_open=tuple(top_open[:TOP_OPEN]),
        polls=tuple(polls),
    )


def _by_category(
    new: Sequence[RequestRow], resolved: Sequence[RequestRow], still_open: Sequence[RequestRow]
) -> tuple[CategoryCounts, ...]:
    """Busiest categories first (new, then resolved, then open), then by key."""
    keys = {r.category for r in (*new, *resolved, *still_open)}
    counts = [
        CategoryCounts(
            category=key,
            new=sum(1 for r in new if r.category == key),
            resolved=sum(1 for r in resolved if r.category == key),
            open=sum(1 for r in still_open if r.category == key),
        )
        for key in keys
    ]
    return tuple(sorted(counts, key=lambda c: (-c.new, -c.resolved, -c.open, c.category)))


# -- periods ----------------------------------------------------------------------------------


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"


PERIOD_DAYS = {PeriodKind.WEEK: 7, PeriodKind.MONTH: 30}

_PERIOD_WORDS: dict[str, PeriodKind] = {
    "week": PeriodKind.WEEK,
    "weekly": PeriodKind.WEEK,
    "w": PeriodKind.WEEK,
    "7": PeriodKind.WEEK,
    "周": PeriodKind.WEEK,
    "本周": PeriodKind.WEEK,
    "一周": PeriodKind.WEEK,
    "星期": PeriodKind.WEEK,
    "month": PeriodKind.MONTH,
    "monthly": PeriodKind.MONTH,
    "m": PeriodKind.MONTH,
    "30": PeriodKind.MONTH,
    "月": PeriodKind.MONTH,
    "本月": PeriodKind.MONTH,
    "一个月": PeriodKind.MONTH,
}


def parse_period(args: Sequence[str]) -> PeriodKind | None:
    """`/summary [week|month]` (also 周/月); nothing means a week; None when unreadable."""
    if not args:
        return PeriodKind.WEEK
    if len(args) > 1:
        return None
    return _PERIOD_WORDS.get(args[0].strip().casefold())


def rolling_period(kind: PeriodKind, now: datetime) -> tuple[datetime, datetime]:
    """The last 7 (or 30) days up to and including now.

    Stored times are whole seconds, so the (exclusive) end is the next whole second: what
    happened in the very second of the report counts.
    """
    require_aware(now, "now")
    end = now.replace(microsecond=0) + timedelta(seconds=1)
    return end - timedelta(days=PERIOD_DAYS[kind]), end


def previous_days(now: datetime, tz: tzinfo, days: int = 7) -> tuple[datetime, datetime]:
    """The `days` whole local days before today (on a Monday: last Monday 00:00 to today 00:00).

    Midnights are found on the wall clock, so a DST change inside the period is handled.
    """
    require_aware(now, "now")
    today = wall_time_of(now, tz).date()
    return (
        first_instant_at(today - timedelta(days=days), time(0), tz),
        first_instant_at(today, time(0), tz),
    )


MAX_EXPORT_DAYS = 3660
EARLIEST_EXPORT = date(1970, 1, 1)
LATEST_EXPORT = date(9000, 12, 31)


def parse_export_range(args: Sequence[str], today: date) -> tuple[date, date] | None:
    """`/export` (30 days), `/export 7`, `/export 2026-11-01 2026-11-30`: inclusive local dates.

    N days means today and the N - 1 days before it. None when the arguments are unreadable,
    the range is reversed, or it is longer than about ten years.
    """
    if not args:
        args = ["30"]
    if len(args) == 1:
        text = args[0].strip()
        if not text.isdecimal() or not 1 <= int(text) <= MAX_EXPORT_DAYS:
            return None
        return today - timedelta(days=int(text) - 1), today
    if len(args) != 2:
        return None
    try:
        first, last = (date.fromisoformat(arg.strip()) for arg in args)
    except ValueError:
        return None
    if last < first or (last - first).days >= MAX_EXPORT_DAYS:
        return None
    # Year 1 or 9999 would overflow when turned into instants; nothing is stored there.
    if first < EARLIEST_EXPORT or last > LATEST_EXPORT:
        return None
    return first, last


def local_day_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """From the start of `first` to the start of the day after `last`, local time."""
    return first_instant_at(first, time(0), tz), first_instant_at(
        last + timedelta(days=1), time(0), tz
    )
