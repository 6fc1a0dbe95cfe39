"""Rules and the learned model together: what the bot does with a message.

The rules stay in charge where they are strong: an urgent hazard they recognise always becomes an
urgent card (learning can never silence it), and a message they confidently call a request stays
one unless the model is all but sure it is not (then it becomes a quiet button, not silence). The
model adds recall — a message the rules ignore gets a button when the model thinks it may be a
request, and a card only when it is very sure — and decides the category together with the rules'
topic words. When the rules read a message as already fixed, elsewhere, hypothetical, a notice or
the writer's own affair, the model may not overrule them with a card: at most a button, when it is
all but sure. When two categories are close, the result names both so the card can ask.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from bot.domain.classifier import Classification, ClassifierRules, Verdict, classify
from bot.domain.learned_model import LinearModel, Prediction


@dataclass(frozen=True)
class Thresholds:
    """Where the model's probabilities change the rules' verdict (tuned by cross-validation)."""

    card: float = 0.75  # model alone makes a card
    button: float = 0.6  # model alone offers a button
    veto: float = 0.08  # below this the model turns a rules card into a button
    keep_button: float = 0.3  # below this a rules button is dropped
    # A message the rules hedged gets a model button only above this, and a wish the rules
    # read as a suggestion becomes a request only above it too.
    hedged_button: float = 0.9
    urgent: float = 0.7  # model adds urgency to a flagged request
    suggestion: float = 0.5
    rules_weight: float = 1.3  # what full rules votes add to a category's model probability
    alternative: float = 0.2  # a second category this close (combined score) is offered too


DEFAULT_THRESHOLDS: Final = Thresholds()
# Rules votes beyond this many add nothing (a pattern counts two, a keyword one).
_VOTE_CAP: Final = 4


@dataclass(frozen=True)
class Understanding:
    """The rules, optionally with a learned model (None: rules only, as before issue 12)."""

    rules: ClassifierRules
    model: LinearModel | None = None
    thresholds: Thresholds = DEFAULT_THRESHOLDS

    def classify(self, text: str) -> Classification:
        """Classify a message; never raises, deterministic for a given model."""
        ruled = classify(text, self.rules)
        if self.model is None:
            return ruled
        return combine(ruled, self.model.predict(text), self.rules, self.thresholds)

    def explain(self, text: str) -> dict[str, object]:
        """Which rules and which learned evidence decided (for `courtyard classify --explain`)."""
        ruled = classify(text, self.rules)
        result = self.classify(text)
        explanation: dict[str, object] = {
            "rules": {
                "verdict": ruled.verdict.value,
                "category": ruled.category,
                "urgent": ruled.urgent,
                "confidence": ruled.confidence,
                "matched": list(ruled.matched),
            }
        }
        if self.model is not None:
            prediction = self.model.predict(text)
            label = result.category if result.verdict is not Verdict.IGNORE else "none"
            if result.suggestion:
                label = "suggestion"
            explanation["model"] = {
                "version": self.model.version,
                "adaptation": self.model.metadata.get("adaptation"),
                "request": round(prediction.request, 3),
                "suggestion": round(prediction.suggestion, 3),
                "urgent": round(prediction.urgent, 3),
                "categories": [(key, round(p, 3)) for key, p in prediction.categories[:3]],
                "evidence": self.model.evidence(text, label),
            }
        explanation["decided_by"] = list(result.evidence)
        return explanation


def combine(
    ruled: Classification, prediction: Prediction, rules: ClassifierRules, limits: Thresholds
) -> Classification:
    """Merge the rules' reading with the model's (see the module docstring)."""
    reasons: list[str] = []
    rules_urgent = ruled.urgent and ruled.verdict is not Verdict.IGNORE
    if rules_urgent:
        verdict = Verdict.REQUEST
        reasons.append("rules: urgent hazard")
    elif ruled.verdict is Verdict.REQUEST:
        if prediction.request < limits.veto:
            verdict = Verdict.BORDERLINE
            reasons.append("model: doubts the rules' request")
        else:
            verdict = Verdict.REQUEST
            reasons.append("rules: request")
    elif ruled.hedged:
        # "Fixed now", "what if…", "sorry, my alarm": the model's words are the problem's words.
        if prediction.request >= limits.hedged_button:
            verdict = Verdict.BORDERLINE
            reasons.append("model: maybe a request, though the rules read it as settled")
        else:
            verdict = Verdict.IGNORE
            reasons.append("rules: over, elsewhere, hypothetical or the writer's own")
    elif prediction.request >= limits.card:
        verdict = Verdict.REQUEST
        reasons.append("model: request")
    elif prediction.request >= limits.button:
        verdict = Verdict.BORDERLINE
        reasons.append("model: maybe a request")
    elif ruled.verdict is Verdict.BORDERLINE and prediction.request >= limits.keep_button:
        verdict = Verdict.BORDERLINE
        reasons.append("rules: maybe a request")
    else:
        verdict = Verdict.IGNORE
        if ruled.verdict is Verdict.BORDERLINE:
            reasons.append("model: not a request")

    suggestion = not rules_urgent and (
        (ruled.suggestion and prediction.request < limits.hedged_button)
        or (
            prediction.suggestion >= limits.suggestion
            and prediction.suggestion > prediction.request
        )
    )
    if suggestion and verdict is not Verdict.REQUEST:
        verdict = Verdict.IGNORE
        reasons.append("model: a suggestion")

    category, alternative = _category(ruled, prediction, rules, limits)
    urgent = verdict is not Verdict.IGNORE and (
        rules_urgent
        or (
            # The model's urgency never overrules a hedge ("what if the gas alarm ever…") or a
            # harmless source; otherwise it may promote what the rules flagged (checked on
            # cross-validation and blind batches 3-5: without it urgent recall drops 0.01-0.03).
            not ruled.hedged
            and not ruled.harmless
            and (
                (prediction.urgent >= limits.urgent and ruled.verdict is not Verdict.IGNORE)
                or prediction.urgent >= max(limits.urgent, 0.9)
            )
        )
    )
    if urgent and not rules_urgent:
        reasons.append("model: urgent")
    return replace(
        ruled,
        verdict=verdict,
        category=category,
        urgent=urgent,
        suggestion=suggestion,
        alternative_category=alternative if verdict is not Verdict.IGNORE else None,
        request_probability=round(prediction.request, 4),
        evidence=tuple(reasons),
    )


def _category(
    ruled: Classification, prediction: Prediction, rules: ClassifierRules, limits: Thresholds
) -> tuple[str, str | None]:
    """Model probabilities plus the rules' votes (capped); the runner-up if it is close."""
    scores = dict(prediction.categories)
    for key, votes in ruled.category_votes:
        if key in scores:
            scores[key] += limits.rules_weight * min(votes, _VOTE_CAP) / _VOTE_CAP
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    (best, best_score), (second, second_score) = ranked[0], ranked[1]
    close = best_score - second_score < limits.alternative and second_score >= limits.alternative
    return best, (second if close else None)
