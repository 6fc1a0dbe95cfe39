"""When a request next needs the scheduler: its next due moment, stored and indexed.

The scheduler reads only requests whose stored moment has come (`next_due_at <= now`), so a
tick costs what is due, not what is open. The moment must never be *late*: waking a request
early costs one planning that finds nothing to do, waking it late loses a reminder. So:

* the moment ignores the roster (who is on duty only decides who is pinged, not when);
* after a state change (`now` is the change) every ping of the new state counts, even ones
  already past: a new category can make a request overdue at once, and the planner's dedup
  keys keep pings it already sent from going twice;
* after the planner acted (`planned=True`), the pings due by `now` were just handled, so only
  later ones count, each moved past quiet hours when `rules` say when the building may hear.

A resolved request is due when its rating window closes (the scheduler closes it unrated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.ping_planner import RequestSnapshot, SendingRules
from bot.domain.sla import SlaPolicy, Urgency
from bot.domain.wall_clock import require_aware

ZERO = timedelta(0)


@dataclass(frozen=True)
class DueRules:
    """What the due moments depend on besides the request: the SLA and the rating window."""

    policy: SlaPolicy
    rating_window: timedelta


def ping_moments(request: RequestSnapshot, policy: SlaPolicy) -> list[datetime]:
    """Every moment a ping of the request's current cycle falls due, sent or not.

    A superset of what `plan_pings` can plan: owner pings count whether or not anybody owns
    the request today, escalations count at every rung.
    """
    if request.status not in OPEN_STATUSES:
        return []
    deadlines = policy.deadlines_for(
        request.category, request.urgency, request.building_id, request.times
    )
    grace = policy.grace_for(request.urgency)
    owner_pings = [deadlines.remind_resolve_at, deadlines.resolve_by]
    escalations = [deadlines.resolve_by + grace]
    if not request.times.has_response:
        owner_pings += [deadlines.remind_respond_at, deadlines.respond_by]
        escalations.append(
            deadlines.respond_by + (grace if request.assignee_id is not None else ZERO)
        )
    if request.escalated_at is not None:
        # The next rung waits a full grace period after the last climb (see plan_pings).
        floor = request.escalated_at.astimezone(UTC) + grace
        escalations = [max(moment, floor) for moment in escalations]
    return [moment.astimezone(UTC) for moment in owner_pings + escalations]


def next_due_at(
    request: RequestSnapshot,
    resolved_at: datetime | None,
    rules: DueRules,
    now: datetime,
    *,
    planned: bool = False,
    sending: SendingRules | None = None,
) -> datetime | None:
    """The request's next due moment, or None when the scheduler has nothing more to do.

    `planned=False` after a state change (past pings count); `planned=True` after the planner
    acted at `now` (only later moments count, pushed past quiet hours by `sending`).
    """
    require_aware(now, "now")
    if request.status is RequestStatus.RESOLVED:
        if resolved_at is None:
            return now
        return resolved_at.astimezone(UTC) + rules.rating_window
    moments = ping_moments(request, rules.policy)
    if not planned:
        return min(moments, default=None)
    urgent = request.urgency is Urgency.URGENT
    if sending is not None:
        moments = [
            sending.quiet_hours.next_allowed_send(max(moment, now), sending.tz, urgent=urgent)
            for moment in moments
        ]
    return min((moment for moment in moments if moment > now), default=None)
