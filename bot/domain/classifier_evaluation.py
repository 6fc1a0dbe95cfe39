"""Measure the classifier against labelled messages (for the quality test and tuning).

The corpus format is tab-separated with a header `text	is_request	category	urgent`;
`category` is empty and `urgent` is 0 for messages that are not requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.classifier import Classification, ClassifierRules, Verdict, classify

CORPUS_HEADER = ("text", "is_request", "category", "urgent")
_HEADER_LINE = "\t".join(CORPUS_HEADER)


class CorpusError(ValueError):
    """A malformed corpus line, reported with its line number."""


@dataclass(frozen=True)
class LabelledMessage:
    """One corpus line: a message and what it really is."""

    text: str
    is_request: bool
    category: str
    urgent: bool


@dataclass(frozen=True)
class Outcome:
    """A labelled message next to what the classifier made of it."""

    message: LabelledMessage
    result: Classification

    @property
    def flagged(self) -> bool:
        """REQUEST or BORDERLINE: the chat sees either a request or a button."""
        return self.result.verdict is not Verdict.IGNORE

    @property
    def wrong(self) -> bool:
        """Any disagreement a tuner should look at."""
        truth = self.message
        if self.result.is_request and not truth.is_request:
            return True
        if truth.is_request and not self.flagged:
            return True
        if truth.is_request and self.result.category != truth.category:
            return True
        return truth.urgent != (self.result.urgent and truth.is_request)


@dataclass(frozen=True)
class QualityReport:
    """Headline figures; each ratio is None when its denominator is empty."""

    outcomes: tuple[Outcome, ...]
    precision: float | None
    recall: float | None
    strict_recall: float | None
    category_accuracy: float | None
    urgent_precision: float | None
    urgent_recall: float | None
    false_borderline_rate: float | None

    @property
    def mistakes(self) -> tuple[Outcome, ...]:
        """Outcomes that disagree with the labels in any way."""
        return tuple(outcome for outcome in self.outcomes if outcome.wrong)


def parse_corpus(lines: Iterable[str]) -> list[LabelledMessage]:
    """Parse corpus lines (header first); raises CorpusError on a malformed line."""
    messages: list[LabelledMessage] = []
    for number, line in enumerate(lines, start=1):
        cells = line.rstrip("\r\n").split("\t")
        if number == 1:
            if tuple(cells) != CORPUS_HEADER:
                raise CorpusError(f"line 1: header must be {_HEADER_LINE!r}")
            continue
        if not line.strip():
            continue
        if (
            len(cells) != len(CORPUS_HEADER)
            or cells[1] not in ("0", "1")
            or cells[3] not in ("0", "1")
        ):
            raise CorpusError(f"line {number}: expected text, 0/1, category, 0/1")
        text, is_request, category, urgent = cells
        messages.append(LabelledMessage(text, is_request == "1", category, urgent == "1"))
    return messages


def evaluate(messages: Sequence[LabelledMessage], rules: ClassifierRules) -> QualityReport:
    """Classify every message and compute the figures the project aims at.

    precision: share of REQUEST verdicts that are real requests.
    recall: share of real requests flagged (REQUEST or BORDERLINE: both reach staff).
    strict_recall: share of real requests that became REQUEST outright.
    category_accuracy: share of flagged real requests given the right category.
    urgent_precision / urgent_recall: over urgent flags on flagged messages.
    false_borderline_rate: share of non-requests that got a button anyway.
    """
    outcomes = tuple(Outcome(message, classify(message.text, rules)) for message in messages)
    requests = [outcome for outcome in outcomes if outcome.message.is_request]
    chatter = [outcome for outcome in outcomes if not outcome.message.is_request]
    claimed = [outcome for outcome in outcomes if outcome.result.is_request]
    flagged_requests = [outcome for outcome in requests if outcome.flagged]
    urgent_flags = [outcome for outcome in outcomes if outcome.result.urgent]
    urgent_truth = [outcome for outcome in outcomes if outcome.message.urgent]
    return QualityReport(
        outcomes=outcomes,
        precision=_ratio(sum(o.message.is_request for o in claimed), len(claimed)),
        recall=_ratio(len(flagged_requests), len(requests)),
        strict_recall=_ratio(sum(o.result.is_request for o in requests), len(requests)),
        category_accuracy=_ratio(
            sum(o.result.category == o.message.category for o in flagged_requests),
            len(flagged_requests),
        ),
        urgent_precision=_ratio(sum(o.message.urgent for o in urgent_flags), len(urgent_flags)),
        urgent_recall=_ratio(sum(o.result.urgent for o in urgent_truth), len(urgent_truth)),
        false_borderline_rate=_ratio(
            sum(o.result.verdict is Verdict.BORDERLINE for o in chatter), len(chatter)
        ),
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
