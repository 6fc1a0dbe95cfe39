"""Deciding whether a deployment's corrections may change its model, and checking the result.

Every correction stores the whole label of its message as it stands after the correction (is it
a request, which category, urgent?), so the latest correction of each message is its label.
An adaptation is learned only from enough examples, and only kept when it does at least as well
as the shipped model on the most recent corrections it was not trained on (a chronological
hold-out): no more false requests, and no fewer right answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.domain.learned_model import NONE_LABEL, LinearModel, ModelDelta
from bot.domain.model_training import AdaptationParameters, Example, adapt

# Corrections count more than a corpus line would: they are this building's own words.
HOLD_OUT_SHARE: Final = 0.2
MIN_HOLD_OUT: Final = 5
REQUEST_THRESHOLD: Final = 0.5


@dataclass(frozen=True)
class CorrectedLabel:
    """The label of one corrected message (the latest correction of its subject)."""

    subject: str
    text: str
    is_request: bool
    category: str | None
    urgent: bool

    def example(self, fallback_category: str) -> Example:
        if not self.is_request:
            return Example(self.text, NONE_LABEL, False)
        return Example(self.text, self.category or fallback_category, self.urgent)


@dataclass(frozen=True)
class HeldOutScore:
    """How a model does on held-out corrections."""

    examples: int
    right: int  # request decision right, and category right for requests
    false_requests: int  # non-requests it would call requests

    def as_dict(self) -> dict[str, int]:
        return {"examples": self.examples, "right": self.right, "false": self.false_requests}


@dataclass(frozen=True)
class AdaptationOutcome:
    """A learned delta with the evidence for keeping it, or why there is none."""

    delta: ModelDelta | None
    reason: str
    before: HeldOutScore | None = None
    after: HeldOutScore | None = None


def latest_labels(labels: Sequence[CorrectedLabel]) -> list[CorrectedLabel]:
    """One label per subject, the latest (input in chronological order), kept in that order."""
    latest: dict[str, CorrectedLabel] = {}
    for label in labels:
        latest.pop(label.subject, None)
        latest[label.subject] = label
    return list(latest.values())


def score(model: LinearModel, examples: Sequence[Example]) -> HeldOutScore:
    right = false_requests = 0
    for example in examples:
        prediction = model.predict(example.text)
        said_request = prediction.request >= REQUEST_THRESHOLD
        is_request = example.label != NONE_LABEL and example.label in model.categories
        if said_request and not is_request:
            false_requests += 1
        if said_request == is_request and (not is_request or prediction.category == example.label):
            right += 1
    return HeldOutScore(len(examples), right, false_requests)


def plan_adaptation(
    model: LinearModel,
    labels: Sequence[CorrectedLabel],
    *,
    fallback_category: str,
    min_examples: int,
    version: str,
    parameters: AdaptationParameters | None = None,
) -> AdaptationOutcome:
    """Learn a delta from corrections if there are enough and it holds up on the newest ones."""
    examples = [label.example(fallback_category) for label in latest_labels(labels)]
    if len(examples) < min_examples:
        return AdaptationOutcome(
            None, f"{len(examples)} corrected messages, {min_examples} needed"
        )
    hold_out = max(MIN_HOLD_OUT, round(len(examples) * HOLD_OUT_SHARE))
    training, testing = examples[:-hold_out], examples[-hold_out:]
    trial = adapt(model, training, parameters, version=f"{version}-trial")
    before = score(model, testing)
    after = score(model.with_delta(trial), testing)
    if after.false_requests > before.false_requests or after.right < before.right:
        return AdaptationOutcome(
            None,
            "an adaptation did worse on the newest corrections; kept the model",
            before,
            after,
        )
    delta = adapt(model, examples, parameters, version=version)
    return AdaptationOutcome(delta, "adapted", before, after)
