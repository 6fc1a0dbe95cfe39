"""Household polls measured against the building's households, frozen when the poll opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from bot.domain.poll_rules import (
    DEFAULT_OPTIONS,
    SIMPLE_MAJORITY,
    PassThreshold,
    PollOption,
    Quorum,
    ShareQuorum,
)
from bot.domain.tally import Ballot, HouseholdDenominator, TurnoutBasis, tally

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
HALF = ShareQuorum(Fraction(1, 2))


@dataclass(frozen=True)
class Rules:
    options: tuple[PollOption, ...] = DEFAULT_OPTIONS
    per_household: bool = True
    multi: bool = False
    quorum: Quorum = HALF
    pass_threshold: PassThreshold = SIMPLE_MAJORITY


def test_one_vote_in_a_building_of_120_is_not_a_full_turnout() -> None:
    result = tally(
        Rules(),
        [Ballot(1, 11, frozenset({0}), AT)],
        eligible_voters=0,
        eligible_households={11},
        household_denominator=HouseholdDenominator(120, TurnoutBasis.HOUSEHOLD_TOTAL),
    )
    assert (result.ballots_counted, result.turnout_denominator) == (1, 120)
    assert result.turnout_basis is TurnoutBasis.HOUSEHOLD_TOTAL
    assert result.quorum_met is False
    assert result.passed is False


def test_later_registrations_vote_but_do_not_move_the_denominator() -> None:
    # Two households were registered at opening; a third registered and voted later.
    ballots = [Ballot(1, 11, frozenset({0}), AT), Ballot(3, 13, frozenset({0}), AT)]
    result = tally(
        Rules(),
        ballots,
        eligible_voters=0,
        eligible_households={11, 12, 13},
        household_denominator=HouseholdDenominator(2, TurnoutBasis.REGISTERED_AT_OPEN),
    )
    assert result.counts[0] == 2
    assert result.turnout_denominator == 2
    assert result.turnout_basis is TurnoutBasis.REGISTERED_AT_OPEN


def test_without_a_frozen_figure_the_roster_now_is_the_denominator() -> None:
    result = tally(
        Rules(),
        [Ballot(1, 11, frozenset({0}), AT)],
        eligible_voters=0,
        eligible_households={11, 12, 13},
    )
    assert result.turnout_denominator == 3
    assert result.turnout_basis is TurnoutBasis.REGISTERED_NOW
