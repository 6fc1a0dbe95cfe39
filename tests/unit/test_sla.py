"""SLA deadlines: targets and their precedence, calendar-time arithmetic, and SLA states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.sla import (
    Deadlines,
    RequestTimes,
    SlaOverrides,
    SlaPolicy,
    SlaStatus,
    SlaTargets,
    Urgency,
    sla_state,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
BUILDING = 7
OTHER_BUILDING = 8


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def targets(respond: float, resolve: float) -> SlaTargets:
    return SlaTargets(hours(respond), hours(resolve))


# --- targets ---------------------------------------------------------------------------------


def test_default_targets() -> None:
    policy = SlaPolicy()
    assert policy.targets_for("plumbing", Urgency.URGENT, BUILDING) == targets(1, 24)
    assert policy.targets_for("plumbing", Urgency.NORMAL, BUILDING) == targets(24, 72)
    assert policy.reminder_fraction == 0.75
    assert policy.grace_for(Urgency.NORMAL) == hours(2)
    assert policy.grace_for(Urgency.URGENT) == timedelta(minutes=15)


LAYERED = SlaPolicy(
    category_overrides={
        ("lift", Urgency.URGENT): targets(0.5, 4),
        ("garden", Urgency.NORMAL): targets(48, 168),
    },
    building_overrides={
        BUILDING: SlaOverrides(
            by_urgency={Urgency.URGENT: targets(2, 36)},
            by_category={("lift", Urgency.URGENT): targets(0.25, 2)},
        ),
        OTHER_BUILDING: SlaOverrides(by_urgency={Urgency.URGENT: targets(3, 48)}),
    },
)


@pytest.mark.parametrize(
    ("category", "urgency", "building", "expected"),
    [
        # The building's own category target beats everything.
        ("lift", Urgency.URGENT, BUILDING, targets(0.25, 2)),
        # A global category target beats a building's per-urgency default.
        ("lift", Urgency.URGENT, OTHER_BUILDING, targets(0.5, 4)),
        # The building default beats the global default.
        ("plumbing", Urgency.URGENT, OTHER_BUILDING, targets(3, 48)),
        ("plumbing", Urgency.URGENT, BUILDING, targets(2, 36)),
        # Overrides are per urgency: normal requests fall through to the global default.
        ("lift", Urgency.NORMAL, BUILDING, targets(24, 72)),
        ("garden", Urgency.NORMAL, BUILDING, targets(48, 168)),
        # Buildings without overrides use the global layers.
        ("plumbing", Urgency.URGENT, 99, targets(1, 24)),
        ("lift", Urgency.URGENT, 99, targets(0.5, 4)),
    ],
)
def test_target_precedence(
    category: str, urgency: Urgency, building: int, expected: SlaTargets
) -> None:
    assert LAYERED.targets_for(category, urgency, building) == expected


@pytest.mark.parametrize("bad", [timedelta(0), -HOUR])
def test_targets_must_be_positive(bad: timedelta) -> None:
    with pytest.raises(ValueError, match="positive"):
        SlaTargets(bad, HOUR)
    with pytest.raises(ValueError, match="positive"):
        SlaTargets(HOUR, bad)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.1])
def test_reminder_fraction_must_be_a_proper_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="reminder_fraction"):
        SlaPolicy(reminder_fraction=fraction)


def test_policy_needs_defaults_for_every_urgency() -> None:
    with pytest.raises(ValueError, match="defaults missing"):
        SlaPolicy(defaults={Urgency.NORMAL: targets(24, 72)})


def test_grace_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="grace"):
        SlaPolicy(escalation_grace={Urgency.NORMAL: -HOUR, Urgency.URGENT: HOUR})


# --- deadlines -------------------------------------------------------------------------------


def test_deadlines_and_reminders_at_three_quarters_in_shanghai() -> None:
    created = datetime(2024, 6, 3, 21, 40, tzinfo=SHANGHAI)
    deadlines = SlaPolicy().deadlines_for(
        "plumbing", Urgency.URGENT, BUILDING, RequestTimes(created)
    )
    assert deadlines == Deadlines(
        respond_by=datetime(2024, 6, 3, 22, 40, tzinfo=SHANGHAI),
        resolve_by=datetime(2024, 6, 4, 21, 40, tzinfo=SHANGHAI),
        remind_respond_at=datetime(2024, 6, 3, 22, 25, tzinfo=SHANGHAI),
        remind_resolve_at=datetime(2024, 6, 4, 15, 40, tzinfo=SHANGHAI),
    )
    assert deadlines.respond_by.tzinfo is UTC


def test_custom_reminder_fraction() -> None:
    created = datetime(2024, 6, 3, 8, tzinfo=UTC)
    deadlines = SlaPolicy(reminder_fraction=0.5).deadlines_for(
        "plumbing", Urgency.NORMAL, BUILDING, RequestTimes(created)
    )
    assert deadlines.remind_respond_at == created + hours(12)
    assert deadlines.remind_resolve_at == created + hours(36)


def test_deadlines_count_elapsed_time_across_spring_forward() -> None:
    # New York skips 02:00-03:00 on 2024-03-10, so 24 real hours later the clocks read 13:00.
    created = datetime(2024, 3, 9, 12, tzinfo=NEW_YORK)
    deadlines = SlaPolicy().deadlines_for(
        "plumbing", Urgency.URGENT, BUILDING, RequestTimes(created)
    )
    assert deadlines.resolve_by - created == hours(24)
    assert deadlines.resolve_by.astimezone(NEW_YORK).hour == 13


def test_deadlines_count_elapsed_time_across_fall_back() -> None:
    # Berlin repeats 02:00-03:00 on 2024-10-27, so 24 real hours later the clocks read 11:00.
    created = datetime(2024, 10, 26, 12, tzinfo=BERLIN)
    deadlines = SlaPolicy().deadlines_for(
        "plumbing", Urgency.URGENT, BUILDING, RequestTimes(created)
    )
    assert deadlines.resolve_by - created == hours(24)
    assert deadlines.resolve_by.astimezone(BERLIN).hour == 11


def test_reopening_restarts_both_deadlines() -> None:
    created = datetime(2024, 6, 1, 9, tzinfo=UTC)
    reopened = datetime(2024, 6, 5, 9, tzinfo=UTC)
    times = RequestTimes(created, responded_at=created + HOUR, reopened_at=reopened)
    deadlines = SlaPolicy().deadlines_for("plumbing", Urgency.NORMAL, BUILDING, times)
    assert deadlines.respond_by == reopened + hours(24)
    assert deadlines.resolve_by == reopened + hours(72)


def test_building_override_changes_deadlines() -> None:
    created = datetime(2024, 6, 1, 9, tzinfo=UTC)
    times = RequestTimes(created)
    assert LAYERED.deadlines_for("lift", Urgency.URGENT, BUILDING, times).respond_by == (
        created + timedelta(minutes=15)
    )
    assert LAYERED.deadlines_for("lift", Urgency.URGENT, OTHER_BUILDING, times).respond_by == (
        created + timedelta(minutes=30)
    )


def test_response_before_the_latest_reopening_does_not_count() -> None:
    created = datetime(2024, 6, 1, 9, tzinfo=UTC)
    reopened = created + hours(50)
    assert RequestTimes(created, responded_at=created + HOUR).has_response
    assert not RequestTimes(created, created + HOUR, reopened_at=reopened).has_response
    assert RequestTimes(created, reopened + HOUR, reopened_at=reopened).has_response


def test_request_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="created_at"):
        RequestTimes(datetime(2024, 6, 1, 9))
    with pytest.raises(ValueError, match="responded_at"):
        RequestTimes(datetime(2024, 6, 1, 9, tzinfo=UTC), responded_at=datetime(2024, 6, 1))
    with pytest.raises(ValueError, match="reopened_at"):
        RequestTimes(datetime(2024, 6, 1, 9, tzinfo=UTC), reopened_at=datetime(2024, 6, 1))


# --- SLA state -------------------------------------------------------------------------------

CREATED = datetime(2024, 6, 3, 8, tzinfo=UTC)
# Normal urgency: respond by +24 h (reminder +18 h), resolve by +72 h (reminder +54 h).
NORMAL_DEADLINES = SlaPolicy().deadlines_for(
    "plumbing", Urgency.NORMAL, BUILDING, RequestTimes(CREATED)
)
UNANSWERED = RequestTimes(CREATED)
ANSWERED = RequestTimes(CREATED, responded_at=CREATED + HOUR)


@pytest.mark.parametrize(
    ("times", "elapsed", "status", "deadline_after", "overdue_by", "time_left"),
    [
        (UNANSWERED, hours(0), SlaStatus.ON_TRACK, 24, hours(0), hours(24)),
        (UNANSWERED, hours(18) - timedelta(seconds=1), SlaStatus.ON_TRACK, 24, hours(0), None),
        (UNANSWERED, hours(18), SlaStatus.DUE_SOON, 24, hours(0), hours(6)),
        (UNANSWERED, hours(24), SlaStatus.OVERDUE_RESPONSE, 24, hours(0), hours(0)),
        (UNANSWERED, hours(30), SlaStatus.OVERDUE_RESPONSE, 24, hours(6), hours(0)),
        (UNANSWERED, hours(72), SlaStatus.OVERDUE_RESOLUTION, 72, hours(0), hours(0)),
        (UNANSWERED, hours(75), SlaStatus.OVERDUE_RESOLUTION, 72, hours(3), hours(0)),
        (ANSWERED, hours(18), SlaStatus.ON_TRACK, 72, hours(0), hours(54)),
        (ANSWERED, hours(30), SlaStatus.ON_TRACK, 72, hours(0), hours(42)),
        (ANSWERED, hours(54), SlaStatus.DUE_SOON, 72, hours(0), hours(18)),
        (ANSWERED, hours(72), SlaStatus.OVERDUE_RESOLUTION, 72, hours(0), hours(0)),
        (ANSWERED, hours(100), SlaStatus.OVERDUE_RESOLUTION, 72, hours(28), hours(0)),
    ],
)
def test_sla_state(
    times: RequestTimes,
    elapsed: timedelta,
    status: SlaStatus,
    deadline_after: int,
    overdue_by: timedelta,
    time_left: timedelta | None,
) -> None:
    state = sla_state(times, NORMAL_DEADLINES, CREATED + elapsed)
    assert state.status is status
    assert state.deadline == CREATED + hours(deadline_after)
    assert state.overdue_by == overdue_by
    if time_left is not None:
        assert state.time_left == time_left
    assert state.is_overdue == (
        status in {SlaStatus.OVERDUE_RESPONSE, SlaStatus.OVERDUE_RESOLUTION}
    )


def test_sla_state_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="now"):
        sla_state(UNANSWERED, NORMAL_DEADLINES, datetime(2024, 6, 3, 9))


def test_sla_state_is_the_same_whatever_zone_now_is_given_in() -> None:
    now = CREATED + hours(30)
    assert sla_state(UNANSWERED, NORMAL_DEADLINES, now) == sla_state(
        UNANSWERED, NORMAL_DEADLINES, now.astimezone(SHANGHAI)
    )
