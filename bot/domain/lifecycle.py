"""The request lifecycle: which actions move a request between statuses, and who may take them.

One table (`_RULES`) drives both `transition` and `allowed_actions`, so the buttons a person
sees always match what pressing them does.

Roles are computed by the caller for one person and one request. The caller grants
`STAFF_ASSIGNEE` to the assignee, or to every staff member the request is routed to while
nobody is assigned; other staff in the building get plain `STAFF`, which, like `RESIDENT`, has
no lifecycle powers (reporting and "me too" are not status changes). `SUPPORTER` (someone who
said "me too") has none either: they are asked whether it is fixed and may rate it, but only
the reporter's answer moves the request. `SYSTEM` is the scheduler, which may only close a
resolved request nobody rated in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.wall_clock import require_aware

DEFAULT_RATING_WINDOW = timedelta(days=3)


class RequestStatus(StrEnum):
    """Where a request is in its life."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    REJECTED = "rejected"


OPEN_STATUSES = frozenset(
    {RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED}
)


class Action(StrEnum):
    """Something a person (or the scheduler) does to a request."""

    ASSIGN = "assign"
    TAKE = "take"
    UNASSIGN = "unassign"
    START = "start"
    RESOLVE = "resolve"
    CONFIRM_FIXED = "confirm_fixed"
    NOT_FIXED = "not_fixed"
    CLOSE = "close"
    REJECT = "reject"
    REOPEN = "reopen"


class Role(StrEnum):
    """What the actor is with respect to this request; one person may hold several."""

    RESIDENT = "resident"
    REPORTER = "reporter"
    SUPPORTER = "supporter"
    STAFF_ASSIGNEE = "staff_assignee"
    STAFF = "staff"
    HEAD = "head"
    ADMIN = "admin"
    SYSTEM = "system"


class RefusalReason(StrEnum):
    """Why a transition was refused, most fundamental first (the first that applies wins)."""

    ALREADY_IN_STATE = "already_in_state"
    NOT_ALLOWED_IN_STATE = "not_allowed_in_state"
    FORBIDDEN_FOR_ROLE = "forbidden_for_role"
    MISSING_REASON = "missing_reason"


class RejectReason(StrEnum):
    """Why staff turned a request down."""

    DUPLICATE = "duplicate"
    NOT_OUR_RESPONSIBILITY = "not_our_responsibility"
    CANNOT_FIX = "cannot_fix"
    OTHER = "other"


class CloseReason(StrEnum):
    """Why a request was closed without the reporter confirming the fix."""

    NO_RATING_IN_TIME = "no_rating_in_time"
    OTHER = "other"


@dataclass(frozen=True)
class Rejection:
    """The justification a REJECT needs; a duplicate names the original, OTHER needs a note."""

    reason: RejectReason
    duplicate_of: int | None = None
    note: str = ""

    @property
    def is_complete(self) -> bool:
        """Whether it carries everything its reason requires."""
        if self.reason is RejectReason.DUPLICATE:
            return self.duplicate_of is not None
        if self.reason is RejectReason.OTHER:
            return bool(self.note.strip())
        return True


@dataclass(frozen=True)
class Closure:
    """The justification a CLOSE needs; OTHER needs a note."""

    reason: CloseReason
    note: str = ""

    @property
    def is_complete(self) -> bool:
        """Whether it carries everything its reason requires."""
        return self.reason is not CloseReason.OTHER or bool(self.note.strip())


Justification = Rejection | Closure


class TransitionRefused(Exception):
    """An action that may not happen; `reason` says why, for the handler to explain."""

    def __init__(self, reason: RefusalReason, status: RequestStatus, action: Action) -> None:
        super().__init__(f"{action} refused in {status}: {reason}")
        self.reason = reason
        self.status = status
        self.action = action


_MANAGERS = frozenset({Role.HEAD, Role.ADMIN})
_WORKERS = _MANAGERS | {Role.STAFF_ASSIGNEE}
_S = RequestStatus


@dataclass(frozen=True)
class _Rule:
    target: RequestStatus
    roles_by_source: Mapping[RequestStatus, frozenset[Role]]


def _from(sources: Iterable[RequestStatus], roles: frozenset[Role]) -> dict[_S, frozenset[Role]]:
    return dict.fromkeys(sources, roles)


_RULES: dict[Action, _Rule] = {
    # Re-assigning an assigned or started request is allowed: it hands the work to someone else.
    Action.ASSIGN: _Rule(_S.ASSIGNED, _from(OPEN_STATUSES, _MANAGERS)),
    # A reopened request may have lost its assignee (rejected or closed while new), so it can
    # be taken again.
    Action.TAKE: _Rule(_S.ASSIGNED, _from((_S.NEW, _S.REOPENED), _WORKERS)),
    Action.UNASSIGN: _Rule(_S.NEW, _from((_S.ASSIGNED, _S.IN_PROGRESS, _S.REOPENED), _WORKERS)),
    Action.START: _Rule(_S.IN_PROGRESS, _from((_S.NEW, _S.ASSIGNED, _S.REOPENED), _WORKERS)),
    Action.RESOLVE: _Rule(_S.RESOLVED, _from(OPEN_STATUSES, _WORKERS)),
    # Rating belongs to the reporter alone; heads use CLOSE or REOPEN instead.
    Action.CONFIRM_FIXED: _Rule(_S.CLOSED, _from((_S.RESOLVED,), frozenset({Role.REPORTER}))),
    Action.NOT_FIXED: _Rule(_S.REOPENED, _from((_S.RESOLVED,), frozenset({Role.REPORTER}))),
    Action.CLOSE: _Rule(
        _S.CLOSED,
        _from(OPEN_STATUSES, _MANAGERS) | {_S.RESOLVED: _MANAGERS | {Role.SYSTEM}},
    ),
    Action.REJECT: _Rule(_S.REJECTED, _from(OPEN_STATUSES, _WORKERS)),
    # Closed is terminal for everyone but heads and admins.
    Action.REOPEN: _Rule(
        _S.REOPENED,
        _from((_S.RESOLVED, _S.REJECTED), _MANAGERS | {Role.REPORTER}) | {_S.CLOSED: _MANAGERS},
    ),
}

_JUSTIFICATION_TYPES: dict[Action, type[Rejection] | type[Closure]] = {
    Action.REJECT: Rejection,
    Action.CLOSE: Closure,
}


def requires_justification(action: Action) -> bool:
    """Whether the handler must collect a `Rejection`/`Closure` before calling `transition`."""
    return action in _JUSTIFICATION_TYPES


def allowed_actions(status: RequestStatus, actor_roles: frozenset[Role]) -> frozenset[Action]:
    """The actions these roles may take now (justifications are collected after the tap)."""
    return frozenset(
        action
        for action, rule in _RULES.items()
        if actor_roles & rule.roles_by_source.get(status, frozenset())
    )


def transition(
    status: RequestStatus,
    action: Action,
    actor_roles: frozenset[Role],
    justification: Justification | None = None,
) -> RequestStatus:
    """The status after `action`, or `TransitionRefused` naming the first reason it may not be.

    REJECT needs a complete `Rejection` and CLOSE a complete `Closure`; passing a justification
    to any other action is a programming error (`ValueError`).
    """
    expected_type = _JUSTIFICATION_TYPES.get(action)
    if justification is not None and expected_type is None:
        raise ValueError(f"{action} takes no justification, got {justification!r}")
    rule = _RULES[action]
    permitted = rule.roles_by_source.get(status)
    if permitted is None:
        reason = (
            RefusalReason.ALREADY_IN_STATE
            if rule.target is status
            else RefusalReason.NOT_ALLOWED_IN_STATE
        )
        raise TransitionRefused(reason, status, action)
    if not actor_roles & permitted:
        raise TransitionRefused(RefusalReason.FORBIDDEN_FOR_ROLE, status, action)
    if expected_type is not None and not (
        isinstance(justification, expected_type) and justification.is_complete
    ):
        raise TransitionRefused(RefusalReason.MISSING_REASON, status, action)
    return rule.target


def rating_window_expired(
    resolved_at: datetime, now: datetime, window: timedelta = DEFAULT_RATING_WINDOW
) -> bool:
    """Whether a resolved request has waited long enough for the scheduler to close it."""
    require_aware(resolved_at, "resolved_at")
    require_aware(now, "now")
    return now - resolved_at >= window
