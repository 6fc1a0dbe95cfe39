"""Planning reminders, overdue pings and escalations: timing, coalescing, keys, quiet hours."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.escalation import EscalationStep, StaffLevel, StaffMember, TopOfLadder
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.ping_planner import (
    PingKind,
    PlannedPing,
    RequestSnapshot,
    SendingRules,
    next_planning_at,
    plan_pings,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.sla import RequestTimes, SlaPolicy, SlaTargets, Urgency

L1, L2, L3 = StaffLevel.VOLUNTEER, StaffLevel.PROPERTY_MANAGER, StaffLevel.COMMUNITY_OFFICE
K = PingKind
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME = 1
REQUEST_ID = 42
ASSIGNEE = 10
# 2024-06-03 00:00 UTC is 08:00 in Shanghai.
CREATED = datetime(2024, 6, 3, tzinfo=UTC)
POLICY = SlaPolicy()  # normal: respond 24 h (remind 18 h), resolve 72 h (remind 54 h), grace 2 h
ALWAYS = SendingRules(UTC, QuietHours.never())
NIGHTS_IN_SHANGHAI = SendingRules(SHANGHAI, QuietHours())


def staff(person_id: int, level: StaffLevel) -> StaffMember:
    return StaffMember(person_id, HOME, frozenset({"*"}), level)


ROSTER = [staff(10, L1), staff(11, L1), staff(20, L2), staff(30, L3)]


def at(hours: float) -> datetime:
    return CREATED + timedelta(hours=hours)


UNASSIGNED = RequestSnapshot(
    request_id=REQUEST_ID,
    building_id=HOME,
    category="plumbing",
    urgency=Urgency.NORMAL,
    status=RequestStatus.NEW,
    times=RequestTimes(CREATED),
    level=L1,
)


ASSIGNED = replace(UNASSIGNED, status=RequestStatus.ASSIGNED, assignee_id=ASSIGNEE)
STARTED = replace(
    UNASSIGNED,
    status=RequestStatus.IN_PROGRESS,
    assignee_id=ASSIGNEE,
    times=RequestTimes(CREATED, responded_at=at(1)),
)


def plan(
    request: RequestSnapshot,
    hours: float,
    roster: list[StaffMember] = ROSTER,
    rules: SendingRules = ALWAYS,
) -> list[PlannedPing]:
    return plan_pings(request, POLICY, roster, rules, at(hours))


def kinds(pings: list[PlannedPing]) -> list[PingKind]:
    return [ping.kind for ping in pings]


# --- what becomes due when -------------------------------------------------------------------


def test_nothing_before_the_first_reminder() -> None:
    for request in (UNASSIGNED, ASSIGNED, STARTED):
        assert plan(request, 0) == []
        assert plan(request, 18 - 1 / 3600) == []


def test_unassigned_reminder_goes_to_everyone_on_the_level() -> None:
    [ping] = plan(UNASSIGNED, 18)
    assert ping.kind is K.REMIND_RESPONSE
    assert ping.recipient_ids == (10, 11)
    assert ping.deadline == at(24)
    assert ping.due_at == at(18)
    assert ping.rung is None
    assert not ping.notify_heads_and_admins


def test_unassigned_request_escalates_at_the_response_deadline_without_an_overdue_ping() -> None:
    assert kinds(plan(UNASSIGNED, 24 - 1 / 3600)) == [K.REMIND_RESPONSE]
    remind, escalate = plan(UNASSIGNED, 24)
    assert remind.kind is K.REMIND_RESPONSE  # still the latest owner ping: no overdue notice
    assert escalate.kind is K.ESCALATE_UNASSIGNED
    assert escalate.rung == EscalationStep(L2, (ROSTER[2],))
    assert escalate.recipient_ids == (20,)
    assert escalate.due_at == at(24)


def test_assigned_request_gets_reminder_then_overdue_then_escalation_after_grace() -> None:
    [remind] = plan(ASSIGNED, 18)
    assert (remind.kind, remind.recipient_ids) == (K.REMIND_RESPONSE, (ASSIGNEE,))
    [overdue] = plan(ASSIGNED, 24)
    assert (overdue.kind, overdue.recipient_ids) == (K.OVERDUE_RESPONSE, (ASSIGNEE,))
    assert kinds(plan(ASSIGNED, 26 - 1 / 3600)) == [K.OVERDUE_RESPONSE]
    overdue_again, escalate = plan(ASSIGNED, 26)
    assert overdue_again == overdue
    assert escalate.kind is K.ESCALATE_RESPONSE
    assert escalate.recipient_ids == (20,)


def test_urgent_grace_is_a_quarter_hour() -> None:
    urgent = replace(ASSIGNED, urgency=Urgency.URGENT)  # respond within 1 h
    assert kinds(plan(urgent, 0.75)) == [K.REMIND_RESPONSE]
    assert kinds(plan(urgent, 1)) == [K.OVERDUE_RESPONSE]
    assert kinds(plan(urgent, 1.25)) == [K.OVERDUE_RESPONSE, K.ESCALATE_RESPONSE]


def test_a_response_stops_response_pings() -> None:
    assert plan(STARTED, 30) == []
    [remind] = plan(STARTED, 54)
    assert remind.kind is K.REMIND_RESOLUTION
    assert remind.deadline == at(72)


def test_missed_resolution_pings_the_owner_then_escalates() -> None:
    assert kinds(plan(STARTED, 72)) == [K.OVERDUE_RESOLUTION]
    overdue, escalate = plan(STARTED, 74)
    assert overdue.kind is K.OVERDUE_RESOLUTION
    assert escalate.kind is K.ESCALATE_RESOLUTION
    assert escalate.rung == EscalationStep(L2, (ROSTER[2],))


def test_escalation_skips_levels_without_staff() -> None:
    roster = [staff(10, L1), staff(30, L3)]
    [_, escalate] = plan(UNASSIGNED, 24, roster)
    assert escalate.rung == EscalationStep(L3, (roster[1],))


def test_top_of_ladder_notifies_heads_and_admins() -> None:
    at_top = replace(UNASSIGNED, level=L3)
    [remind, escalate] = plan(at_top, 24)
    assert remind.recipient_ids == (30,)
    assert escalate.rung == TopOfLadder()
    assert escalate.notify_heads_and_admins
    assert escalate.recipient_ids == ()


def test_request_nobody_serves_escalates_straight_to_heads() -> None:
    orphan = replace(UNASSIGNED, level=None)
    assert plan(orphan, 18, roster=[]) == []  # no owner to remind
    [escalate] = plan(orphan, 24, roster=[])
    assert escalate.kind is K.ESCALATE_UNASSIGNED
    assert escalate.notify_heads_and_admins
    assert escalate.dedup_key.endswith(":from-none")


def test_an_owner_ping_with_nobody_to_receive_it_is_dropped() -> None:
    # The level holding the request lost its staff; the escalation still happens.
    assert plan(replace(UNASSIGNED, level=L2), 18, roster=[staff(10, L1), staff(30, L3)]) == []
    [escalate] = plan(replace(UNASSIGNED, level=L2), 24, roster=[staff(10, L1), staff(30, L3)])
    assert escalate.recipient_ids == (30,)


def test_next_rung_waits_a_grace_period_after_the_last_escalation() -> None:
    moved = replace(UNASSIGNED, level=L2, escalated_at=at(24))
    assert kinds(plan(moved, 26 - 1 / 3600)) == [K.REMIND_RESPONSE]
    [_, escalate] = plan(moved, 26)
    assert escalate.kind is K.ESCALATE_UNASSIGNED
    assert escalate.rung == EscalationStep(L3, (ROSTER[3],))
    assert escalate.due_at == at(26)


@pytest.mark.parametrize("status", sorted(set(RequestStatus) - OPEN_STATUSES))
def test_finished_requests_need_nothing(status: RequestStatus) -> None:
    finished = replace(ASSIGNED, status=status)
    assert plan(finished, 500) == []
    assert next_planning_at(finished, POLICY, ROSTER, ALWAYS, at(0)) is None


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_every_open_status_is_watched(status: RequestStatus) -> None:
    assert kinds(plan(replace(ASSIGNED, status=status), 24)) == [K.OVERDUE_RESPONSE]


def test_plan_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        plan_pings(UNASSIGNED, POLICY, ROSTER, ALWAYS, datetime(2024, 6, 3))
    with pytest.raises(ValueError, match="escalated_at"):
        replace(UNASSIGNED, escalated_at=datetime(2024, 6, 3))


# --- coalescing after downtime ---------------------------------------------------------------


def test_after_downtime_only_the_latest_owner_ping_and_one_escalation() -> None:
    # Everything up to the missed resolution deadline came due while the bot was down.
    overdue, escalate = plan(ASSIGNED, 80)
    assert overdue.kind is K.OVERDUE_RESOLUTION
    assert escalate.kind is K.ESCALATE_RESOLUTION
    assert escalate.rung == EscalationStep(L2, (ROSTER[2],))
    assert kinds(plan(ASSIGNED, 60)) == [K.REMIND_RESOLUTION, K.ESCALATE_RESPONSE]


def test_owner_pings_due_together_prefer_the_overdue_notice() -> None:
    # Resolving within 32 h puts its reminder (24 h) exactly on the response deadline.
    targets = SlaTargets(timedelta(hours=24), timedelta(hours=32))
    policy = SlaPolicy(defaults=dict.fromkeys(Urgency, targets))
    for hours, expected in (
        (24, K.OVERDUE_RESPONSE),
        (30, K.OVERDUE_RESPONSE),
        (32, K.OVERDUE_RESOLUTION),
    ):
        owner_ping = plan_pings(ASSIGNED, policy, ROSTER, ALWAYS, at(hours))[0]
        assert owner_ping.kind is expected


# --- dedup keys ------------------------------------------------------------------------------


def test_dedup_keys_spell_request_kind_deadline_and_origin() -> None:
    remind, escalate = plan(UNASSIGNED, 24)
    assert remind.dedup_key == "42:remind_response:2024-06-04T00:00:00+00:00"
    assert escalate.dedup_key == "42:escalate_unassigned:2024-06-04T00:00:00+00:00:from-1"
    [overdue] = plan(STARTED, 72)
    assert overdue.dedup_key == "42:overdue_resolution:2024-06-06T00:00:00+00:00"


def test_dedup_keys_are_stable_across_replanning_and_zones() -> None:
    in_shanghai = replace(UNASSIGNED, times=RequestTimes(CREATED.astimezone(SHANGHAI)))
    first = plan(UNASSIGNED, 24)
    for hours, request in itertools.product((24, 25, 25.9), (UNASSIGNED, in_shanghai)):
        assert [p.dedup_key for p in plan(request, hours)] == [p.dedup_key for p in first]


def test_reopening_starts_fresh_keys() -> None:
    reopened = replace(
        ASSIGNED,
        status=RequestStatus.REOPENED,
        times=RequestTimes(CREATED, responded_at=at(1), reopened_at=at(100)),
    )
    [remind] = plan(reopened, 118)
    assert remind.kind is K.REMIND_RESPONSE
    assert remind.dedup_key == "42:remind_response:2024-06-08T04:00:00+00:00"
    assert remind.dedup_key not in {p.dedup_key for p in plan(ASSIGNED, 18)}


def test_escalation_keys_differ_per_rung() -> None:
    [_, first] = plan(UNASSIGNED, 24)
    [_, second] = plan(replace(UNASSIGNED, level=L2, escalated_at=at(24)), 26)
    assert first.dedup_key != second.dedup_key


# --- quiet hours -----------------------------------------------------------------------------


def night_request(urgency: Urgency) -> RequestSnapshot:
    # Created 20:00 Shanghai; respond within 4 h: reminder 23:00, deadline 00:00, both quiet.
    return replace(
        ASSIGNED,
        urgency=urgency,
        times=RequestTimes(datetime(2024, 6, 3, 20, tzinfo=SHANGHAI)),
    )


NIGHT_POLICY = SlaPolicy(
    defaults=dict.fromkeys(Urgency, SlaTargets(timedelta(hours=4), timedelta(hours=72)))
)


def plan_at_night(urgency: Urgency, hour: int, day: int = 3) -> list[PlannedPing]:
    now = datetime(2024, 6, day, hour, tzinfo=SHANGHAI)
    return plan_pings(night_request(urgency), NIGHT_POLICY, ROSTER, NIGHTS_IN_SHANGHAI, now)


def test_non_urgent_pings_wait_for_morning_and_coalesce() -> None:
    assert plan_at_night(Urgency.NORMAL, 23) == []
    assert plan_at_night(Urgency.NORMAL, 3, day=4) == []
    overdue, escalate = plan_at_night(Urgency.NORMAL, 7, day=4)
    assert overdue.kind is K.OVERDUE_RESPONSE  # the 23:00 reminder is moot by now
    assert escalate.kind is K.ESCALATE_RESPONSE
    wake = next_planning_at(
        night_request(Urgency.NORMAL),
        NIGHT_POLICY,
        ROSTER,
        NIGHTS_IN_SHANGHAI,
        datetime(2024, 6, 3, 22, tzinfo=SHANGHAI),
    )
    assert wake == datetime(2024, 6, 4, 7, tzinfo=SHANGHAI)


def test_urgent_pings_ignore_quiet_hours() -> None:
    assert kinds(plan_at_night(Urgency.URGENT, 23)) == [K.REMIND_RESPONSE]


# --- a scheduler driving the planner ---------------------------------------------------------


@dataclass
class Scheduler:
    """What the real job does: send unsent keys, record escalations, sleep until told."""

    request: RequestSnapshot
    roster: list[StaffMember] = field(default_factory=lambda: ROSTER)
    rules: SendingRules = ALWAYS
    policy: SlaPolicy = POLICY
    sent: list[tuple[float, PingKind, tuple[int, ...] | str]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def tick(self, now: datetime) -> None:
        for ping in plan_pings(self.request, self.policy, self.roster, self.rules, now):
            if ping.dedup_key in self.keys:
                continue
            self.keys.add(ping.dedup_key)
            hours = (now - CREATED) / timedelta(hours=1)
            target = "heads" if ping.notify_heads_and_admins else ping.recipient_ids
            self.sent.append((hours, ping.kind, target))
            if isinstance(ping.rung, EscalationStep):
                self.request = replace(self.request, level=ping.rung.level, escalated_at=now)

    def run_on_wake_ups(self, start: datetime, until: datetime) -> None:
        now: datetime | None = start
        while now is not None and now <= until:
            self.tick(now)
            woken_at = now
            now = next_planning_at(self.request, self.policy, self.roster, self.rules, now)
            assert now is None or now > woken_at, "the scheduler would spin"

    def run_polling(self, start: datetime, until: datetime, step: timedelta) -> None:
        now = start
        while now <= until:
            self.tick(now)
            now += step


def test_unassigned_request_climbs_the_whole_ladder() -> None:
    scheduler = Scheduler(UNASSIGNED)
    scheduler.run_on_wake_ups(at(0), at(200))
    assert scheduler.sent == [
        (18, K.REMIND_RESPONSE, (10, 11)),
        (24, K.ESCALATE_UNASSIGNED, (20,)),
        (26, K.ESCALATE_UNASSIGNED, (30,)),
        (28, K.ESCALATE_UNASSIGNED, "heads"),
        (54, K.REMIND_RESOLUTION, (30,)),
        (72, K.OVERDUE_RESOLUTION, (30,)),
        (74, K.ESCALATE_RESOLUTION, "heads"),
    ]


def test_assigned_request_timeline() -> None:
    scheduler = Scheduler(ASSIGNED)
    scheduler.run_on_wake_ups(at(0), at(200))
    assert scheduler.sent == [
        (18, K.REMIND_RESPONSE, (ASSIGNEE,)),
        (24, K.OVERDUE_RESPONSE, (ASSIGNEE,)),
        (26, K.ESCALATE_RESPONSE, (20,)),
        (28, K.ESCALATE_RESPONSE, (30,)),
        (30, K.ESCALATE_RESPONSE, "heads"),
        (54, K.REMIND_RESOLUTION, (ASSIGNEE,)),
        (72, K.OVERDUE_RESOLUTION, (ASSIGNEE,)),
        (74, K.ESCALATE_RESOLUTION, "heads"),
    ]


def test_after_a_long_outage_the_ladder_is_climbed_one_rung_per_grace_period() -> None:
    scheduler = Scheduler(UNASSIGNED)
    scheduler.run_on_wake_ups(at(80), at(200))
    assert scheduler.sent == [
        (80, K.OVERDUE_RESOLUTION, (10, 11)),
        (80, K.ESCALATE_RESOLUTION, (20,)),
        (82, K.ESCALATE_RESOLUTION, (30,)),
        (84, K.ESCALATE_RESOLUTION, "heads"),
    ]


def test_a_restart_resends_nothing() -> None:
    scheduler = Scheduler(ASSIGNED)
    scheduler.run_on_wake_ups(at(0), at(27))
    sent_before = list(scheduler.sent)
    for hours in (27, 27.5):  # restarted twice; planning again from stored state
        scheduler.tick(at(hours))
    assert scheduler.sent == sent_before


SCENARIOS = {
    "unassigned": (UNASSIGNED, ALWAYS),
    "assigned": (ASSIGNED, ALWAYS),
    "started": (STARTED, ALWAYS),
    "urgent": (replace(ASSIGNED, urgency=Urgency.URGENT), ALWAYS),
    "quiet-normal": (UNASSIGNED, NIGHTS_IN_SHANGHAI),
    "quiet-assigned": (ASSIGNED, NIGHTS_IN_SHANGHAI),
    "quiet-urgent": (replace(UNASSIGNED, urgency=Urgency.URGENT), NIGHTS_IN_SHANGHAI),
    "orphan": (replace(UNASSIGNED, level=None), ALWAYS),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_waking_when_told_sends_what_polling_sends(name: str) -> None:
    request, rules = SCENARIOS[name]
    roster = [] if name == "orphan" else ROSTER
    woken = Scheduler(request, roster, rules)
    woken.run_on_wake_ups(at(0), at(120))
    polled = Scheduler(request, roster, rules)
    polled.run_polling(at(0), at(120), timedelta(minutes=5))
    assert woken.sent == polled.sent
    assert woken.sent  # every scenario has something to say within five days
