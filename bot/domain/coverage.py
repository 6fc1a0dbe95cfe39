"""Survey coverage: which households were reached, by Telegram or at the door, per unit.

The headline is "answered 573 of 706 households (81 %), visited 640, nobody home at 41": a
household counts as answered once a complete set of answers exists for it (given on Telegram
or recorded on a visit); visited once anyone knocked; nobody home when the latest visit found
nobody and it has not answered since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from fractions import Fraction


class VisitOutcome(StrEnum):
    ANSWERED = "answered"
    NOBODY_HOME = "nobody_home"
    DECLINED = "declined"


class Reach(IntEnum):
    """Where a household stands; the value orders the door-to-door checklist."""

    NOT_REACHED = 0
    NOBODY_HOME = 1
    DECLINED = 2
    ANSWERED = 3


@dataclass(frozen=True)
class HouseholdReach:
    """One household of the building and what the survey knows about it."""

    household_id: int
    label: str
    unit: str | None
    room: str
    answered: bool
    visits: int
    last_visit: VisitOutcome | None
    last_visit_on: date | None

    @property
    def reach(self) -> Reach:
        if self.answered:
            return Reach.ANSWERED
        if self.last_visit is VisitOutcome.DECLINED:
            return Reach.DECLINED
        if self.last_visit is VisitOutcome.NOBODY_HOME:
            return Reach.NOBODY_HOME
        return Reach.NOT_REACHED

    @property
    def floor(self) -> int | None:
        return floor_of(self.room)


def floor_of(room: str) -> int | None:
    """The floor a room number names: 502 → 5, 1203 → 12; two-digit rooms say nothing."""
    digits = ""
    for char in room:
        if not char.isdigit():
            break
        digits += char
    if len(digits) < 3:
        return None
    return int(digits[:-2])


def checklist_key(household: HouseholdReach) -> tuple[int, str, int, int, str]:
    """Not reached first, then nobody home, declined, answered; within each by unit, floor,
    room (numerically: 502 before 1101)."""
    return (
        int(household.reach),
        household.unit or "",
        household.floor or 0,
        len(household.room),
        household.room,
    )


def checklist(
    households: Iterable[HouseholdReach], unit: str | None = None
) -> list[HouseholdReach]:
    """The door-to-door list, optionally for one unit."""
    chosen = [h for h in households if unit is None or h.unit == unit]
    return sorted(chosen, key=checklist_key)


@dataclass(frozen=True)
class CoverageCounts:
    """Counts for the whole building or one unit; `total` is the denominator."""

    total: int
    answered: int
    visited: int
    nobody_home: int
    declined: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.answered, self.total) if self.total else Fraction(0)

    @property
    def remaining(self) -> int:
        return max(self.total - self.answered, 0)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.answered >= self.total


@dataclass(frozen=True)
class UnitCoverage:
    unit: str | None
    counts: CoverageCounts


@dataclass(frozen=True)
class CoverageReport:
    building: CoverageCounts
    units: tuple[UnitCoverage, ...]


def _counts(households: Sequence[HouseholdReach], total: int) -> CoverageCounts:
    return CoverageCounts(
        total=total,
        answered=sum(1 for h in households if h.answered),
        visited=sum(1 for h in households if h.visits > 0),
        nobody_home=sum(1 for h in households if h.reach is Reach.NOBODY_HOME),
        declined=sum(1 for h in households if h.reach is Reach.DECLINED),
    )


def coverage(households: Sequence[HouseholdReach], declared_total: int | None) -> CoverageReport:
    """Coverage of the building and of each unit.

    The building's denominator is its declared number of households (`/setup households 706`)
    or, when the roster already knows more flats, the roster; units have no declared size, so
    theirs is the flats known in the unit.
    """
    total = max(declared_total or 0, len(households))
    units = sorted({h.unit for h in households}, key=lambda unit: unit or "")
    return CoverageReport(
        building=_counts(households, total),
        units=tuple(
            UnitCoverage(
                unit,
                _counts(
                    [h for h in households if h.unit == unit],
                    sum(1 for h in households if h.unit == unit),
                ),
            )
            for unit in units
        ),
    )
