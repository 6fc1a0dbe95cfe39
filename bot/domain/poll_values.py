"""Values of the numeric `/poll` flags: durations, quorums and pass thresholds.

Values arrive NFKC-normalised, so full-width digits, `％` and `／` already look ASCII.
"""

from __future__ import annotations

import re
from fractions import Fraction

from bot.domain.poll_errors import PollSyntaxError, PollSyntaxErrorCode
from bot.domain.poll_rules import (
    SIMPLE_MAJORITY,
    CountQuorum,
    PassThreshold,
    Quorum,
    ShareQuorum,
)

# A comma decimal separator is accepted because many phone keyboards offer only that.
_DECIMAL = r"[+-]?\d+(?:[.,]\d+)?"
_DECIMAL_RE = re.compile(_DECIMAL)
_PERCENT_RE = re.compile(rf"({_DECIMAL})%")
_RATIO_RE = re.compile(r"([+-]?\d+)/(\d+)")
_INTEGER_RE = re.compile(r"[+-]?\d+")

MAJORITY_WORDS = frozenset(
    {"majority", "simple", "simple-majority", "过半", "过半数", "半数以上", "多数", "简单多数"}
)


def _decimal(text: str) -> Fraction:
    return Fraction(text.replace(",", "."))


def _share(text: str) -> Fraction | None:
    """`60%`, `2/3` or `0.6` as an exact fraction; None if it is none of those."""
    if match := _PERCENT_RE.fullmatch(text):
        return _decimal(match.group(1)) / 100
    if match := _RATIO_RE.fullmatch(text):
        denominator = int(match.group(2))
        return Fraction(int(match.group(1)), denominator) if denominator else None
    if _DECIMAL_RE.fullmatch(text):
        return _decimal(text)
    return None


def parse_positive_amount(value: str, *, flag: str) -> Fraction:
    """A strictly positive number of hours or days (decimals allowed)."""
    if not _DECIMAL_RE.fullmatch(value) or _decimal(value) <= 0:
        raise PollSyntaxError(PollSyntaxErrorCode.INVALID_DURATION, {"flag": flag, "value": value})
    return _decimal(value)


def parse_quorum(value: str) -> Quorum:
    """`50%` or `1/2` is a share of the eligible; a whole number is an absolute count."""
    if _INTEGER_RE.fullmatch(value):
        count = int(value)
        if count < 1:
            raise PollSyntaxError(PollSyntaxErrorCode.QUORUM_OUT_OF_RANGE, {"value": value})
        return CountQuorum(count)
    if _DECIMAL_RE.fullmatch(value):
        # "0.5" could mean half or half a household; make the author say which.
        raise PollSyntaxError(PollSyntaxErrorCode.INVALID_QUORUM, {"value": value})
    share = _share(value)
    if share is None:
        raise PollSyntaxError(PollSyntaxErrorCode.INVALID_QUORUM, {"value": value})
    if not 0 < share <= 1:
        raise PollSyntaxError(PollSyntaxErrorCode.QUORUM_OUT_OF_RANGE, {"value": value})
    return ShareQuorum(share)


def parse_pass_threshold(value: str) -> PassThreshold:
    """`majority` (more than half), `60%` / `2/3` / `0.6` (at least that share), or a share
    after `>` (more than that share, e.g. `>60%` for "more than 60 % disapprove").
    """
    if value.casefold() in MAJORITY_WORDS:
        return SIMPLE_MAJORITY
    strict = value.startswith(">") and not value.startswith(">=")
    share = _share(value.removeprefix(">=").removeprefix(">").removeprefix("≥"))
    if share is None:
        raise PollSyntaxError(PollSyntaxErrorCode.INVALID_PASS_THRESHOLD, {"value": value})
    if not 0 < share <= 1 or (strict and share == 1):
        raise PollSyntaxError(PollSyntaxErrorCode.PASS_THRESHOLD_OUT_OF_RANGE, {"value": value})
    return PassThreshold(share, strict=strict)
