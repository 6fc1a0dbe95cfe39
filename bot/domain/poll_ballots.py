"""Ballots, and which of them count: one per voter, and one per household in household polls.

The counting rules:

* A person has one vote at a time: only each voter's latest ballot is considered, even if
  they moved to another household and voted again there.
* In household polls the latest considered ballot from the household wins, whoever cast it.
* A ballot belongs to the household the voter was in when casting it. A voter who moves out
  or leaves every household does not take that vote away: it still stands for the old
  household until a later ballot from that household replaces it.
* A ballot cast while the voter had no household counts for the household they are in now
  (from `current_membership`), as if they had joined before voting; without a household it
  does not count.
* A proxy ballot is the represented voter's ballot (`voter_id` is the person represented),
  so it counts for that voter's household and is replaced by their own later ballot.

"Latest" is by `cast_at`; ballots cast at the same instant are ordered by their content, so
the result never depends on the order the ballots were loaded in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Ballot:
    """One person's vote: option indexes in `choices`, `proxy_by` set when cast for them."""

    voter_id: int
    household_id: int | None
    choices: frozenset[int]
    cast_at: datetime
    proxy_by: int | None = None


def _recency(ballot: Ballot) -> tuple[datetime, int, tuple[int, ...], int, int, int, int]:
    # Everything after cast_at is an arbitrary but total tie-break between same-instant ballots.
    return (
        ballot.cast_at,
        ballot.voter_id,
        tuple(sorted(ballot.choices)),
        ballot.household_id is not None,
        ballot.household_id or 0,
        ballot.proxy_by is not None,
        ballot.proxy_by or 0,
    )


def latest_per_voter(ballots: Iterable[Ballot]) -> list[Ballot]:
    """Each voter's latest ballot."""
    latest: dict[int, Ballot] = {}
    for ballot in ballots:
        known = latest.get(ballot.voter_id)
        if known is None or _recency(ballot) > _recency(known):
            latest[ballot.voter_id] = ballot
    return list(latest.values())


def latest_per_household(
    ballots: Iterable[Ballot],
    *,
    eligible_households: set[int],
    current_membership: Mapping[int, int | None] | None = None,
) -> list[Ballot]:
    """The one ballot that speaks for each eligible household that voted (see module rules)."""
    membership = current_membership or {}
    latest: dict[int, Ballot] = {}
    for ballot in latest_per_voter(ballots):
        household = ballot.household_id
        if household is None:
            household = membership.get(ballot.voter_id)
        if household is None or household not in eligible_households:
            continue
        known = latest.get(household)
        if known is None or _recency(ballot) > _recency(known):
            latest[household] = ballot
    return list(latest.values())
