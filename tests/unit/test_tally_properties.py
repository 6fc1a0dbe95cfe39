"""Properties of the tally that must hold for any set of ballots."""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.poll_ballots import latest_per_household, latest_per_voter
from bot.domain.poll_rules import (
    DEFAULT_OPTIONS,
    SIMPLE_MAJORITY,
    CountQuorum,
    DefaultOption,
    PassThreshold,
    PollOption,
    Quorum,
    ShareQuorum,
)
from bot.domain.tally import Ballot, PollResult, tally

START = datetime(2025, 11, 23, 10, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_HOUSEHOLD = 5


@dataclass(frozen=True)
class Rules:
    options: tuple[PollOption, ...]
    per_household: bool
    multi: bool
    quorum: Quorum
    pass_threshold: PassThreshold


@dataclass(frozen=True)
class Scenario:
    rules: Rules
    ballots: list[Ballot]
    eligible_voters: int
    roster: set[int]
    membership: dict[int, int | None] | None

    def result(self, ballots: list[Ballot] | None = None) -> PollResult:
        return tally(
            self.rules,
            self.ballots if ballots is None else ballots,
            eligible_voters=self.eligible_voters,
            eligible_households=self.roster,
            current_membership=self.membership,
        )

    def counted(self) -> list[Ballot]:
        if self.rules.per_household:
            return latest_per_household(
                self.ballots, eligible_households=self.roster, current_membership=self.membership
            )
        return latest_per_voter(self.ballots)


shares = st.fractions(min_value=Fraction(1, 100), max_value=1, max_denominator=100)
quorums = st.one_of(
    st.none(), st.builds(CountQuorum, st.integers(1, 10)), st.builds(ShareQuorum, shares)
)
thresholds = st.one_of(
    st.just(SIMPLE_MAJORITY),
    st.builds(PassThreshold, shares),
    st.builds(PassThreshold, shares.filter(lambda share: share < 1), st.just(True)),
)


@st.composite
def rules(draw: st.DrawFn, *, per_household: bool | None = None) -> Rules:
    multi = draw(st.booleans())
    options: tuple[PollOption, ...]
    if not multi and draw(st.booleans()):
        options = DEFAULT_OPTIONS
    else:
        options = tuple(f"option {index}" for index in range(draw(integers(2, 5))))
    return Rules(
        options=options,
        per_household=draw(st.booleans()) if per_household is None else per_household,
        multi=multi,
        quorum=draw(quorums),
        pass_threshold=draw(thresholds),
    )


# Few distinct instants, so equal timestamps are common; some written in another zone.
cast_times = st.sampled_from(
    [START + timedelta(minutes=minute) for minute in range(5)]
    + [(START + timedelta(minutes=minute)).astimezone(SHANGHAI) for minute in range(5)]
)
# One past the roster's range, so some ballots name a household that is not eligible.
household_ids = st.none() | st.integers(1, MAX_HOUSEHOLD + 1)
proxies = st.none() | st.integers(100, 101)
rosters = st.sets(st.integers(1, MAX_HOUSEHOLD))


@functools.cache
def integers(low: int, high: int) -> st.SearchStrategy[int]:
    # Built once per range: constructing strategies inside draws dominates the run time.
    return st.integers(low, high)


@functools.cache
def ballot_lists(
    option_count: int, *, multi: bool, voters: int
) -> st.SearchStrategy[list[Ballot]]:
    option_indexes = integers(0, option_count - 1)
    choices = (
        st.frozensets(option_indexes, min_size=1)
        if multi
        else option_indexes.map(lambda index: frozenset({index}))
    )
    ballots = st.builds(
        Ballot,
        voter_id=integers(1, voters),
        household_id=household_ids,
        choices=choices,
        cast_at=cast_times,
        proxy_by=proxies,
    )
    return st.lists(ballots, max_size=20)


@functools.cache
def memberships(voters: int) -> st.SearchStrategy[dict[int, int | None] | None]:
    return st.none() | st.dictionaries(integers(1, voters), household_ids)


@st.composite
def scenarios(draw: st.DrawFn, *, per_household: bool | None = None) -> Scenario:
    poll = draw(rules(per_household=per_household))
    eligible_voters = draw(integers(1, 8))
    ballots = ballot_lists(len(poll.options), multi=poll.multi, voters=eligible_voters)
    return Scenario(
        rules=poll,
        ballots=draw(ballots),
        eligible_voters=eligible_voters,
        roster=draw(rosters),
        membership=draw(memberships(eligible_voters)),
    )


def household_of(ballot: Ballot, membership: Mapping[int, int | None] | None) -> int | None:
    if ballot.household_id is not None:
        return ballot.household_id
    return (membership or {}).get(ballot.voter_id)


@given(scenarios())
def test_counted_ballots_never_exceed_the_eligible(scenario: Scenario) -> None:
    result = scenario.result()

    eligible = len(scenario.roster) if scenario.rules.per_household else scenario.eligible_voters
    assert result.ballots_counted <= eligible
    assert result.turnout_denominator == eligible
    if result.turnout_ratio is not None:
        assert 0 <= result.turnout_ratio <= 1


@given(scenarios())
def test_at_most_one_counted_ballot_per_voter_and_per_household(scenario: Scenario) -> None:
    counted = scenario.counted()

    voters = [ballot.voter_id for ballot in counted]
    assert len(voters) == len(set(voters))
    assert all(ballot in scenario.ballots for ballot in counted)
    if scenario.rules.per_household:
        households = [household_of(ballot, scenario.membership) for ballot in counted]
        assert len(households) == len(set(households))
        assert set(households) <= scenario.roster
    assert scenario.result().ballots_counted == len(counted)


@given(scenarios(per_household=False))
def test_each_voters_counted_ballot_is_one_of_their_latest(scenario: Scenario) -> None:
    for ballot in scenario.counted():
        own = [other.cast_at for other in scenario.ballots if other.voter_id == ballot.voter_id]
        assert ballot.cast_at == max(own)


@given(scenarios(per_household=True))
def test_each_households_counted_ballot_is_its_latest_current_one(scenario: Scenario) -> None:
    still_standing = latest_per_voter(scenario.ballots)
    for ballot in scenario.counted():
        household = household_of(ballot, scenario.membership)
        rivals = [
            other.cast_at
            for other in still_standing
            if household_of(other, scenario.membership) == household
        ]
        assert ballot.cast_at == max(rivals)


@given(scenarios(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_ballot_order(
    scenario: Scenario, shuffler: random.Random
) -> None:
    shuffled = list(scenario.ballots)
    shuffler.shuffle(shuffled)

    assert scenario.result(shuffled) == scenario.result()


@given(scenarios())
def test_option_counts_add_up_to_the_choices_on_counted_ballots(scenario: Scenario) -> None:
    result = scenario.result()

    assert sum(result.counts) == sum(len(ballot.choices) for ballot in scenario.counted())
    if not scenario.rules.multi:
        assert sum(result.counts) == result.ballots_counted


@given(scenarios())
def test_passing_requires_the_quorum_and_only_decisions_pass(scenario: Scenario) -> None:
    result = scenario.result()

    if result.passed:
        assert result.quorum_met is not False
        assert result.for_share is not None
    is_decision = DefaultOption.FOR in scenario.rules.options
    assert (result.passed is None) is not is_decision
    assert (result.quorum_met is None) is (scenario.rules.quorum is None)


@given(scenarios())
def test_winners_are_exactly_the_top_options_of_a_valid_custom_poll(scenario: Scenario) -> None:
    result = scenario.result()

    is_decision = DefaultOption.FOR in scenario.rules.options
    if is_decision or result.ballots_counted == 0 or result.quorum_met is False:
        assert result.winners == ()
    else:
        top = max(result.counts)
        expected = tuple(index for index, count in enumerate(result.counts) if count == top)
        assert result.winners == expected


@given(scenarios(per_household=False))
def test_one_more_for_vote_never_makes_a_passing_decision_fail(scenario: Scenario) -> None:
    decision = replace(scenario.rules, options=DEFAULT_OPTIONS, multi=False)
    single_choice = [
        replace(ballot, choices=frozenset({min(ballot.choices) % 3}))
        for ballot in scenario.ballots
    ]
    newcomer = Ballot(
        voter_id=scenario.eligible_voters + 1,
        household_id=None,
        choices=frozenset({0}),
        cast_at=START,
    )
    before = replace(scenario, rules=decision, ballots=single_choice)
    after = replace(
        before, ballots=[*single_choice, newcomer], eligible_voters=before.eligible_voters + 1
    )

    if before.result().passed:
        assert after.result().passed


@given(scenarios())
def test_proxy_ballots_count_like_the_voters_own(scenario: Scenario) -> None:
    without_proxies = [replace(ballot, proxy_by=None) for ballot in scenario.ballots]

    with_proxies = scenario.result()
    plain = scenario.result(without_proxies)

    assert replace(with_proxies, proxy_ballots_counted=0) == plain
    assert with_proxies.proxy_ballots_counted == sum(
        ballot.proxy_by is not None for ballot in scenario.counted()
    )
