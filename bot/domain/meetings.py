"""Deliberation meetings: RSVPs, reminder moments, and the follow-up of their decisions.

Decisions are followed up like staff requests: a reminder when most of the time is gone, a
note to the owner when the due date passes, and — after a grace period — an escalation to the
community office ("street supervision"). Every moment is computed here from stored times, so
the scheduler stores only the next one and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.wall_clock import require_aware


class Rsvp(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


@dataclass(frozen=True)
class RsvpCounts:
    yes: int
    no: int
    maybe: int


def count_rsvps(answers: Iterable[Rsvp]) -> RsvpCounts:
    listed = list(answers)
    return RsvpCounts(
        yes=listed.count(Rsvp.YES), no=listed.count(Rsvp.NO), maybe=listed.count(Rsvp.MAYBE)
    )


# Hours before the start: the day before and an hour before.
REMINDER_HOURS: tuple[int, ...] = (24, 1)


def reminder_at(starts_at: datetime, hours: int) -> datetime:
    return starts_at - timedelta(hours=hours)


def next_reminder(
    starts_at: datetime, sent: Collection[int], now: datetime
) -> tuple[int, datetime] | None:
    """The next reminder still owed (its hours-before and moment), or None.

    A reminder whose moment passed while the bot was down is still owed until the meeting
    starts; the scheduler sends only the latest of several such (see `due_reminders`).
    """
    require_aware(now, "now")
    if starts_at <= now:
        return None
    for hours in sorted(REMINDER_HOURS, reverse=True):
        if hours not in sent:
            return hours, reminder_at(starts_at, hours)
    return None


def due_reminders(starts_at: datetime, sent: Collection[int], now: datetime) -> tuple[int, ...]:
    """Reminders owed by now, latest first: send the first, mark them all sent."""
    if starts_at <= now:
        return ()
    return tuple(
        hours
        for hours in sorted(REMINDER_HOURS)
        if hours not in sent and reminder_at(starts_at, hours) <= now
    )


def reminders_already_past(starts_at: datetime, now: datetime) -> tuple[int, ...]:
    """A meeting called for tomorrow morning owes no "the day before" reminder."""
    return tuple(h for h in REMINDER_HOURS if reminder_at(starts_at, h) <= now)


# -- decisions and their follow-up ------------------------------------------------------------


class FollowUp(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


FOLLOW_UP_ORDER: tuple[FollowUp, ...] = (FollowUp.REMINDER, FollowUp.OVERDUE, FollowUp.ESCALATION)
DEFAULT_DECISION_DAYS = 14
REMINDER_FRACTION = 0.75  # like the staff SLA: when three quarters of the time are gone
ESCALATION_GRACE = timedelta(days=1)


def follow_up_moments(
    created_at: datetime, due_at: datetime, *, grace: timedelta = ESCALATION_GRACE
) -> dict[FollowUp, datetime]:
    span = max(due_at - created_at, timedelta(0))
    return {
        FollowUp.REMINDER: created_at + span * REMINDER_FRACTION,
        FollowUp.OVERDUE: due_at,
        FollowUp.ESCALATION: due_at + grace,
    }


def next_follow_up(
    created_at: datetime, due_at: datetime, sent: Collection[str]
) -> datetime | None:
    """The moment of the first follow-up not yet acted on (None: all done)."""
    moments = follow_up_moments(created_at, due_at)
    for kind in FOLLOW_UP_ORDER:
        if kind.value not in sent:
            return moments[kind]
    return None


@dataclass(frozen=True)
class DueFollowUp:
    """What to do now: `act` (the latest due), and every due kind to mark as done."""

    act: FollowUp
    settled: tuple[FollowUp, ...]


def due_follow_up(
    created_at: datetime, due_at: datetime, sent: Collection[str], now: datetime
) -> DueFollowUp | None:
    """Follow-ups due by now and not yet sent. When several fell due while the bot was down,
    only the latest is acted on (a reminder after the overdue note would confuse)."""
    require_aware(now, "now")
    moments = follow_up_moments(created_at, due_at)
    due = [k for k in FOLLOW_UP_ORDER if k.value not in sent and moments[k] <= now]
    if not due:
        return None
    return DueFollowUp(act=due[-1], settled=tuple(due))


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now >= due_at


def default_due(now: datetime, days: int = DEFAULT_DECISION_DAYS) -> datetime:
    return now + timedelta(days=days)


def agenda_positions(count: int) -> Sequence[int]:
    """Agenda items are numbered from 1, as heads read them out."""
    return range(1, count + 1)
