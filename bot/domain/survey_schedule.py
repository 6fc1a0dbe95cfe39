"""When a survey's scheduled messages are due: announcement, reminders, closing.

The survey row stores one `next_due_at` (indexed), so the scan reads only surveys with
something to do. Announcements, reminders and the closing note are ordinary (non-urgent)
messages and wait for the end of quiet hours; the deadline itself is never moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from bot.domain.quiet_hours import QuietHours
from bot.domain.wall_clock import require_aware

# A survey at least this long gets a reminder halfway through.
HALFWAY_REMINDER_FROM = timedelta(days=2)
# And one this long before its deadline (when the survey is longer than that).
LAST_REMINDER_BEFORE = timedelta(hours=24)


@dataclass(frozen=True)
class SurveyTimes:
    """A survey's schedule as stored (aware datetimes; None = nothing pending)."""

    opened_at: datetime
    closes_at: datetime
    is_open: bool
    announce_at: datetime | None
    reminders_sent: int
    close_note_at: datetime | None


@dataclass(frozen=True)
class DueActions:
    """What the scan must do now, and the schedule to store afterwards."""

    announce: bool
    remind: bool
    close: bool
    close_note: bool
    after: SurveyTimes
    next_due_at: datetime | None


def reminder_times(opened_at: datetime, closes_at: datetime) -> tuple[datetime, ...]:
    """Halfway through (surveys of two days or more) and a day before the deadline."""
    duration = closes_at - opened_at
    moments: list[datetime] = []
    if duration >= HALFWAY_REMINDER_FROM:
        moments.append(opened_at + duration / 2)
    if duration > LAST_REMINDER_BEFORE * 1.5:
        moments.append(closes_at - LAST_REMINDER_BEFORE)
    return tuple(sorted(set(moments)))


def _allowed(at: datetime, tz: tzinfo, quiet: QuietHours) -> datetime:
    return quiet.next_allowed_send(at, tz, urgent=False)


def next_due(times: SurveyTimes, tz: tzinfo, quiet: QuietHours) -> datetime | None:
    """The earliest moment something is due for this survey."""
    pending: list[datetime] = []
    if times.announce_at is not None:
        pending.append(times.announce_at)
    if times.is_open:
        pending.append(times.closes_at)
        reminders = reminder_times(times.opened_at, times.closes_at)
        if times.reminders_sent < len(reminders):
            pending.append(_allowed(reminders[times.reminders_sent], tz, quiet))
    if times.close_note_at is not None:
        pending.append(times.close_note_at)
    return min(pending, default=None)


def due_actions(times: SurveyTimes, now: datetime, tz: tzinfo, quiet: QuietHours) -> DueActions:
    """Everything due at `now`. Overdue reminders collapse into one (a bot that was down
    sends one reminder, not a burst), and none goes out once the survey has closed."""
    require_aware(now, "now")
    announce = times.announce_at is not None and times.announce_at <= now
    after = replace(times, announce_at=None) if announce else times
    close = after.is_open and after.closes_at <= now
    remind = False
    if after.is_open and not close:
        reminders = reminder_times(after.opened_at, after.closes_at)
        due = [r for r in reminders if _allowed(r, tz, quiet) <= now]
        if len(due) > after.reminders_sent:
            remind = True
            after = replace(after, reminders_sent=len(due))
    if close:
        after = replace(after, is_open=False, close_note_at=_allowed(now, tz, quiet))
    close_note = after.close_note_at is not None and after.close_note_at <= now
    if close_note:
        after = replace(after, close_note_at=None)
    return DueActions(announce, remind, close, close_note, after, next_due(after, tz, quiet))
