"""The escalation ladder: which staff level handles a request, and who is next when it is late.

Levels are climbed in order, skipping levels with nobody serving the request's category and
building; above the last staffed level sit the building's heads and admins (`TopOfLadder`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

BuildingId = int
PersonId = int
ALL_CATEGORIES = "*"


class StaffLevel(IntEnum):
    """Rungs of the ladder, lowest first."""

    VOLUNTEER = 1  # volunteers and the repair team
    PROPERTY_MANAGER = 2
    COMMUNITY_OFFICE = 3


@dataclass(frozen=True)
class StaffMember:
    """One roster entry; `building_id` None serves all buildings, empty or "*" all categories."""

    person_id: PersonId
    building_id: BuildingId | None
    categories: frozenset[str]
    level: StaffLevel

    def serves(self, category: str, building_id: BuildingId) -> bool:
        """Whether this entry covers requests of `category` in `building_id`."""
        building_ok = self.building_id is None or self.building_id == building_id
        category_ok = (
            not self.categories or ALL_CATEGORIES in self.categories or category in self.categories
        )
        return building_ok and category_ok


@dataclass(frozen=True)
class EscalationStep:
    """Hand the request to `level`, whose serving staff are `targets` (never empty)."""

    level: StaffLevel
    targets: tuple[StaffMember, ...]

    @property
    def person_ids(self) -> tuple[PersonId, ...]:
        """The targets' people, each once, in roster order."""
        return unique_person_ids(self.targets)


@dataclass(frozen=True)
class TopOfLadder:
    """No staff level is left: notify the building's heads and admins."""


Rung = EscalationStep | TopOfLadder


def staff_at_level(
    category: str, building_id: BuildingId, roster: Iterable[StaffMember], level: StaffLevel
) -> list[StaffMember]:
    """Roster entries on exactly `level` that serve this category and building."""
    return [m for m in roster if m.level is level and m.serves(category, building_id)]


def routing_targets(
    category: str,
    building_id: BuildingId,
    roster: Sequence[StaffMember],
    level: StaffLevel = StaffLevel.VOLUNTEER,
) -> list[StaffMember]:
    """Who receives a request: the lowest level at or above `level` with serving staff.

    Empty when no such level exists; the caller then tells heads and admins.
    """
    for candidate in StaffLevel:
        if candidate >= level:
            serving = staff_at_level(category, building_id, roster, candidate)
            if serving:
                return serving
    return []


def next_escalation(
    category: str,
    building_id: BuildingId,
    current_level: StaffLevel | None,
    roster: Sequence[StaffMember],
) -> Rung:
    """The next rung above `current_level` that has serving staff, or `TopOfLadder`.

    `current_level` None means no staff level holds the request yet, so this also gives the
    initial routing of a new request.
    """
    if current_level is StaffLevel.COMMUNITY_OFFICE:
        return TopOfLadder()
    floor = StaffLevel.VOLUNTEER if current_level is None else StaffLevel(current_level + 1)
    targets = routing_targets(category, building_id, roster, floor)
    if not targets:
        return TopOfLadder()
    return EscalationStep(targets[0].level, tuple(targets))


def unique_person_ids(members: Iterable[StaffMember]) -> tuple[PersonId, ...]:
    """Person ids in first-seen order; one person may have several roster entries."""
    return tuple(dict.fromkeys(member.person_id for member in members))
