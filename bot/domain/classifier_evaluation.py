"""Measure the classifier against labelled messages (for the quality test and tuning).

The corpus format is tab-separated with a header `text	is_request	category	urgent`, optionally
followed by a fifth column `kind`. `category` is empty and `urgent` is 0 for messages that are
not requests, except that a suggestion ("建议装个…", kind `suggestion`) may name its topic.
`kind` names what a message is an example of — a hard-negative kind (`news`, `what_if`, …), a
style (`me_too`, `voice`, …) or `suggestion`; see tests/data/README.md for the list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.domain.classifier import Classification, ClassifierRules, Verdict, classify
from bot.domain.hanzi import to_simplified

CORPUS_HEADER = ("text", "is_request", "category", "urgent")
CORPUS_HEADER_WITH_KIND = (*CORPUS_HEADER, "kind")
_HEADER_LINE = "\t".join(CORPUS_HEADER)
SUGGESTION_KIND = "suggestion"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_KIND = re.compile(r"[a-z][a-z_]*")


class CorpusError(ValueError):
    """A malformed corpus line, reported with its line number."""


@dataclass(frozen=True)
class LabelledMessage:
    """One corpus line: a message and what it really is."""

    text: str
    is_request: bool
    category: str
    urgent: bool
    kind: str = ""

    @property
    def is_suggestion(self) -> bool:
        return self.kind == SUGGESTION_KIND

    @property
    def language(self) -> str:
        """`zh-Hans`, `zh-Hant` (written in traditional characters) or `en`."""
        return language_of(self.text)


def language_of(text: str) -> str:
    """Which of the corpus's scripts a message is written in (by its characters)."""
    if not _CJK.search(text):
        return "en"
    plain = unicodedata.normalize("NFKC", text)
    return "zh-Hant" if to_simplified(plain) != plain else "zh-Hans"


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
        if not truth.is_request and self.result.verdict is Verdict.BORDERLINE:
            return True
        if truth.is_request and self.result.category != truth.category:
            return True
        return truth.urgent != (self.result.urgent and truth.is_request)


@dataclass(frozen=True)
class KindFigures:
    """How messages of one kind fared: cards, buttons, and (for requests) the right category."""

    kind: str
    total: int
    requests: int
    carded: int
    buttoned: int
    right_category: int


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
    suggestion_precision: float | None = None
    suggestion_recall: float | None = None
    by_language: dict[str, QualityReport] = field(default_factory=dict)

    @property
    def mistakes(self) -> tuple[Outcome, ...]:
        """Outcomes that disagree with the labels in any way."""
        return tuple(outcome for outcome in self.outcomes if outcome.wrong)

    def confusion(self) -> dict[tuple[str, str], int]:
        """(true category, given category) → count, over flagged real requests."""
        return dict(
            Counter(
                (o.message.category, o.result.category)
                for o in self.outcomes
                if o.message.is_request and o.flagged
            )
        )

    def by_kind(self) -> list[KindFigures]:
        """Figures per corpus kind (messages without a kind are left out), busiest first."""
        groups: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            if outcome.message.kind:
                groups.setdefault(outcome.message.kind, []).append(outcome)
        figures = [
            KindFigures(
                kind=kind,
                total=len(members),
                requests=sum(o.message.is_request for o in members),
                carded=sum(o.result.is_request for o in members),
                buttoned=sum(o.result.verdict is Verdict.BORDERLINE for o in members),
                right_category=sum(
                    o.message.is_request and o.flagged and o.result.category == o.message.category
                    for o in members
                ),
            )
            for kind, members in groups.items()
        ]
        return sorted(figures, key=lambda f: (-f.total, f.kind))


def parse_corpus(lines: Iterable[str]) -> list[LabelledMessage]:
    """Parse corpus lines (header first); raises CorpusError on a malformed line."""
    messages: list[LabelledMessage] = []
    columns = len(CORPUS_HEADER)
    for number, line in enumerate(lines, start=1):
        cells = line.rstrip("\r\n").split("\t")
        if number == 1:
            if tuple(cells) not in (CORPUS_HEADER, CORPUS_HEADER_WITH_KIND):
                raise CorpusError(f"line 1: header must be {_HEADER_LINE!r} (then kind)")
            columns = len(cells)
            continue
        if not line.strip():
            continue
        if len(cells) != columns or cells[1] not in ("0", "1") or cells[3] not in ("0", "1"):
            raise CorpusError(f"line {number}: expected text, 0/1, category, 0/1")
        kind = cells[4] if columns > len(CORPUS_HEADER) else ""
        if kind and not _KIND.fullmatch(kind):
            raise CorpusError(f"line {number}: kind must be a lower-case word, got {kind!r}")
        messages.append(
            LabelledMessage(cells[0], cells[1] == "1", cells[2], cells[3] == "1", kind)
        )
    return messages


def evaluate(messages: Sequence[LabelledMessage], rules: ClassifierRules) -> QualityReport:
    """Classify every message with the rules alone and compute the figures."""
    return evaluate_with(messages, lambda text: classify(text, rules))


def evaluate_with(
    messages: Sequence[LabelledMessage], classifier: Callable[[str], Classification]
) -> QualityReport:
    """Classify every message with `classifier` and compute the figures the project aims at.

    precision: share of REQUEST verdicts that are real requests.
    recall: share of real requests flagged (REQUEST or BORDERLINE: both reach staff).
    strict_recall: share of real requests that became REQUEST outright.
    category_accuracy: share of flagged real requests given the right category.
    urgent_precision / urgent_recall: over urgent flags on flagged messages.
    false_borderline_rate: share of non-requests that got a button anyway.
    suggestion_precision / recall: the `suggestion` flag against the `suggestion` kind.
    """
    outcomes = tuple(Outcome(message, classifier(message.text)) for message in messages)
    report = _report(outcomes)
    languages = sorted({o.message.language for o in outcomes})
    return QualityReport(
        **{name: getattr(report, name) for name in _FIGURES},
        outcomes=outcomes,
        by_language={
            language: _report(tuple(o for o in outcomes if o.message.language == language))
            for language in languages
        },
    )


_FIGURES = (
    "precision",
    "recall",
    "strict_recall",
    "category_accuracy",
    "urgent_precision",
    "urgent_recall",
    "false_borderline_rate",
    "suggestion_precision",
    "suggestion_recall",
)


def _report(outcomes: tuple[Outcome, ...]) -> QualityReport:
    requests = [outcome for outcome in outcomes if outcome.message.is_request]
    chatter = [outcome for outcome in outcomes if not outcome.message.is_request]
    claimed = [outcome for outcome in outcomes if outcome.result.is_request]
    flagged_requests = [outcome for outcome in requests if outcome.flagged]
    urgent_flags = [outcome for outcome in outcomes if outcome.result.urgent]
    urgent_truth = [outcome for outcome in outcomes if outcome.message.urgent]
    suggested = [o for o in outcomes if o.result.suggestion]
    suggestions = [o for o in outcomes if o.message.is_suggestion]
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
        suggestion_precision=_ratio(
            sum(o.message.is_suggestion for o in suggested), len(suggested)
        ),
        suggestion_recall=_ratio(sum(o.result.suggestion for o in suggestions), len(suggestions)),
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
