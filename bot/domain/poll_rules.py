"""The rules a poll is decided by, shared by the `/poll` parser and the tally."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, TypeAlias

ONE_HALF = Fraction(1, 2)


class DefaultOption(enum.Enum):
    """The built-in For / Against / Abstain options; handlers translate their labels."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


# A custom option is the label exactly as the poll's author wrote it.
PollOption: TypeAlias = str | DefaultOption

DEFAULT_OPTIONS: tuple[PollOption, ...] = (
    DefaultOption.FOR,
    DefaultOption.AGAINST,
    DefaultOption.ABSTAIN,
)


@dataclass(frozen=True)
class DecisionIndexes:
    """Where For and Against sit among a decision poll's options."""

    for_index: int
    against_index: int


def decision_indexes(options: tuple[PollOption, ...]) -> DecisionIndexes | None:
    """The For/Against positions, or None when the poll is not a For/Against decision."""
    if DefaultOption.FOR not in options or DefaultOption.AGAINST not in options:
        return None
    return DecisionIndexes(
        for_index=options.index(DefaultOption.FOR),
        against_index=options.index(DefaultOption.AGAINST),
    )


@dataclass(frozen=True)
class ShareQuorum:
    """Quorum as a share (0, 1] of the eligible voters, or households in household polls."""

    share: Fraction

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"quorum share must be in (0, 1], got {self.share}")


@dataclass(frozen=True)
class CountQuorum:
    """Quorum as an absolute number of counted ballots (households in household polls)."""

    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"quorum count must be at least 1, got {self.count}")


# None means the poll has no quorum.
Quorum: TypeAlias = ShareQuorum | CountQuorum | None


def is_quorum_met(quorum: Quorum, *, counted: int, eligible: int) -> bool | None:
    """Whether `counted` ballots out of `eligible` satisfy the quorum; None without a quorum.

    Reaching the quorum exactly is enough. With nobody eligible a share quorum cannot be met.
    """
    match quorum:
        case None:
            return None
        case CountQuorum(count=count):
            return counted >= count
        case ShareQuorum(share=share):
            return eligible > 0 and Fraction(counted, eligible) >= share


@dataclass(frozen=True)
class PassThreshold:
    """The For share (For / (For + Against)) a decision poll needs to pass.

    `strict` distinguishes "majority" (more than half) from "--pass 50%" (at least half).
    """

    share: Fraction
    strict: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"pass threshold must be in (0, 1], got {self.share}")
        if self.strict and self.share == 1:
            raise ValueError("a strict threshold of 100% can never be met")

    def is_met_by(self, for_share: Fraction) -> bool:
        """Whether a For share clears this threshold."""
        return for_share > self.share if self.strict else for_share >= self.share


SIMPLE_MAJORITY = PassThreshold(ONE_HALF, strict=True)


class TallyRules(Protocol):
    """What the tally needs to know about a poll; `PollSpec` satisfies it."""

    @property
    def options(self) -> tuple[PollOption, ...]: ...

    @property
    def per_household(self) -> bool: ...

    @property
    def multi(self) -> bool: ...

    @property
    def quorum(self) -> Quorum: ...

    @property
    def pass_threshold(self) -> PassThreshold: ...
