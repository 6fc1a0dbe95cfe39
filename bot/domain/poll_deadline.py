"""The `--until` value: a date and/or time of day in the community's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.domain.poll_errors import PollSyntaxError, PollSyntaxErrorCode

_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
# Month first, as dates are written in China: 2026-12-01, 2026/12/01, 2026.12.01, 2026年12月1日,
# 12-01, 12/01, 12月1日. A year-less "12.01" is refused: in much of Europe it is 12 January.
_FULL_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_MONTH_DAY_RE = re.compile(r"(\d{1,2})[-/月](\d{1,2})日?")

# "--until 2026-12-01" means the whole of that day is still open for voting.
END_OF_DAY = time(23, 59)


def looks_like_time(token: str) -> bool:
    """Whether a token has the shape of a time of day, e.g. `18:00`."""
    return _TIME_RE.fullmatch(token) is not None


def looks_like_date(token: str) -> bool:
    """Whether a token has the shape of a date, e.g. `12-01` or `2026/12/01`."""
    return _date_fields(token) is not None


def _date_fields(token: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) if the token is shaped like a date."""
    if match := _FULL_DATE_RE.fullmatch(token):
        year, month, day = match.groups()
        return int(year), int(month), int(day)
    if match := _MONTH_DAY_RE.fullmatch(token):
        month, day = match.groups()
        return None, int(month), int(day)
    return None


def parse_deadline(value: str, *, now: datetime, tz: tzinfo) -> datetime:
    """Resolve `[date] [time]` into an aware UTC datetime; not checked against `now` here.

    A time alone means its next occurrence (today, or tomorrow if it has passed). A date
    without a year means the occurrence nearest to today, so a date that has just passed is
    reported as in the past rather than silently moved a year ahead. A date without a time
    means the end of that day.
    """
    parts = value.replace("T", " ").split()
    try:
        local = _resolve(parts, now.astimezone(tz), tz)
        # Year 1 or 9999 in a zone off UTC lies outside what datetime can represent.
        resolved = None if local is None else local.astimezone(UTC)
    except (ValueError, OverflowError):  # 2026-02-30, 25:00, year 0, 0001-01-01 east of UTC
        resolved = None
    if resolved is None:
        raise PollSyntaxError(PollSyntaxErrorCode.INVALID_DEADLINE, {"value": value})
    return resolved


def _resolve(parts: list[str], local_now: datetime, tz: tzinfo) -> datetime | None:
    if len(parts) == 1 and (time_match := _TIME_RE.fullmatch(parts[0])):
        today = _at(local_now.date(), _time(time_match), tz)
        return today if today > local_now else today + timedelta(days=1)
    if not parts or len(parts) > 2 or (fields := _date_fields(parts[0])) is None:
        return None
    time_of_day = END_OF_DAY
    if len(parts) == 2:
        if not (time_match := _TIME_RE.fullmatch(parts[1])):
            return None
        time_of_day = _time(time_match)
    year, month, day = fields
    if year is not None:
        return _at(date(year, month, day), time_of_day, tz)
    return _nearest(month, day, time_of_day, local_now, tz)


def _time(match: re.Match[str]) -> time:
    return time(int(match.group(1)), int(match.group(2)))


def _at(day: date, time_of_day: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, time_of_day, tzinfo=tz)


def _nearest(
    month: int, day: int, time_of_day: time, local_now: datetime, tz: tzinfo
) -> datetime | None:
    candidates: list[datetime] = []
    for year in (local_now.year - 1, local_now.year, local_now.year + 1):
        try:
            candidates.append(_at(date(year, month, day), time_of_day, tz))
        except ValueError:  # 02-29 outside leap years
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda moment: abs(moment - local_now))
