"""Each request's next due moment: the pure rule, and storage keeping it on every change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.domain.community import CommunityRole
from bot.domain.due import DueRules, next_due_at, ping_moments
from bot.domain.escalation import StaffLevel, StaffMember
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.ping_planner import RequestSnapshot, SendingRules, plan_pings
from bot.domain.quiet_hours import QuietHours
from bot.domain.sla import RequestTimes, SlaPolicy, Urgency
from storage.buildings import BuildingRepository
from storage.database import Database
from storage.pings import PingEffects, apply_ping
from storage.requests import NewRequest, RequestRepository
from storage.roles import RoleRepository, ensure_person

START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
POLICY = SlaPolicy()  # normal: respond within 24 h, resolve within 72 h, grace 2 h
RULES = DueRules(POLICY, timedelta(days=3))
SHANGHAI = SendingRules(ZoneInfo("Asia/Shanghai"), QuietHours(time(22, 0), time(8, 0)))


def _snapshot(**changes: object) -> RequestSnapshot:
    fields: dict[str, object] = {
        "request_id": 7,
        "building_id": 1,
        "category": "water",
        "urgency": Urgency.NORMAL,
        "status": RequestStatus.NEW,
        "times": RequestTimes(created_at=START),
        "level": StaffLevel(1),
    }
    fields.update(changes)
    return RequestSnapshot(**fields)  # type: ignore[arg-type]


def test_a_new_request_is_due_at_its_response_reminder() -> None:
    assert next_due_at(_snapshot(), None, RULES, START) == START + timedelta(hours=18)


def test_a_response_moves_it_to_the_resolution_reminder() -> None:
    answered = _snapshot(
        status=RequestStatus.ASSIGNED,
        assignee_id=5,
        times=RequestTimes(created_at=START, responded_at=START + timedelta(hours=1)),
    )
    assert next_due_at(answered, None, RULES, START) == START + timedelta(hours=54)


def test_resolved_waits_for_the_rating_window_and_closed_needs_nothing() -> None:
    resolved_at = START + timedelta(hours=5)
    resolved = _snapshot(status=RequestStatus.RESOLVED)
    assert next_due_at(resolved, resolved_at, RULES, START) == resolved_at + timedelta(days=3)
    for status in (RequestStatus.CLOSED, RequestStatus.REJECTED):
        assert next_due_at(_snapshot(status=status), resolved_at, RULES, START) is None


def test_after_planning_only_later_moments_count_and_quiet_hours_push_them() -> None:
    request = _snapshot()
    reminder = START + timedelta(hours=18)  # 04:00 in Shanghai: quiet until 08:00
    moment = next_due_at(request, None, RULES, reminder, planned=True, sending=SHANGHAI)
    assert moment == START + timedelta(hours=22)  # 08:00 local: the held reminder goes
    at_eight = next_due_at(request, None, RULES, moment, planned=True, sending=SHANGHAI)
    assert at_eight == START + timedelta(hours=24)  # then the response deadline escalates


def test_an_escalation_waits_a_grace_period_but_owner_pings_do_not() -> None:
    escalated_at = START + timedelta(hours=73)  # after the resolve deadline
    request = _snapshot(
        status=RequestStatus.ASSIGNED,
        assignee_id=5,
        times=RequestTimes(created_at=START, responded_at=START),
        escalated_at=escalated_at,
    )
    moments = ping_moments(request, POLICY)
    assert START + timedelta(hours=54) in moments  # the reminder keeps its moment
    assert min(m for m in moments if m > START + timedelta(hours=72)) == escalated_at + (
        timedelta(hours=2)
    )


ROSTER = [
    StaffMember(5, None, frozenset({"water"}), StaffLevel(1)),
    StaffMember(6, None, frozenset(), StaffLevel(2)),
]


@pytest.mark.parametrize("assignee", [None, 5])
@pytest.mark.parametrize("minutes", range(0, 5 * 24 * 60, 41))
def test_no_new_ping_falls_due_before_the_stored_moment(
    minutes: int, assignee: int | None
) -> None:
    """Wherever the planner stopped, the next ping it has not planned yet never comes due
    before the moment it stores (a late moment would lose a reminder)."""
    request = _snapshot(assignee_id=assignee)
    stopped = START + timedelta(minutes=minutes)
    handled = {p.dedup_key for p in plan_pings(request, POLICY, ROSTER, SHANGHAI, stopped)}
    moment = next_due_at(request, None, RULES, stopped, planned=True, sending=SHANGHAI)
    later = stopped + timedelta(minutes=1)
    while later < START + timedelta(days=6):
        planned = plan_pings(request, POLICY, ROSTER, SHANGHAI, later)
        if any(p.dedup_key not in handled for p in planned):
            assert moment is not None
            assert moment <= later
            return
        later += timedelta(minutes=7)


# -- storage keeps the moment on every state change ----------------------------------------


@dataclass
class Store:
    db: Database
    clock: FakeClock
    requests: RequestRepository
    building_id: int


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(START)
    building, _ = await BuildingRepository(db, clock).ensure("Building 5")
    requests = RequestRepository(db, clock, lambda: RULES)
    async with db.transaction() as conn:
        await ensure_person(conn, 5, int(START.timestamp()))
    yield Store(db, clock, requests, building.id)
    await db.close()


async def _stored_due(store: Store, request_id: int) -> datetime | None:
    request = await store.requests.get(request_id)
    assert request is not None
    return request.next_due_at


async def _new(store: Store, reporter: int = 100) -> int:
    request, created = await store.requests.create(
        NewRequest(store.building_id, None, None, reporter, "water", False, None, "leak")
    )
    assert created
    await store.requests.update(request.id, level=1)
    return request.id


async def test_every_state_change_stores_a_new_due_moment(store: Store) -> None:
    number = await _new(store)
    assert await _stored_due(store, number) == START + timedelta(hours=18)

    store.clock.advance(timedelta(hours=2))
    taken = await store.requests.change_status(
        number,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.ASSIGNED,
        action="take",
        actor_id=5,
        assignee_id=5,
    )
    assert taken is not None
    assert await _stored_due(store, number) == START + timedelta(hours=54)  # resolve reminder

    store.clock.advance(timedelta(hours=1))
    resolved = await store.requests.change_status(
        number,
        expected=RequestStatus.ASSIGNED,
        new_status=RequestStatus.RESOLVED,
        action="resolve",
        actor_id=5,
    )
    assert resolved is not None
    assert await _stored_due(store, number) == START + timedelta(hours=3, days=3)

    store.clock.advance(timedelta(hours=1))
    reopened_at = store.clock.now()
    reopened = await store.requests.change_status(
        number,
        expected=RequestStatus.RESOLVED,
        new_status=RequestStatus.REOPENED,
        action="reopen",
        actor_id=100,
    )
    assert reopened is not None
    # A new cycle: nobody has answered it since the reopening.
    assert await _stored_due(store, number) == reopened_at + timedelta(hours=18)

    await store.requests.update(number, urgent=1)  # urgent: respond within 1 h
    assert await _stored_due(store, number) == reopened_at + timedelta(minutes=45)

    closed = await store.requests.change_status(
        number,
        expected=RequestStatus.REOPENED,
        new_status=RequestStatus.CLOSED,
        action="close",
        actor_id=None,
    )
    assert closed is not None
    assert await _stored_due(store, number) is None


async def test_an_escalation_and_a_recategorisation_move_the_moment(store: Store) -> None:
    number = await _new(store)
    store.clock.advance(timedelta(hours=24))
    await apply_ping(
        store.db,
        PingEffects("k", number, "escalate_unassigned", "", new_level=2, escalated=True),
        [],
        store.clock.now(),
    )
    # The tick re-reads the request after acting; a state change through the repository:
    await store.requests.update(number, level=2, escalated_at=int(store.clock.now().timestamp()))
    escalated = await _stored_due(store, number)
    assert escalated is not None
    assert escalated <= store.clock.now()
    planned = next_due_at(
        _snapshot(level=StaffLevel(2), escalated_at=store.clock.now()),
        None,
        RULES,
        store.clock.now(),
        planned=True,
    )
    assert planned == store.clock.now() + timedelta(hours=2)  # next rung after the grace

    other = await _new(store, reporter=101)
    before = await _stored_due(store, other)
    await store.requests.update(other, category="noise", category_alternative=None)
    assert await _stored_due(store, other) is not None
    await store.requests.set_card(other, -1, 5)  # not a scheduling change
    assert await _stored_due(store, other) is not None
    assert before is not None


async def test_due_pages_read_only_due_open_requests_in_order(store: Store) -> None:
    numbers = [await _new(store, reporter=200 + i) for i in range(5)]
    await store.requests.change_status(
        numbers[0],
        expected=RequestStatus.NEW,
        new_status=RequestStatus.RESOLVED,
        action="resolve",
        actor_id=5,
    )
    statuses = sorted(OPEN_STATUSES)
    assert await store.requests.due(START + timedelta(hours=17), statuses) == []
    later = START + timedelta(hours=18)
    first = await store.requests.due(later, statuses, limit=2)
    assert [r.id for r in first] == numbers[1:3]
    last = first[-1]
    assert last.next_due_at is not None
    rest = await store.requests.due(later, statuses, after=(last.next_due_at, last.id))
    assert [r.id for r in rest] == numbers[3:]
    # A moment a state change stored meanwhile is not overwritten by a stale tick.
    assert not await store.requests.set_next_due(numbers[1], None, expected=START)
    assert await _stored_due(store, numbers[1]) == later


async def test_changed_deadlines_bring_stored_moments_forward_once(store: Store) -> None:
    number = await _new(store)
    assert await store.requests.follow_due_rules() == 1  # first start: nothing known yet
    assert await store.requests.follow_due_rules() == 0  # same rules: nothing to do
    assert await _stored_due(store, number) == START  # the earliest it could need
    store.requests.use_due_rules(lambda: RULES)
    await store.requests.update(number, level=1)  # a state change stores the exact moment
    assert await _stored_due(store, number) == START + timedelta(hours=18)
    assert await store.requests.follow_due_rules() == 0
    shorter = DueRules(POLICY, timedelta(days=1))
    store.requests.use_due_rules(lambda: shorter)
    assert await store.requests.follow_due_rules() == 1
    assert await _stored_due(store, number) == START


async def test_new_staff_in_a_building_gets_its_open_requests_replanned(store: Store) -> None:
    number = await _new(store)
    assert await _stored_due(store, number) == START + timedelta(hours=18)
    store.clock.advance(timedelta(hours=19))  # past the reminder, when nobody was on duty:
    # the tick found no owner to remind and stored the next moment (the deadline).
    reminder, deadline = START + timedelta(hours=18), START + timedelta(hours=24)
    assert await store.requests.set_next_due(number, deadline, expected=reminder)
    roles = RoleRepository(store.db, store.clock)
    await roles.assign(store.building_id, 9, CommunityRole.STAFF, actor_id=None)
    assert await _stored_due(store, number) == store.clock.now()  # the next tick re-plans it
