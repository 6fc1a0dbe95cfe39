"""Service-level deadlines: when a request must be answered and fixed, and how late it is.

Deadlines count plain elapsed (calendar) time from when the request was opened: nights,
weekends and quiet hours all count. Quiet hours only delay the *pings* about a deadline
(`bot.domain.quiet_hours`), never the deadline itself, so a resident's "urgent: 1 hour" means
one real hour. All arithmetic is done in UTC so DST changes cannot stretch or shrink a deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.domain.wall_clock import require_aware

BuildingId = int


class Urgency(StrEnum):
    """How fast a request needs attention."""

    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class SlaTargets:
    """How long staff have to respond to, and to resolve, one kind of request."""

    respond_within: timedelta
    resolve_within: timedelta

    def __post_init__(self) -> None:
        if self.respond_within <= timedelta(0) or self.resolve_within <= timedelta(0):
            raise ValueError(f"SLA targets must be positive: {self!r}")


@dataclass(frozen=True)
class SlaOverrides:
    """One layer of targets: per urgency, and per (category, urgency)."""

    by_urgency: Mapping[Urgency, SlaTargets] = field(default_factory=dict)
    by_category: Mapping[tuple[str, Urgency], SlaTargets] = field(default_factory=dict)


def _default_targets() -> dict[Urgency, SlaTargets]:
    return {
        Urgency.URGENT: SlaTargets(timedelta(hours=1), timedelta(hours=24)),
        Urgency.NORMAL: SlaTargets(timedelta(hours=24), timedelta(hours=72)),
    }


def _default_grace() -> dict[Urgency, timedelta]:
    return {Urgency.URGENT: timedelta(minutes=15), Urgency.NORMAL: timedelta(hours=2)}


@dataclass(frozen=True)
class RequestTimes:
    """The moments that drive one request's deadlines (all aware).

    `reopened_at` restarts the clock. `responded_at` is when staff first reacted in the current
    cycle; a response from before the latest reopening is ignored, so storing the time of the
    latest response works too.
    """

    created_at: datetime
    responded_at: datetime | None = None
    reopened_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.created_at, "created_at")
        if self.responded_at is not None:
            require_aware(self.responded_at, "responded_at")
        if self.reopened_at is not None:
            require_aware(self.reopened_at, "reopened_at")

    @property
    def cycle_start(self) -> datetime:
        """When the current round of work began: creation, or the latest reopening."""
        start = self.created_at if self.reopened_at is None else self.reopened_at
        return start.astimezone(UTC)

    @property
    def has_response(self) -> bool:
        """Whether staff have responded since the current cycle began."""
        return self.responded_at is not None and self.responded_at >= self.cycle_start


@dataclass(frozen=True)
class Deadlines:
    """The instants (UTC) that matter for one request's current cycle."""

    respond_by: datetime
    resolve_by: datetime
    remind_respond_at: datetime
    remind_resolve_at: datetime


@dataclass(frozen=True)
class SlaPolicy:
    """Targets, reminder timing and escalation grace for every building.

    Targets resolve most specific first: the building's own (category, urgency) target, then the
    global (category, urgency) target, then the building's per-urgency default, then the global
    default. A category target outranks a building default because it says what the *problem*
    needs (a stuck lift cannot wait for a building's relaxed default); a building that wants a
    different lift target says so for that category.
    """

    defaults: Mapping[Urgency, SlaTargets] = field(default_factory=_default_targets)
    category_overrides: Mapping[tuple[str, Urgency], SlaTargets] = field(default_factory=dict)
    building_overrides: Mapping[BuildingId, SlaOverrides] = field(default_factory=dict)
    reminder_fraction: float = 0.75
    escalation_grace: Mapping[Urgency, timedelta] = field(default_factory=_default_grace)

    def __post_init__(self) -> None:
        missing = [urgency for urgency in Urgency if urgency not in self.defaults]
        if missing:
            raise ValueError(f"SLA defaults missing for {missing}")
        if not 0 < self.reminder_fraction < 1:
            raise ValueError(f"reminder_fraction must be in (0, 1), got {self.reminder_fraction}")
        for urgency in Urgency:
            if self.grace_for(urgency) < timedelta(0):
                raise ValueError(f"escalation grace for {urgency} must not be negative")

    def targets_for(self, category: str, urgency: Urgency, building_id: BuildingId) -> SlaTargets:
        """The targets that apply to one request (see the class docstring for precedence)."""
        building = self.building_overrides.get(building_id, SlaOverrides())
        for layer in (
            building.by_category.get((category, urgency)),
            self.category_overrides.get((category, urgency)),
            building.by_urgency.get(urgency),
        ):
            if layer is not None:
                return layer
        return self.defaults[urgency]

    def grace_for(self, urgency: Urgency) -> timedelta:
        """How long after a missed deadline the request climbs the escalation ladder."""
        return self.escalation_grace.get(urgency, timedelta(0))

    def deadlines_for(
        self, category: str, urgency: Urgency, building_id: BuildingId, times: RequestTimes
    ) -> Deadlines:
        """Deadlines for the request's current cycle; both are counted from the cycle start."""
        targets = self.targets_for(category, urgency, building_id)
        start = times.cycle_start
        return Deadlines(
            respond_by=start + targets.respond_within,
            resolve_by=start + targets.resolve_within,
            remind_respond_at=start + targets.respond_within * self.reminder_fraction,
            remind_resolve_at=start + targets.resolve_within * self.reminder_fraction,
        )


class SlaStatus(StrEnum):
    """Where an open request stands against its deadlines."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE_RESPONSE = "overdue_response"
    OVERDUE_RESOLUTION = "overdue_resolution"


@dataclass(frozen=True)
class SlaState:
    """An open request's standing at one moment.

    `deadline` is the deadline being watched: the response deadline until staff respond (unless
    the resolution deadline has already passed), then the resolution deadline. A deadline counts
    as missed from its exact instant on, so `overdue_by` may be zero when overdue.
    """

    status: SlaStatus
    deadline: datetime
    overdue_by: timedelta
    time_left: timedelta

    @property
    def is_overdue(self) -> bool:
        """Whether the watched deadline has passed."""
        return self.status in (SlaStatus.OVERDUE_RESPONSE, SlaStatus.OVERDUE_RESOLUTION)


def sla_state(times: RequestTimes, deadlines: Deadlines, now: datetime) -> SlaState:
    """Classify an open request at `now`; the worst applicable status wins."""
    require_aware(now, "now")
    responded = times.has_response
    if now >= deadlines.resolve_by:
        return _overdue(SlaStatus.OVERDUE_RESOLUTION, deadlines.resolve_by, now)
    if not responded and now >= deadlines.respond_by:
        return _overdue(SlaStatus.OVERDUE_RESPONSE, deadlines.respond_by, now)
    watched = deadlines.resolve_by if responded else deadlines.respond_by
    reminder_passed = now >= deadlines.remind_resolve_at or (
        not responded and now >= deadlines.remind_respond_at
    )
    status = SlaStatus.DUE_SOON if reminder_passed else SlaStatus.ON_TRACK
    return SlaState(status, watched, overdue_by=timedelta(0), time_left=watched - now)


def _overdue(status: SlaStatus, deadline: datetime, now: datetime) -> SlaState:
    return SlaState(status, deadline, overdue_by=now - deadline, time_left=timedelta(0))
