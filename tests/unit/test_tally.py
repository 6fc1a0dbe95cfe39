"""Counting ballots: one vote per person or household, quorum, pass threshold, winners."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.poll_rules import (
    DEFAULT_OPTIONS,
    SIMPLE_MAJORITY,
    CountQuorum,
    PassThreshold,
    PollOption,
    Quorum,
    ShareQuorum,
    TallyRules,
)
from bot.domain.poll_syntax import parse_poll_command
from bot.domain.tally import Ballot, PollResult, TurnoutBasis, tally

FOR, AGAINST, ABSTAIN = 0, 1, 2
START = datetime(2025, 11, 23, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Rules:
    """A minimal TallyRules, as storage might rebuild it."""

    options: tuple[PollOption, ...] = DEFAULT_OPTIONS
    per_household: bool = False
    multi: bool = False
    quorum: Quorum = None
    pass_threshold: PassThreshold = SIMPLE_MAJORITY


DECISION = Rules()
HOUSEHOLD_DECISION = Rules(per_household=True)
COLOURS = Rules(options=("Cream", "Grey", "Blue"))


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def ballot(
    voter: int,
    *choices: int,
    minute: int = 0,
    household: int | None = None,
    proxy_by: int | None = None,
) -> Ballot:
    return Ballot(voter, household, frozenset(choices), at(minute), proxy_by)


def votes(**counts: int) -> list[Ballot]:
    """Distinct voters casting `for_`, `against` and `abstain` single-choice ballots."""
    choices = [FOR] * counts.get("for_", 0)
    choices += [AGAINST] * counts.get("against", 0)
    choices += [ABSTAIN] * counts.get("abstain", 0)
    return [ballot(voter, choice) for voter, choice in enumerate(choices, start=1)]


def count(rules: TallyRules, ballots: list[Ballot], *, eligible_voters: int = 100) -> PollResult:
    return tally(rules, ballots, eligible_voters=eligible_voters, eligible_households=None)


def count_households(
    ballots: list[Ballot],
    *,
    households: set[int],
    membership: dict[int, int | None] | None = None,
    rules: Rules = HOUSEHOLD_DECISION,
) -> PollResult:
    return tally(
        rules,
        ballots,
        eligible_voters=0,
        eligible_households=households,
        current_membership=membership,
    )


# --- decisions ------------------------------------------------------------------------------


def test_garden_twenty_for_five_against_passes() -> None:
    spec = parse_poll_command(
        "Convert the empty lot into a garden?", now=START, tz=ZoneInfo("Asia/Shanghai")
    )

    result = tally(spec, votes(for_=20, against=5), eligible_voters=40, eligible_households=None)

    assert result == PollResult(
        counts=(20, 5, 0),
        ballots_counted=25,
        proxy_ballots_counted=0,
        turnout_denominator=40,
        turnout_basis=TurnoutBasis.MEMBERS,
        turnout_ratio=Fraction(5, 8),
        quorum_met=None,
        for_share=Fraction(4, 5),
        passed=True,
        winners=(),
    )


def test_more_against_than_for_fails() -> None:
    result = count(DECISION, votes(for_=5, against=20))

    assert (result.for_share, result.passed) == (Fraction(1, 5), False)


def test_a_tie_fails_a_simple_majority() -> None:
    result = count(DECISION, votes(for_=10, against=10))

    assert (result.for_share, result.passed) == (Fraction(1, 2), False)


def test_a_tie_passes_an_at_least_half_threshold() -> None:
    at_least_half = Rules(pass_threshold=PassThreshold(Fraction(1, 2)))

    assert count(at_least_half, votes(for_=10, against=10)).passed


@pytest.mark.parametrize(
    ("threshold", "votes_for", "votes_against", "passed"),
    [
        (PassThreshold(Fraction(3, 5)), 3, 2, True),  # exactly 60 %
        (PassThreshold(Fraction(3, 5)), 59, 41, False),
        (PassThreshold(Fraction(3, 5)), 61, 39, True),
        (PassThreshold(Fraction(2, 3)), 2, 1, True),  # exactly two thirds
        (PassThreshold(Fraction(2, 3)), 66, 34, False),  # 66 % is not two thirds
        (PassThreshold(Fraction(3, 5), strict=True), 3, 2, False),  # "more than 60 %"
        (PassThreshold(Fraction(3, 5), strict=True), 61, 39, True),
        (PassThreshold(Fraction(1)), 7, 0, True),
        (PassThreshold(Fraction(1)), 7, 1, False),
    ],
)
def test_pass_thresholds(
    threshold: PassThreshold, votes_for: int, votes_against: int, passed: bool
) -> None:
    result = count(Rules(pass_threshold=threshold), votes(for_=votes_for, against=votes_against))

    assert result.passed is passed


def test_abstentions_count_for_turnout_but_not_for_the_share() -> None:
    result = count(DECISION, votes(for_=3, against=2, abstain=10), eligible_voters=30)

    assert result.counts == (3, 2, 10)
    assert result.ballots_counted == 15
    assert result.turnout_ratio == Fraction(1, 2)
    assert result.for_share == Fraction(3, 5)
    assert result.passed


def test_abstentions_help_reach_the_quorum() -> None:
    rules = Rules(quorum=ShareQuorum(Fraction(1, 2)))

    with_abstentions = count(rules, votes(for_=3, against=2, abstain=10), eligible_voters=30)
    without = count(rules, votes(for_=3, against=2), eligible_voters=30)

    assert (with_abstentions.quorum_met, with_abstentions.passed) == (True, True)
    assert (without.quorum_met, without.passed) == (False, False)


def test_only_abstentions_do_not_pass() -> None:
    result = count(DECISION, votes(abstain=4))

    assert (result.for_share, result.passed, result.ballots_counted) == (None, False, 4)


# --- quorum ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("voters", "met"), [(15, True), (14, False), (30, True)])
def test_share_quorum_exactly_met_passes_and_one_short_fails(voters: int, met: bool) -> None:
    rules = Rules(quorum=ShareQuorum(Fraction(1, 2)))

    result = count(rules, votes(for_=voters), eligible_voters=30)

    assert result.quorum_met is met
    assert result.passed is met


@pytest.mark.parametrize(("households", "met"), [(30, True), (29, False)])
def test_count_quorum_counts_households_in_household_polls(households: int, met: bool) -> None:
    ballots = [ballot(number, FOR, household=number) for number in range(1, households + 1)]
    # A second member of household 1 does not add a second household.
    ballots.append(ballot(1000, FOR, household=1, minute=5))

    result = count_households(
        ballots,
        households=set(range(1, 61)),
        rules=Rules(per_household=True, quorum=CountQuorum(30)),
    )

    assert result.ballots_counted == households
    assert result.quorum_met is met


def test_count_quorum_counts_voters_in_per_person_polls() -> None:
    rules = Rules(quorum=CountQuorum(3))

    assert count(rules, votes(for_=2, abstain=1)).quorum_met is True
    assert count(rules, votes(for_=2)).quorum_met is False


def test_share_quorum_of_households_uses_the_roster_size() -> None:
    ballots = [ballot(1, FOR, household=10), ballot(2, AGAINST, household=20)]
    rules = Rules(per_household=True, quorum=ShareQuorum(Fraction(1, 2)))

    met = count_households(ballots, households={10, 20, 30, 40}, rules=rules)
    missed = count_households(ballots, households={10, 20, 30, 40, 50}, rules=rules)

    assert (met.turnout_ratio, met.quorum_met) == (Fraction(1, 2), True)
    assert (missed.turnout_ratio, missed.quorum_met) == (Fraction(2, 5), False)


def test_quorum_failure_means_not_passed_even_if_unanimous() -> None:
    result = count(Rules(quorum=CountQuorum(10)), votes(for_=9), eligible_voters=20)

    assert (result.for_share, result.quorum_met, result.passed) == (Fraction(1), False, False)


# --- zero turnout ---------------------------------------------------------------------------


def test_zero_turnout_without_quorum() -> None:
    result = count(DECISION, [], eligible_voters=30)

    assert result == PollResult(
        counts=(0, 0, 0),
        ballots_counted=0,
        proxy_ballots_counted=0,
        turnout_denominator=30,
        turnout_basis=TurnoutBasis.MEMBERS,
        turnout_ratio=Fraction(0),
        quorum_met=None,
        for_share=None,
        passed=False,
        winners=(),
    )


@pytest.mark.parametrize("quorum", [ShareQuorum(Fraction(1, 100)), CountQuorum(1)])
def test_zero_turnout_fails_any_quorum(quorum: Quorum) -> None:
    result = count(Rules(quorum=quorum), [], eligible_voters=30)

    assert (result.quorum_met, result.passed) == (False, False)


def test_nobody_eligible_and_nobody_voting_divides_by_nothing() -> None:
    result = count(Rules(quorum=ShareQuorum(Fraction(1, 2))), [], eligible_voters=0)

    assert (result.turnout_denominator, result.turnout_ratio) == (0, None)
    assert (result.quorum_met, result.passed) == (False, False)


def test_empty_household_roster() -> None:
    result = count_households([], households=set())

    assert (result.turnout_ratio, result.passed) == (None, False)


def test_custom_poll_with_no_ballots_has_no_winner() -> None:
    assert count(COLOURS, []).winners == ()


# --- one vote per person --------------------------------------------------------------------


def test_a_voter_changing_their_mind_counts_once_with_the_latest_choice() -> None:
    ballots = [ballot(1, FOR, minute=0), ballot(1, AGAINST, minute=5), ballot(2, FOR, minute=1)]

    result = count(DECISION, ballots)

    assert result.counts == (1, 1, 0)
    assert result.ballots_counted == 2


def test_latest_is_by_cast_time_not_by_list_order() -> None:
    ballots = [ballot(1, AGAINST, minute=5), ballot(1, FOR, minute=0)]

    assert count(DECISION, ballots).counts == (0, 1, 0)


def test_same_instant_ballots_resolve_the_same_way_in_any_order() -> None:
    ballots = [ballot(1, FOR, minute=3), ballot(1, AGAINST, minute=3)]

    assert count(DECISION, ballots) == count(DECISION, list(reversed(ballots)))


def test_cast_times_in_different_zones_compare_as_instants() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    earlier_but_larger_wall_clock = Ballot(1, None, frozenset({FOR}), at(0).astimezone(shanghai))
    later = Ballot(1, None, frozenset({AGAINST}), at(1))

    assert count(DECISION, [later, earlier_but_larger_wall_clock]).counts == (0, 1, 0)


def test_more_voters_than_the_member_count_raise_the_denominator() -> None:
    # Someone voted and then left the chat: the member count dropped, their vote stands.
    result = count(DECISION, votes(for_=3), eligible_voters=2)

    assert (result.turnout_denominator, result.turnout_ratio) == (3, Fraction(1))


def test_per_person_polls_ignore_households() -> None:
    ballots = [ballot(1, FOR, household=7), ballot(2, AGAINST, household=7)]

    result = tally(DECISION, ballots, eligible_voters=10, eligible_households={99})

    assert result.counts == (1, 1, 0)


# --- one vote per household -----------------------------------------------------------------


def test_household_members_share_one_vote_and_the_latest_wins() -> None:
    ballots = [
        ballot(1, FOR, household=10, minute=0),
        ballot(2, AGAINST, household=10, minute=5),
        ballot(3, FOR, household=20, minute=1),
    ]

    result = count_households(ballots, households={10, 20, 30})

    assert result.counts == (1, 1, 0)
    assert result.ballots_counted == 2
    assert result.turnout_ratio == Fraction(2, 3)


def test_a_household_changing_its_vote_back() -> None:
    ballots = [
        ballot(1, FOR, household=10, minute=0),
        ballot(2, AGAINST, household=10, minute=5),
        ballot(1, FOR, household=10, minute=9),
    ]

    assert count_households(ballots, households={10}).counts == (1, 0, 0)


def test_a_member_who_left_every_household_keeps_the_vote_they_cast() -> None:
    ballots = [ballot(1, FOR, household=10, minute=5), ballot(2, AGAINST, household=10, minute=0)]

    result = count_households(ballots, households={10}, membership={1: None, 2: 10})

    assert result.counts == (1, 0, 0)


def test_a_member_who_moved_out_keeps_the_vote_for_the_old_household_only() -> None:
    ballots = [ballot(1, FOR, household=10, minute=5), ballot(2, AGAINST, household=20, minute=0)]

    result = count_households(ballots, households={10, 20}, membership={1: 20, 2: 20})

    # Household 10 keeps the vote cast while a member; household 20 keeps its own.
    assert result.counts == (1, 1, 0)


def test_a_remaining_member_voting_later_replaces_the_departed_members_vote() -> None:
    ballots = [ballot(1, FOR, household=10, minute=0), ballot(2, AGAINST, household=10, minute=5)]

    result = count_households(ballots, households={10}, membership={1: None, 2: 10})

    assert result.counts == (0, 1, 0)


def test_a_voter_who_moved_and_voted_again_only_votes_for_the_new_household() -> None:
    ballots = [
        ballot(1, FOR, household=10, minute=0),
        ballot(1, AGAINST, household=20, minute=5),
        ballot(2, ABSTAIN, household=10, minute=-5),
    ]

    result = count_households(ballots, households={10, 20}, membership={1: 20, 2: 10})

    # Household 10 falls back to its other member's ballot.
    assert result.counts == (0, 1, 1)


def test_a_ballot_cast_before_joining_a_household_counts_for_the_current_household() -> None:
    ballots = [ballot(1, FOR, household=None, minute=5), ballot(2, AGAINST, household=10)]

    result = count_households(ballots, households={10}, membership={1: 10, 2: 10})

    assert result.counts == (1, 0, 0)


@pytest.mark.parametrize("membership", [None, {}, {1: None}, {1: 99}])
def test_a_ballot_without_any_eligible_household_does_not_count(
    membership: dict[int, int | None] | None,
) -> None:
    result = count_households([ballot(1, FOR)], households={10}, membership=membership)

    assert (result.ballots_counted, result.counts) == (0, (0, 0, 0))


def test_households_outside_the_roster_do_not_count() -> None:
    ballots = [ballot(1, FOR, household=10), ballot(2, AGAINST, household=99)]

    result = count_households(ballots, households={10, 20})

    assert result.counts == (1, 0, 0)
    assert result.turnout_ratio == Fraction(1, 2)


def test_household_poll_without_a_roster_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="household"):
        tally(HOUSEHOLD_DECISION, [], eligible_voters=10, eligible_households=None)


# --- proxies --------------------------------------------------------------------------------


def test_a_proxy_ballot_counts_as_the_represented_households_vote() -> None:
    ballots = [
        ballot(1, FOR, household=10, proxy_by=50),
        ballot(2, AGAINST, household=20),
    ]

    result = count_households(ballots, households={10, 20}, membership={50: 20})

    assert result.counts == (1, 1, 0)
    assert result.proxy_ballots_counted == 1


def test_a_proxy_ballot_competes_with_household_members_by_time() -> None:
    ballots = [
        ballot(1, FOR, household=10, proxy_by=50, minute=5),
        ballot(2, AGAINST, household=10),
    ]

    result = count_households(ballots, households={10})

    assert (result.counts, result.proxy_ballots_counted) == ((1, 0, 0), 1)


def test_the_voters_own_later_ballot_replaces_their_proxy_ballot() -> None:
    ballots = [ballot(1, FOR, proxy_by=50, minute=0), ballot(1, AGAINST, minute=5)]

    result = count(DECISION, ballots)

    assert (result.counts, result.proxy_ballots_counted) == ((0, 1, 0), 0)


# --- custom options and multiple choice -----------------------------------------------------


def test_custom_poll_is_won_by_the_most_voted_option() -> None:
    ballots = [ballot(1, 0), ballot(2, 2), ballot(3, 2)]

    result = count(COLOURS, ballots)

    assert result.counts == (1, 0, 2)
    assert (result.winners, result.passed, result.for_share) == ((2,), None, None)


def test_tied_custom_options_are_all_winners() -> None:
    assert count(COLOURS, [ballot(1, 0), ballot(2, 2)]).winners == (0, 2)


def test_custom_poll_that_misses_its_quorum_has_no_winner() -> None:
    rules = replace(COLOURS, quorum=CountQuorum(3))

    result = count(rules, [ballot(1, 0), ballot(2, 0)])

    assert (result.counts, result.quorum_met, result.winners) == ((2, 0, 0), False, ())


def test_multi_choice_counts_each_choice_once_and_each_ballot_once_for_turnout() -> None:
    rules = replace(COLOURS, multi=True)
    ballots = [ballot(1, 0, 1), ballot(2, 1, 2), ballot(3, 1)]

    result = count(rules, ballots, eligible_voters=6)

    assert result.counts == (1, 3, 1)
    assert result.ballots_counted == 3
    assert result.turnout_ratio == Fraction(1, 2)
    assert result.winners == (1,)


def test_multi_choice_latest_ballot_replaces_the_whole_selection() -> None:
    rules = replace(COLOURS, multi=True)
    ballots = [ballot(1, 0, 1, 2, minute=0), ballot(1, 2, minute=1)]

    assert count(rules, ballots).counts == (0, 0, 1)


def test_secrecy_does_not_change_the_tally() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    named = parse_poll_command("Evaluate the property company?", now=START, tz=tz)
    secret = parse_poll_command("Evaluate the property company? --secret", now=START, tz=tz)
    ballots = votes(for_=4, against=7, abstain=2)

    assert secret.secret
    assert not named.secret
    assert count(secret, ballots) == count(named, ballots)


def test_re_election_when_more_than_sixty_percent_disapprove() -> None:
    spec = parse_poll_command(
        "Do you disapprove of the property company? --secret --household --pass >60%",
        now=START,
        tz=ZoneInfo("Asia/Shanghai"),
    )
    exactly_sixty = [ballot(n, FOR if n <= 6 else AGAINST, household=n) for n in range(1, 11)]
    sixty_one = [ballot(n, FOR if n <= 61 else AGAINST, household=n) for n in range(1, 101)]

    def passed(ballots: list[Ballot]) -> bool | None:
        roster = {b.household_id for b in ballots if b.household_id is not None}
        return tally(spec, ballots, eligible_voters=0, eligible_households=roster).passed

    assert passed(exactly_sixty) is False
    assert passed(sixty_one) is True


# --- invalid input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_ballot", "message"),
    [
        (Ballot(1, None, frozenset({FOR}), datetime(2025, 11, 23, 10, 0)), "naive"),
        (Ballot(1, None, frozenset(), START), "nothing"),
        (Ballot(1, None, frozenset({FOR, AGAINST}), START), "several"),
        (Ballot(1, None, frozenset({3}), START), "unknown option"),
        (Ballot(1, None, frozenset({-1}), START), "unknown option"),
    ],
)
def test_ballots_that_cannot_belong_to_the_poll_are_rejected(
    bad_ballot: Ballot, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        count(DECISION, [bad_ballot])


def test_negative_eligible_voters_is_rejected() -> None:
    with pytest.raises(ValueError, match="eligible_voters"):
        count(DECISION, [], eligible_voters=-1)


@pytest.mark.parametrize("share", [Fraction(0), Fraction(-1, 2), Fraction(3, 2)])
def test_rule_values_outside_their_range_cannot_be_built(share: Fraction) -> None:
    with pytest.raises(ValueError, match="must be in"):
        ShareQuorum(share)
    with pytest.raises(ValueError, match="must be in"):
        PassThreshold(share)


def test_impossible_thresholds_and_quorums_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="never be met"):
        PassThreshold(Fraction(1), strict=True)
    with pytest.raises(ValueError, match="at least 1"):
        CountQuorum(0)
