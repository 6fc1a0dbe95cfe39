"""The request lifecycle: the full transition table, refusal reasons, and button agreement."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.lifecycle import (
    OPEN_STATUSES,
    Action,
    CloseReason,
    Closure,
    RefusalReason,
    Rejection,
    RejectReason,
    RequestStatus,
    Role,
    TransitionRefused,
    allowed_actions,
    rating_window_expired,
    requires_justification,
    transition,
)

S = RequestStatus
A = Action
MANAGERS = {Role.HEAD, Role.ADMIN}
WORKERS = MANAGERS | {Role.STAFF_ASSIGNEE}
REPORTER = {Role.REPORTER}
ACTIVE = (S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED)

# (status, action) -> (resulting status, roles any one of which permits it). Written out by
# hand from the spec rather than derived from the module, so a change to either shows up here.
ALLOWED: dict[tuple[RequestStatus, Action], tuple[RequestStatus, set[Role]]] = {
    **{(s, A.ASSIGN): (S.ASSIGNED, MANAGERS) for s in ACTIVE},
    (S.NEW, A.TAKE): (S.ASSIGNED, WORKERS),
    (S.REOPENED, A.TAKE): (S.ASSIGNED, WORKERS),
    (S.ASSIGNED, A.UNASSIGN): (S.NEW, WORKERS),
    (S.IN_PROGRESS, A.UNASSIGN): (S.NEW, WORKERS),
    (S.REOPENED, A.UNASSIGN): (S.NEW, WORKERS),
    (S.NEW, A.START): (S.IN_PROGRESS, WORKERS),
    (S.ASSIGNED, A.START): (S.IN_PROGRESS, WORKERS),
    (S.REOPENED, A.START): (S.IN_PROGRESS, WORKERS),
    **{(s, A.RESOLVE): (S.RESOLVED, WORKERS) for s in ACTIVE},
    (S.RESOLVED, A.CONFIRM_FIXED): (S.CLOSED, REPORTER),
    (S.RESOLVED, A.NOT_FIXED): (S.REOPENED, REPORTER),
    **{(s, A.CLOSE): (S.CLOSED, MANAGERS) for s in ACTIVE},
    (S.RESOLVED, A.CLOSE): (S.CLOSED, MANAGERS | {Role.SYSTEM}),
    **{(s, A.REJECT): (S.REJECTED, WORKERS) for s in ACTIVE},
    (S.RESOLVED, A.REOPEN): (S.REOPENED, MANAGERS | REPORTER),
    (S.REJECTED, A.REOPEN): (S.REOPENED, MANAGERS | REPORTER),
    (S.CLOSED, A.REOPEN): (S.REOPENED, MANAGERS),
}

# Pairs not in ALLOWED whose action would leave the request where it already is.
ALREADY = {
    (S.ASSIGNED, A.TAKE),
    (S.NEW, A.UNASSIGN),
    (S.IN_PROGRESS, A.START),
    (S.RESOLVED, A.RESOLVE),
    (S.CLOSED, A.CONFIRM_FIXED),
    (S.REOPENED, A.NOT_FIXED),
    (S.CLOSED, A.CLOSE),
    (S.REJECTED, A.REJECT),
    (S.REOPENED, A.REOPEN),
}

ALL_ROLE_SETS = [
    frozenset(combo)
    for size in range(len(Role) + 1)
    for combo in itertools.combinations(Role, size)
]
ALL_PAIRS = list(itertools.product(RequestStatus, Action))
REFUSED_PAIRS = [pair for pair in ALL_PAIRS if pair not in ALLOWED]

GOOD_REJECTION = Rejection(RejectReason.CANNOT_FIX)
GOOD_CLOSURE = Closure(CloseReason.OTHER, note="handled by the city")


def complete_justification(action: Action) -> Rejection | Closure | None:
    """A justification that satisfies `action`, or None when it takes none."""
    justifications: dict[Action, Rejection | Closure] = {
        A.REJECT: GOOD_REJECTION,
        A.CLOSE: GOOD_CLOSURE,
    }
    return justifications.get(action)


def refusal(
    status: RequestStatus,
    action: Action,
    roles: frozenset[Role],
    justification: Rejection | Closure | None = None,
) -> RefusalReason:
    with pytest.raises(TransitionRefused) as caught:
        transition(status, action, roles, justification)
    assert caught.value.status is status
    assert caught.value.action is action
    return caught.value.reason


def test_the_table_covers_every_status_and_action() -> None:
    assert {status for status, _ in ALLOWED} == set(RequestStatus)
    assert {action for _, action in ALLOWED} == set(Action)
    assert not ALREADY & ALLOWED.keys()


@pytest.mark.parametrize(("status", "action"), list(ALLOWED))
def test_permitted_roles_move_the_request(status: RequestStatus, action: Action) -> None:
    target, permitted = ALLOWED[status, action]
    for roles in ALL_ROLE_SETS:
        if roles & permitted:
            assert transition(status, action, roles, complete_justification(action)) is target
        else:
            assert refusal(status, action, roles, complete_justification(action)) is (
                RefusalReason.FORBIDDEN_FOR_ROLE
            )


@pytest.mark.parametrize(("status", "action"), REFUSED_PAIRS)
def test_everything_else_is_refused_for_everyone(status: RequestStatus, action: Action) -> None:
    expected = (
        RefusalReason.ALREADY_IN_STATE
        if (status, action) in ALREADY
        else RefusalReason.NOT_ALLOWED_IN_STATE
    )
    for roles in ALL_ROLE_SETS:
        assert refusal(status, action, roles, complete_justification(action)) is expected


@pytest.mark.parametrize(
    ("status", "action", "roles", "expected"),
    [
        (S.NEW, A.RESOLVE, {Role.STAFF_ASSIGNEE}, S.RESOLVED),
        (S.REOPENED, A.START, {Role.STAFF_ASSIGNEE}, S.IN_PROGRESS),
        (S.REOPENED, A.RESOLVE, {Role.STAFF_ASSIGNEE}, S.RESOLVED),
        (S.RESOLVED, A.CONFIRM_FIXED, {Role.REPORTER, Role.RESIDENT}, S.CLOSED),
        (S.RESOLVED, A.NOT_FIXED, {Role.REPORTER}, S.REOPENED),
        (S.CLOSED, A.REOPEN, {Role.ADMIN}, S.REOPENED),
        (S.IN_PROGRESS, A.ASSIGN, {Role.HEAD}, S.ASSIGNED),
    ],
)
def test_spec_examples(
    status: RequestStatus, action: Action, roles: set[Role], expected: RequestStatus
) -> None:
    assert transition(status, action, frozenset(roles)) is expected


@pytest.mark.parametrize(
    ("status", "action", "roles"),
    [
        (S.CLOSED, A.REOPEN, {Role.REPORTER}),
        (S.RESOLVED, A.CONFIRM_FIXED, {Role.HEAD, Role.ADMIN, Role.STAFF_ASSIGNEE}),
        (S.NEW, A.TAKE, {Role.STAFF, Role.RESIDENT}),
        (S.NEW, A.ASSIGN, {Role.STAFF_ASSIGNEE}),
    ],
)
def test_spec_refusals_by_role(status: RequestStatus, action: Action, roles: set[Role]) -> None:
    assert refusal(status, action, frozenset(roles)) is RefusalReason.FORBIDDEN_FOR_ROLE


def test_the_system_may_only_auto_close_resolved_requests() -> None:
    system = frozenset({Role.SYSTEM})
    closure = Closure(CloseReason.NO_RATING_IN_TIME)
    assert allowed_actions(S.RESOLVED, system) == {A.CLOSE}
    assert transition(S.RESOLVED, A.CLOSE, system, closure) is S.CLOSED
    for status in OPEN_STATUSES:
        assert allowed_actions(status, system) == frozenset()


def test_residents_and_other_staff_have_no_lifecycle_powers() -> None:
    bystanders = frozenset({Role.RESIDENT, Role.STAFF, Role.SUPPORTER})
    for status in RequestStatus:
        assert allowed_actions(status, bystanders) == frozenset()


@pytest.mark.parametrize(
    "rejection",
    [
        Rejection(RejectReason.DUPLICATE),
        Rejection(RejectReason.OTHER),
        Rejection(RejectReason.OTHER, note="   "),
        None,
    ],
)
def test_reject_needs_a_complete_rejection(rejection: Rejection | None) -> None:
    roles = frozenset({Role.STAFF_ASSIGNEE})
    assert refusal(S.ASSIGNED, A.REJECT, roles, rejection) is RefusalReason.MISSING_REASON


@pytest.mark.parametrize(
    "rejection",
    [
        Rejection(RejectReason.DUPLICATE, duplicate_of=41),
        Rejection(RejectReason.NOT_OUR_RESPONSIBILITY),
        Rejection(RejectReason.CANNOT_FIX),
        Rejection(RejectReason.OTHER, note="tenant's own appliance"),
    ],
)
def test_complete_rejections_are_accepted(rejection: Rejection) -> None:
    assert transition(S.NEW, A.REJECT, frozenset({Role.HEAD}), rejection) is S.REJECTED


@pytest.mark.parametrize(
    "closure",
    [None, Closure(CloseReason.OTHER), Closure(CloseReason.OTHER, note="\n")],
)
def test_close_needs_a_complete_closure(closure: Closure | None) -> None:
    assert refusal(S.NEW, A.CLOSE, frozenset({Role.ADMIN}), closure) is (
        RefusalReason.MISSING_REASON
    )


def test_a_justification_of_the_wrong_kind_is_missing() -> None:
    roles = frozenset({Role.HEAD})
    assert refusal(S.NEW, A.CLOSE, roles, GOOD_REJECTION) is RefusalReason.MISSING_REASON
    assert refusal(S.NEW, A.REJECT, roles, GOOD_CLOSURE) is RefusalReason.MISSING_REASON


def test_role_is_checked_before_the_justification() -> None:
    assert refusal(S.NEW, A.REJECT, frozenset({Role.RESIDENT})) is (
        RefusalReason.FORBIDDEN_FOR_ROLE
    )


def test_a_justification_for_an_action_that_takes_none_is_a_bug() -> None:
    with pytest.raises(ValueError, match="takes no justification"):
        transition(S.NEW, A.RESOLVE, frozenset({Role.HEAD}), GOOD_REJECTION)


def test_only_reject_and_close_need_a_justification() -> None:
    assert {action for action in Action if requires_justification(action)} == {A.REJECT, A.CLOSE}


@given(
    status=st.sampled_from(RequestStatus),
    action=st.sampled_from(Action),
    roles=st.frozensets(st.sampled_from(Role)),
)
def test_buttons_agree_with_transitions(
    status: RequestStatus, action: Action, roles: frozenset[Role]
) -> None:
    justification = complete_justification(action)
    if action in allowed_actions(status, roles):
        assert transition(status, action, roles, justification) in RequestStatus
    else:
        assert refusal(status, action, roles, justification) is not RefusalReason.MISSING_REASON


@given(
    status=st.sampled_from(RequestStatus),
    action=st.sampled_from([A.REJECT, A.CLOSE]),
    roles=st.frozensets(st.sampled_from(Role)),
)
def test_offered_actions_without_a_justification_only_miss_the_reason(
    status: RequestStatus, action: Action, roles: frozenset[Role]
) -> None:
    if action in allowed_actions(status, roles):
        assert refusal(status, action, roles) is RefusalReason.MISSING_REASON


def test_rating_window() -> None:
    resolved = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert not rating_window_expired(resolved, resolved + timedelta(days=3, seconds=-1))
    assert rating_window_expired(resolved, resolved + timedelta(days=3))
    assert rating_window_expired(resolved, resolved + timedelta(hours=2), timedelta(hours=2))


def test_rating_window_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        rating_window_expired(datetime(2024, 5, 1), datetime(2024, 5, 5, tzinfo=UTC))
