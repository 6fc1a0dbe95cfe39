"""The escalation ladder: who serves a request, skipping empty levels, and the top."""

from __future__ import annotations

import pytest

from bot.domain.escalation import (
    EscalationStep,
    StaffLevel,
    StaffMember,
    TopOfLadder,
    next_escalation,
    routing_targets,
    staff_at_level,
    unique_person_ids,
)

L1, L2, L3 = StaffLevel.VOLUNTEER, StaffLevel.PROPERTY_MANAGER, StaffLevel.COMMUNITY_OFFICE
HOME = 1
ELSEWHERE = 2


def member(
    person_id: int, level: StaffLevel, building: int | None = HOME, *categories: str
) -> StaffMember:
    return StaffMember(person_id, building, frozenset(categories), level)


@pytest.mark.parametrize(
    ("entry", "serves"),
    [
        (member(1, L1, HOME, "plumbing"), True),
        (member(1, L1, HOME, "electric"), False),
        (member(1, L1, ELSEWHERE, "plumbing"), False),
        (member(1, L1, None, "plumbing"), True),
        (member(1, L1, HOME), True),
        (member(1, L1, HOME, "*"), True),
        (member(1, L1, None, "electric", "*"), True),
        (member(1, L1, ELSEWHERE, "*"), False),
        (member(1, L1, HOME, "electric", "plumbing"), True),
    ],
)
def test_who_serves_plumbing_at_home(entry: StaffMember, serves: bool) -> None:
    assert entry.serves("plumbing", HOME) is serves


ROSTER = [
    member(10, L1, HOME, "plumbing"),
    member(11, L1, ELSEWHERE, "plumbing"),
    member(12, L1, None, "electric"),
    member(20, L2, HOME, "*"),
    member(21, L2, ELSEWHERE),
    member(30, L3, None),
]


def ids(members: list[StaffMember]) -> list[int]:
    return [m.person_id for m in members]


def test_routing_goes_to_the_lowest_level_with_staff() -> None:
    assert ids(routing_targets("plumbing", HOME, ROSTER)) == [10]
    assert ids(routing_targets("electric", ELSEWHERE, ROSTER)) == [12]


def test_routing_skips_levels_without_staff_for_the_category_or_building() -> None:
    assert ids(routing_targets("lift", HOME, ROSTER)) == [20]
    assert ids(routing_targets("lift", 3, ROSTER)) == [30]


def test_routing_from_a_higher_level() -> None:
    assert ids(routing_targets("plumbing", HOME, ROSTER, L2)) == [20]
    assert ids(routing_targets("plumbing", HOME, ROSTER, L3)) == [30]


def test_routing_finds_nobody_on_an_empty_roster() -> None:
    assert routing_targets("plumbing", HOME, []) == []
    assert routing_targets("plumbing", HOME, [member(10, L1, ELSEWHERE)]) == []


def test_staff_at_level_is_exact() -> None:
    assert ids(staff_at_level("plumbing", HOME, ROSTER, L1)) == [10]
    assert staff_at_level("lift", HOME, ROSTER, L1) == []


def test_every_serving_member_of_the_level_is_a_target() -> None:
    roster = [member(1, L1, HOME, "plumbing"), member(2, L1, None), member(3, L1, ELSEWHERE)]
    assert ids(routing_targets("plumbing", HOME, roster)) == [1, 2]


def test_initial_routing_is_next_escalation_from_nowhere() -> None:
    assert next_escalation("plumbing", HOME, None, ROSTER) == EscalationStep(L1, (ROSTER[0],))
    assert next_escalation("plumbing", HOME, None, []) == TopOfLadder()


def test_next_escalation_climbs_one_level() -> None:
    assert next_escalation("plumbing", HOME, L1, ROSTER) == EscalationStep(L2, (ROSTER[3],))
    assert next_escalation("plumbing", HOME, L2, ROSTER) == EscalationStep(L3, (ROSTER[5],))


def test_next_escalation_skips_empty_levels() -> None:
    roster = [member(1, L1, HOME), member(3, L3, HOME)]
    assert next_escalation("plumbing", HOME, L1, roster) == EscalationStep(L3, (roster[1],))


def test_above_the_last_staffed_level_is_the_top() -> None:
    assert next_escalation("plumbing", HOME, L3, ROSTER) == TopOfLadder()
    roster = [member(1, L1, HOME), member(2, L2, HOME)]
    assert next_escalation("plumbing", HOME, L2, roster) == TopOfLadder()
    assert next_escalation("plumbing", ELSEWHERE, L1, roster) == TopOfLadder()


def test_people_with_several_roster_entries_are_counted_once() -> None:
    roster = [member(5, L2, HOME, "plumbing"), member(6, L2, None), member(5, L2, None, "*")]
    step = next_escalation("plumbing", HOME, L1, roster)
    assert isinstance(step, EscalationStep)
    assert step.person_ids == (5, 6)
    assert unique_person_ids(roster) == (5, 6)
