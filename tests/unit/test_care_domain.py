"""Care check-ins: cadences, grace, the escalation ladder, quiet hours and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.care import (
    CARER_WINDOW,
    AlertKind,
    Cadence,
    CheckInRules,
    check_in_after,
    escalate,
    first_check_in,
    ladder,
    missed_at,
)
from bot.domain.quiet_hours import QuietHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = CheckInRules(SHANGHAI, QuietHours(time(22, 0), time(7, 0)))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_first_check_in_is_the_next_time_the_clock_reads_it() -> None:
    assert first_check_in(local(23, 8), time(9, 0), RULES) == local(23, 9)
    assert first_check_in(local(23, 10), time(9, 0), RULES) == local(24, 9)


def test_check_in_time_inside_quiet_hours_waits_for_morning() -> None:
    assert first_check_in(local(23, 10), time(6, 30), RULES) == local(24, 7)


def test_next_check_in_counts_days_from_when_the_person_was_seen() -> None:
    seen = local(23, 9, 5)
    assert check_in_after(seen, seen, Cadence.DAILY, time(9, 0), RULES) == local(24, 9)
    assert check_in_after(seen, seen, Cadence.EVERY_3_DAYS, time(9, 0), RULES) == local(26, 9)
    weekly = check_in_after(local(25, 15), local(25, 15), Cadence.WEEKLY, time(9, 0), RULES)
    assert weekly == datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def test_a_bot_that_was_down_does_not_owe_a_backlog() -> None:
    seen = local(10, 9)
    now = local(23, 12)
    assert check_in_after(seen, now, Cadence.DAILY, time(9, 0), RULES) == local(24, 9)


def test_time_zones_are_the_buildings() -> None:
    berlin = CheckInRules(ZoneInfo("Europe/Berlin"), QuietHours.never())
    moment = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    # Clocks spring forward on 29 March in Berlin: 09:00 is then 07:00 UTC, not 08:00.
    due = check_in_after(moment, moment, Cadence.DAILY, time(9, 0), berlin)
    assert due == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_missed_check_in_alert_after_grace_but_not_at_night() -> None:
    assert missed_at(local(23, 9), timedelta(hours=2), RULES) == local(23, 11)
    assert missed_at(local(23, 21), timedelta(hours=2), RULES) == local(24, 7)


def test_missed_alert_climbs_carers_one_by_one_then_the_office() -> None:
    steps = ladder(AlertKind.MISSED, [11, 12], [90, 11])
    assert [s.recipients for s in steps] == [(11,), (12,), (90,)]
    assert steps[-1].office
    first = escalate(AlertKind.MISSED, 0, [11, 12], [90], local(23, 11), RULES)
    assert first is not None
    assert first.rung.recipients == (11,)
    assert first.next_at == local(23, 11) + CARER_WINDOW
    last = escalate(AlertKind.MISSED, 2, [11, 12], [90], local(23, 13), RULES)
    assert last is not None
    assert last.rung.office
    assert last.next_at is None
    assert escalate(AlertKind.MISSED, 3, [11, 12], [90], local(23, 14), RULES) is None


def test_missed_alert_escalation_waits_for_morning_but_help_does_not() -> None:
    late = local(23, 21, 30)
    missed = escalate(AlertKind.MISSED, 0, [11, 12], [], late, RULES)
    assert missed is not None
    assert missed.next_at == local(24, 7)
    help_step = escalate(AlertKind.HELP, 0, [11, 12], [90], late, RULES)
    assert help_step is not None
    assert help_step.rung.recipients == (11, 12)
    assert help_step.next_at == late + CARER_WINDOW


def test_alert_without_carers_goes_straight_to_the_office() -> None:
    assert [s.recipients for s in ladder(AlertKind.HELP, [], [90])] == [(90,)]
    assert ladder(AlertKind.MISSED, [], []) == ()
