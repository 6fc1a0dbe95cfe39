"""Care check-ins: when the next one is due, when silence becomes an alert, who hears next.

A person on the care list is asked "are you well?" at their preferred local time every
`cadence` days, counted from the day they were last seen (their own "I'm fine", or a carer's
"seen today"). No answer within the grace period opens a *missed* alert: it goes to the first
carer, and on to the next one each time a carer lets `CARER_WINDOW` pass without answering,
then to the community office. "I need help" opens a *help* alert that reaches every carer at
once, whatever the hour, and the office after one window. Non-urgent messages wait for the end
of quiet hours; every moment here is an aware instant and `now` is always passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import IntEnum, StrEnum
from typing import Final

from bot.domain.quiet_hours import QuietHours
from bot.domain.wall_clock import first_instant_at, require_aware, wall_time_of

DEFAULT_GRACE: Final = timedelta(hours=2)
CARER_WINDOW: Final = timedelta(hours=1)
DEFAULT_CHECK_TIME: Final = time(9, 0)


class Cadence(IntEnum):
    """Days between check-ins."""

    DAILY = 1
    EVERY_2_DAYS = 2
    EVERY_3_DAYS = 3
    WEEKLY = 7


class Consent(StrEnum):
    """Who agreed to the enrolment: the person, their family, or the person aloud to a head."""

    SELF = "self"
    FAMILY = "family"
    SPOKEN = "spoken"


class CarerRelation(StrEnum):
    HEAD = "head"
    VOLUNTEER = "volunteer"
    RELATIVE = "relative"


class AlertKind(StrEnum):
    MISSED = "missed"
    HELP = "help"


@dataclass(frozen=True)
class CheckInRules:
    """A building's clock: its zone and quiet hours."""

    tz: tzinfo
    quiet_hours: QuietHours

    def allowed(self, at: datetime, *, urgent: bool = False) -> datetime:
        return self.quiet_hours.next_allowed_send(at, self.tz, urgent=urgent)


def first_check_in(now: datetime, at: time, rules: CheckInRules) -> datetime:
    """The first check-in after enrolling: the next time the clock reads `at`."""
    require_aware(now, "now")
    today = wall_time_of(now, rules.tz).date()
    for offset in (0, 1, 2):
        candidate = first_instant_at(today + timedelta(days=offset), at, rules.tz)
        if candidate > now:
            return rules.allowed(candidate)
    raise AssertionError("no check-in time found within three days")


def check_in_after(
    seen_at: datetime, now: datetime, cadence: Cadence, at: time, rules: CheckInRules
) -> datetime:
    """The next check-in after someone was seen at `seen_at`: `cadence` days after that local
    day, at `at`; never in the past (a bot that was down does not send a backlog)."""
    require_aware(seen_at, "seen_at")
    require_aware(now, "now")
    day = wall_time_of(seen_at, rules.tz).date() + timedelta(days=int(cadence))
    candidate = first_instant_at(day, at, rules.tz)
    while candidate <= now:
        day += timedelta(days=int(cadence))
        candidate = first_instant_at(day, at, rules.tz)
    return rules.allowed(candidate)


def missed_at(due: datetime, grace: timedelta, rules: CheckInRules) -> datetime:
    """When a check-in asked at `due` and not answered becomes an alert to a carer."""
    return rules.allowed(due + grace)


@dataclass(frozen=True)
class Rung:
    """Who is alerted at one step of an alert; `office` marks the community office."""

    recipients: tuple[int, ...]
    office: bool = False


def ladder(kind: AlertKind, carers: Sequence[int], office: Sequence[int]) -> tuple[Rung, ...]:
    """The steps of an alert: carers one by one (missed) or all at once (help), then the
    office. Carers who cannot be reached should already be left out; empty steps are."""
    steps: list[Rung] = []
    if kind is AlertKind.MISSED:
        steps.extend(Rung((carer,)) for carer in dict.fromkeys(carers))
    elif carers:
        steps.append(Rung(tuple(dict.fromkeys(carers))))
    reached = {person for step in steps for person in step.recipients}
    office_only = tuple(person for person in dict.fromkeys(office) if person not in reached)
    if office_only:
        steps.append(Rung(office_only, office=True))
    return tuple(steps)


@dataclass(frozen=True)
class EscalationStep:
    """What to do now for an open alert: tell `rung`, then look again at `next_at` (None:
    nobody is left; the alert stays open until someone marks it handled)."""

    step: int
    rung: Rung
    next_at: datetime | None


def escalate(
    kind: AlertKind,
    step: int,
    carers: Sequence[int],
    office: Sequence[int],
    now: datetime,
    rules: CheckInRules,
) -> EscalationStep | None:
    """The rung an alert reaches at step `step` (0 = the first), or None past the top."""
    require_aware(now, "now")
    steps = ladder(kind, carers, office)
    if step >= len(steps):
        return None
    urgent = kind is AlertKind.HELP
    more = step + 1 < len(steps)
    next_at = rules.allowed(now + CARER_WINDOW, urgent=urgent) if more else None
    return EscalationStep(step, steps[step], next_at)
