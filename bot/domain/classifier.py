"""Decide whether a chat message is a maintenance request, and what kind.

The score adds up evidence from the rules: a described problem (generic markers such as
"坏了"/"not working" and category patterns such as "电梯…卡住") weighs most, a topic word
("电梯", "radiator") a little, an urgent hazard a lot; thanks, announcements and "it's
fixed now" subtract. Precision matters more than recall in a group chat, so a topic
alone never reaches the borderline threshold, and announcements and resolutions cancel
the problem words they inevitably contain ("停水通知", "漏水已经修好了").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.domain.classifier_rules import (
    CategoryRule,
    ClassifierRules,
    Cue,
    RulesError,
    default_rules,
    rules_from_mapping,
)
from bot.domain.hanzi import normalize
from bot.domain.location import Location, extract_location

__all__ = [
    "CategoryRule",
    "Classification",
    "ClassifierRules",
    "Cue",
    "RulesError",
    "Verdict",
    "classify",
    "default_rules",
    "rules_from_mapping",
]

# Confidence contributed by how much problem evidence there is (distinct hits, capped).
_PROBLEM_WEIGHT_BY_STRENGTH: Final = (0.0, 0.5, 0.65, 0.75)
_TOPIC_WEIGHT: Final = 0.25
_URGENT_WEIGHT: Final = 0.3
_CHIT_CHAT_WEIGHT: Final = -0.15
_CHIT_CHAT_MAX_HITS: Final = 2
_ANNOUNCEMENT_WEIGHT: Final = -0.5
_RESOLVED_WEIGHT: Final = -0.5
_HEARSAY_WEIGHT: Final = -0.5
_PERSONAL_WEIGHT: Final = -0.5
_SUGGESTION_WEIGHT: Final = -0.3
# A keyword names a topic; a pattern describes a problem with it, so it counts double.
_PATTERN_VOTES: Final = 2


class Verdict(Enum):
    """What the bot should do with a message."""

    REQUEST = "request"
    BORDERLINE = "borderline"
    IGNORE = "ignore"


@dataclass(frozen=True)
class Classification:
    """The classifier's reading of one message."""

    verdict: Verdict
    category: str
    urgent: bool
    location: Location | None
    confidence: float
    matched: tuple[str, ...]
    # A wish for something new ("建议装个…", "could we get…") rather than a problem report.
    suggestion: bool = False
    # A second category nearly as likely (the card then asks which one is right).
    alternative_category: str | None = None
    # The learned model's probability that this is a request (None: rules only).
    request_probability: float | None = None
    # Why the verdict came out as it did ("rules: urgent hazard", "model: request", …).
    evidence: tuple[str, ...] = ()
    # Every category the rules found words for, with its votes (the model weighs them).
    category_votes: tuple[tuple[str, int], ...] = ()
    # The rules read the message as over, elsewhere, hypothetical, a notice or the writer's own
    # affair ("修好了", "what if…", "sorry, it was my alarm"): the model should not overrule that.
    hedged: bool = False
    # The hazard words have a harmless source ("烟头", a smoke alarm's low battery, a kitchen
    # vent): a complaint perhaps, but nobody is paged, not even on the model's word.
    harmless: bool = False

    @property
    def is_request(self) -> bool:
        """True when the message should become a tracked request straight away."""
        return self.verdict is Verdict.REQUEST


@dataclass(frozen=True)
class _CategoryVotes:
    rule: CategoryRule
    keyword_hits: tuple[str, ...]
    pattern_hits: tuple[str, ...]
    first_mention: int

    @property
    def votes(self) -> int:
        return len(self.keyword_hits) + _PATTERN_VOTES * len(self.pattern_hits)

    def beats(self, other: _CategoryVotes | None) -> bool:
        """More votes win; on a tie the topic mentioned first is what the message is about."""
        if other is None:
            return True
        return (self.votes, -self.first_mention) > (other.votes, -other.first_mention)


def classify(text: str, rules: ClassifierRules) -> Classification:
    """Classify a message text or photo caption; never raises, always deterministic."""
    folded = normalize(text)
    candidates = _category_candidates(folded, rules)
    best = _best(candidates)
    urgent_hits = rules.urgent.hits(folded)
    problem_hits = rules.problem.hits(folded)
    chit_chat_hits = rules.chit_chat.hits(folded)
    announcement_hits = rules.announcement.hits(folded)
    resolved_hits = rules.resolved.hits(folded)
    hearsay_hits = rules.hearsay.hits(folded)
    suggestion_hits = rules.suggestion.hits(folded)
    personal_hits = rules.personal.hits(folded)
    harmless_hits = rules.harmless.hits(folded)
    # A hazard elsewhere, in the past, in a what-if, in a notice, already dealt with or the
    # writer's own doing is not one to page staff about.
    hedged = bool(hearsay_hits or announcement_hits or resolved_hits or personal_hits)
    if hedged:
        urgent_hits = ()

    strength = len(problem_hits) + (len(best.pattern_hits) if best else 0) + bool(urgent_hits)
    score = _PROBLEM_WEIGHT_BY_STRENGTH[min(strength, len(_PROBLEM_WEIGHT_BY_STRENGTH) - 1)]
    score += _TOPIC_WEIGHT if best else 0.0
    score += _URGENT_WEIGHT if urgent_hits else 0.0
    score += _CHIT_CHAT_WEIGHT * min(len(chit_chat_hits), _CHIT_CHAT_MAX_HITS)
    score += _ANNOUNCEMENT_WEIGHT * len(announcement_hits)
    score += _RESOLVED_WEIGHT * len(resolved_hits)
    score += _HEARSAY_WEIGHT * min(len(hearsay_hits), 1)
    score += _PERSONAL_WEIGHT * min(len(personal_hits), 1)
    # A wish with nothing described as wrong is a suggestion, not a request.
    suggestion = bool(suggestion_hits) and strength == 0
    score += _SUGGESTION_WEIGHT if suggestion else 0.0
    confidence = round(min(max(score, 0.0), 1.0), 4)
    # A harmless source still describes a problem (smoke in my flat), just not an emergency.
    if harmless_hits:
        urgent_hits = ()

    verdict = _verdict(confidence, rules)
    category = best.rule.key if best else rules.fallback_category
    matched = _labelled(
        (category, best.keyword_hits + best.pattern_hits if best else ()),
        ("urgent", urgent_hits),
        ("problem", problem_hits),
        ("chit_chat", chit_chat_hits),
        ("announcement", announcement_hits),
        ("resolved", resolved_hits),
        ("hearsay", hearsay_hits),
        ("suggestion", suggestion_hits),
        ("personal", personal_hits),
        ("harmless", harmless_hits),
    )
    return Classification(
        verdict=verdict,
        category=category,
        urgent=bool(urgent_hits) and verdict is not Verdict.IGNORE,
        location=extract_location(text),
        confidence=confidence,
        matched=matched,
        category_votes=tuple((c.rule.key, c.votes) for c in candidates),
        suggestion=suggestion,
        hedged=hedged,
        harmless=bool(harmless_hits),
    )


def _category_candidates(folded: str, rules: ClassifierRules) -> list[_CategoryVotes]:
    """Every category with keyword or pattern hits, in rule order.

    The fallback takes part only through its own words ("stray dogs", "物业费"): a message
    with no topic at all falls back to it without votes.
    """
    candidates = []
    for rule in rules.categories:
        keyword_hits = rule.keyword_hits(folded)
        pattern_hits = rule.pattern_hits(folded)
        if not keyword_hits and not pattern_hits:
            continue
        first_mention = min(folded.find(hit) for hit in keyword_hits + pattern_hits)
        candidates.append(_CategoryVotes(rule, keyword_hits, pattern_hits, first_mention))
    return candidates


def _best(candidates: list[_CategoryVotes]) -> _CategoryVotes | None:
    """The category with most votes; ties go to the one mentioned first, then listed first."""
    best: _CategoryVotes | None = None
    for candidate in candidates:
        if candidate.beats(best):
            best = candidate
    return best


def _verdict(confidence: float, rules: ClassifierRules) -> Verdict:
    if confidence >= rules.confident:
        return Verdict.REQUEST
    if confidence >= rules.borderline:
        return Verdict.BORDERLINE
    return Verdict.IGNORE


def _labelled(*groups: tuple[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Hits as "group:text", so a tuning tool can tell which rule list fired."""
    return tuple(f"{group}:{hit}" for group, hits in groups for hit in hits)
