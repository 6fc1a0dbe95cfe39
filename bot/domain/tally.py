"""Counting a poll's ballots into a `PollResult`.

Which ballots count is decided in `poll_ballots` (one per voter, one per household). Then:

* Turnout is the number of counted ballots; abstentions are part of it, so they help reach
  the quorum. Multi-choice ballots count once towards turnout, once for each option chosen.
* The turnout denominator is, in household polls, the building's stated number of households
  if it was set when the poll opened, else the households registered when it opened (later
  registrations vote, but do not move the denominator mid-poll); without such a frozen
  figure (polls from before it was kept) the households registered now. In other polls it is
  `eligible_voters`. Either way it is raised to the number of counted ballots if smaller:
  everyone whose ballot counts was eligible when voting, even if they left since.
* A For / Against decision passes when its quorum (if any) is met and For / (For + Against)
  clears the pass threshold; with no For or Against ballots at all it does not pass.
* A custom poll is won by the most-voted options (several on a tie), provided the quorum (if
  any) is met and anybody voted. Decision polls have no `winners`: read `passed` instead.
* Secrecy only changes how ballots are shown, never how they are counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.domain.poll_ballots import Ballot, latest_per_household, latest_per_voter
from bot.domain.poll_rules import TallyRules, decision_indexes, is_quorum_met

__all__ = ["Ballot", "HouseholdDenominator", "PollResult", "TurnoutBasis", "tally"]


class TurnoutBasis(StrEnum):
    """What the turnout was measured against (results say so)."""

    MEMBERS = "members"  # people in the group chat
    HOUSEHOLD_TOTAL = "household_total"  # the building's stated number of households
    REGISTERED_AT_OPEN = "registered_at_open"  # households registered when the poll opened
    REGISTERED_NOW = "registered_now"  # households registered when counting


@dataclass(frozen=True)
class HouseholdDenominator:
    """The household count a household poll's turnout is measured against."""

    households: int
    basis: TurnoutBasis


@dataclass(frozen=True)
class PollResult:
    """The outcome of a poll; turnout is `ballots_counted` / `turnout_denominator`."""

    counts: tuple[int, ...]
    ballots_counted: int
    proxy_ballots_counted: int
    turnout_denominator: int
    turnout_basis: TurnoutBasis
    turnout_ratio: Fraction | None
    quorum_met: bool | None
    for_share: Fraction | None
    passed: bool | None
    winners: tuple[int, ...]


def tally(
    rules: TallyRules,
    ballots: Iterable[Ballot],
    *,
    eligible_voters: int,
    eligible_households: set[int] | None,
    current_membership: Mapping[int, int | None] | None = None,
    household_denominator: HouseholdDenominator | None = None,
) -> PollResult:
    """Count `ballots` under `rules`.

    `eligible_households` (the households whose ballots count) is required for household
    polls and ignored otherwise; `household_denominator` is what their turnout is measured
    against (default: the size of `eligible_households`); `eligible_voters` is ignored for
    household polls. Raises ValueError for
    ballots that cannot belong to this poll (unknown option, several choices in a
    single-choice poll, naive `cast_at`).
    """
    ballots = list(ballots)
    for ballot in ballots:
        _check_ballot(ballot, rules)
    if eligible_voters < 0:
        raise ValueError("eligible_voters cannot be negative")
    if rules.per_household:
        if eligible_households is None:
            raise ValueError("a household poll needs the eligible households")
        counted = latest_per_household(
            ballots,
            eligible_households=eligible_households,
            current_membership=current_membership,
        )
        measure = household_denominator or HouseholdDenominator(
            len(eligible_households), TurnoutBasis.REGISTERED_NOW
        )
        if measure.households < 0:
            raise ValueError("a household denominator cannot be negative")
        denominator = max(measure.households, len(counted))
        basis = measure.basis
    else:
        counted = latest_per_voter(ballots)
        denominator = max(eligible_voters, len(counted))
        basis = TurnoutBasis.MEMBERS
    counts = [0] * len(rules.options)
    for ballot in counted:
        for choice in ballot.choices:
            counts[choice] += 1
    quorum_met = is_quorum_met(rules.quorum, counted=len(counted), eligible=denominator)
    outcome = _outcome(rules, counts, quorum_met=quorum_met)
    return PollResult(
        counts=tuple(counts),
        ballots_counted=len(counted),
        proxy_ballots_counted=sum(ballot.proxy_by is not None for ballot in counted),
        turnout_denominator=denominator,
        turnout_basis=basis,
        turnout_ratio=Fraction(len(counted), denominator) if denominator else None,
        quorum_met=quorum_met,
        for_share=outcome.for_share,
        passed=outcome.passed,
        winners=outcome.winners,
    )


@dataclass(frozen=True)
class _Outcome:
    for_share: Fraction | None
    passed: bool | None
    winners: tuple[int, ...]


def _outcome(rules: TallyRules, counts: list[int], *, quorum_met: bool | None) -> _Outcome:
    decision = decision_indexes(rules.options)
    if decision is None:
        top = max(counts, default=0)
        winners = () if top == 0 or quorum_met is False else _indexes_of(top, counts)
        return _Outcome(for_share=None, passed=None, winners=winners)
    votes_for, votes_against = counts[decision.for_index], counts[decision.against_index]
    decisive = votes_for + votes_against
    for_share = Fraction(votes_for, decisive) if decisive else None
    passed = (
        quorum_met is not False
        and for_share is not None
        and rules.pass_threshold.is_met_by(for_share)
    )
    return _Outcome(for_share=for_share, passed=passed, winners=())


def _indexes_of(value: int, counts: list[int]) -> tuple[int, ...]:
    return tuple(index for index, count in enumerate(counts) if count == value)


def _check_ballot(ballot: Ballot, rules: TallyRules) -> None:
    if ballot.cast_at.tzinfo is None:
        raise ValueError(f"ballot of voter {ballot.voter_id} has a naive cast_at")
    if not ballot.choices:
        raise ValueError(f"ballot of voter {ballot.voter_id} chooses nothing")
    if not rules.multi and len(ballot.choices) != 1:
        raise ValueError(f"ballot of voter {ballot.voter_id} chooses several options")
    if any(not 0 <= choice < len(rules.options) for choice in ballot.choices):
        raise ValueError(f"ballot of voter {ballot.voter_id} chooses an unknown option")
