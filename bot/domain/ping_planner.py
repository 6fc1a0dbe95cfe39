"""Plan the reminders, overdue pings and escalations one open request needs at a moment.

Planning is a pure function of the request's stored state and `now`, so the scheduler can
re-plan after a restart and send each `PlannedPing` only if its `dedup_key` was not sent before.
Two coalescing rules keep a bot that was down for a day from flooding anyone:

* of the pings to the request's owner (reminders and overdue notices) only the latest due one
  is planned: an overdue notice makes the reminder before it moot;
* at most one escalation is planned, and the next rung is due only a grace period after the
  previous escalation, so after downtime the ladder is climbed one rung per grace period and
  every level gets a real chance to act.

Who owns a request: its assignee, or while nobody is assigned every staff member on the level
holding it. A request nobody took by its response deadline escalates at that deadline (there is
no owner to grant grace to); otherwise a missed deadline first earns the owner an overdue
notice and escalates after the urgency's grace period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.escalation import (
    BuildingId,
    PersonId,
    Rung,
    StaffLevel,
    StaffMember,
    TopOfLadder,
    next_escalation,
    staff_at_level,
    unique_person_ids,
)
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.quiet_hours import QuietHours
from bot.domain.sla import RequestTimes, SlaPolicy, Urgency
from bot.domain.wall_clock import require_aware


class PingKind(StrEnum):
    """What a planned ping is about; handlers pick the wording from it."""

    REMIND_RESPONSE = "remind_response"
    REMIND_RESOLUTION = "remind_resolution"
    OVERDUE_RESPONSE = "overdue_response"
    OVERDUE_RESOLUTION = "overdue_resolution"
    ESCALATE_UNASSIGNED = "escalate_unassigned"
    ESCALATE_RESPONSE = "escalate_response"
    ESCALATE_RESOLUTION = "escalate_resolution"


# Breaks ties between owner pings due at the same instant: the more pressing one wins.
_OWNER_PING_RANK = {
    PingKind.REMIND_RESPONSE: 0,
    PingKind.REMIND_RESOLUTION: 1,
    PingKind.OVERDUE_RESPONSE: 2,
    PingKind.OVERDUE_RESOLUTION: 3,
}


@dataclass(frozen=True)
class RequestSnapshot:
    """What the planner needs to know about one request, as storage holds it.

    `level` is the ladder rung holding the request (None when no staff level ever did, e.g. it
    was routed straight to heads); `escalated_at` is when it last climbed a rung.
    """

    request_id: int
    building_id: BuildingId
    category: str
    urgency: Urgency
    status: RequestStatus
    times: RequestTimes
    level: StaffLevel | None
    assignee_id: PersonId | None = None
    escalated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.escalated_at is not None:
            require_aware(self.escalated_at, "escalated_at")


@dataclass(frozen=True)
class PlannedPing:
    """One message the scheduler should send now.

    For escalations `rung` says where the request goes: the scheduler records its new level (for
    an `EscalationStep`) and `escalated_at`, or notifies heads and admins (`TopOfLadder`).
    """

    request_id: int
    kind: PingKind
    deadline: datetime
    due_at: datetime
    recipient_ids: tuple[PersonId, ...]
    dedup_key: str
    rung: Rung | None = None

    @property
    def notify_heads_and_admins(self) -> bool:
        """Whether the building's heads and admins must hear about it."""
        return isinstance(self.rung, TopOfLadder)


@dataclass(frozen=True)
class SendingRules:
    """Where and when a building may be pinged."""

    tz: tzinfo
    quiet_hours: QuietHours


def plan_pings(
    request: RequestSnapshot,
    policy: SlaPolicy,
    roster: Sequence[StaffMember],
    rules: SendingRules,
    now: datetime,
) -> list[PlannedPing]:
    """The pings to send for `request` at `now`: at most one owner ping and one escalation.

    Nothing is planned for requests that are not open, or during quiet hours for non-urgent
    requests (the pings are planned again when quiet hours end).
    """
    require_aware(now, "now")
    if not _may_send_at(request, rules, now):
        return []
    due = [ping for ping in _candidates(request, policy, roster) if ping.due_at <= now]
    owner_pings = [ping for ping in due if ping.rung is None]
    escalations = [ping for ping in due if ping.rung is not None]
    plan: list[PlannedPing] = []
    if owner_pings:
        plan.append(max(owner_pings, key=lambda p: (p.due_at, _OWNER_PING_RANK[p.kind])))
    if escalations:
        plan.append(max(escalations, key=lambda p: p.deadline))
    return plan


def next_planning_at(
    request: RequestSnapshot,
    policy: SlaPolicy,
    roster: Sequence[StaffMember],
    rules: SendingRules,
    now: datetime,
) -> datetime | None:
    """When to plan this request again: the first instant after `now` a ping becomes sendable.

    None when nothing further can come due (the request is closed, or every ping is planned).
    """
    require_aware(now, "now")
    urgent = request.urgency is Urgency.URGENT
    instants = [
        rules.quiet_hours.next_allowed_send(max(ping.due_at, now), rules.tz, urgent=urgent)
        for ping in _candidates(request, policy, roster)
    ]
    later = [instant for instant in instants if instant > now]
    return min(later, default=None)


def _may_send_at(request: RequestSnapshot, rules: SendingRules, now: datetime) -> bool:
    urgent = request.urgency is Urgency.URGENT
    return rules.quiet_hours.next_allowed_send(now, rules.tz, urgent=urgent) == now


def _candidates(
    request: RequestSnapshot, policy: SlaPolicy, roster: Sequence[StaffMember]
) -> list[PlannedPing]:
    """Every ping the request's current cycle calls for, due or not."""
    if request.status not in OPEN_STATUSES:
        return []
    return [
        *_owner_pings(request, policy, roster),
        *_escalations(request, policy, roster),
    ]


def _owner_pings(
    request: RequestSnapshot, policy: SlaPolicy, roster: Sequence[StaffMember]
) -> list[PlannedPing]:
    if request.assignee_id is not None:
        owners: tuple[PersonId, ...] = (request.assignee_id,)
    elif request.level is not None:
        owners = unique_person_ids(
            staff_at_level(request.category, request.building_id, roster, request.level)
        )
    else:
        owners = ()
    if not owners:
        return []
    deadlines = policy.deadlines_for(
        request.category, request.urgency, request.building_id, request.times
    )
    schedule = [
        (PingKind.REMIND_RESOLUTION, deadlines.remind_resolve_at, deadlines.resolve_by),
        (PingKind.OVERDUE_RESOLUTION, deadlines.resolve_by, deadlines.resolve_by),
    ]
    if not request.times.has_response:
        schedule.append(
            (PingKind.REMIND_RESPONSE, deadlines.remind_respond_at, deadlines.respond_by)
        )
        # Nobody to scold when nobody took it: the request escalates at the deadline instead.
        if request.assignee_id is not None:
            schedule.append(
                (PingKind.OVERDUE_RESPONSE, deadlines.respond_by, deadlines.respond_by)
            )
    return [
        PlannedPing(
            request_id=request.request_id,
            kind=kind,
            deadline=deadline,
            due_at=due_at,
            recipient_ids=owners,
            dedup_key=f"{request.request_id}:{kind}:{_iso(deadline)}",
        )
        for kind, due_at, deadline in schedule
    ]


def _escalations(
    request: RequestSnapshot, policy: SlaPolicy, roster: Sequence[StaffMember]
) -> list[PlannedPing]:
    deadlines = policy.deadlines_for(
        request.category, request.urgency, request.building_id, request.times
    )
    grace = policy.grace_for(request.urgency)
    triggers = [(PingKind.ESCALATE_RESOLUTION, deadlines.resolve_by, grace)]
    if not request.times.has_response:
        if request.assignee_id is None:
            triggers.append((PingKind.ESCALATE_UNASSIGNED, deadlines.respond_by, timedelta(0)))
        else:
            triggers.append((PingKind.ESCALATE_RESPONSE, deadlines.respond_by, grace))
    rung = next_escalation(request.category, request.building_id, request.level, roster)
    recipients = () if isinstance(rung, TopOfLadder) else rung.person_ids
    origin = "none" if request.level is None else str(int(request.level))
    pings = []
    for kind, deadline, wait in triggers:
        due_at = deadline + wait
        if request.escalated_at is not None:
            # Each rung gets a full grace period before the next one is called.
            due_at = max(due_at, request.escalated_at.astimezone(UTC) + grace)
        pings.append(
            PlannedPing(
                request_id=request.request_id,
                kind=kind,
                deadline=deadline,
                due_at=due_at,
                recipient_ids=recipients,
                dedup_key=f"{request.request_id}:{kind}:{_iso(deadline)}:from-{origin}",
                rung=rung,
            )
        )
    return pings


def _iso(moment: datetime) -> str:
    """A stable spelling of an instant: UTC, whole seconds (storage keeps Unix seconds)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
