"""Turn many free-text survey answers into a short ranked list of suggestions.

Answers are first sorted into categories by the message classifier, then grouped within a
category by text similarity (an answer joins the group holding its most similar answer when
they share enough words). Groups are ranked by how many respondents wrote them; each is shown
by its most typical answer. "Nothing" / "无" answers are counted but not grouped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.domain.similarity import tokens

# Jaccard similarity of tokens above which two answers say the same thing (short answers
# share few tokens: "垃圾房太臭了" / "垃圾房很臭" score 0.3, unrelated ones under 0.1).
SAME_SUGGESTION: Final = 0.2
_NOTHING: Final = frozenset({
    "无", "没有", "没", "暂无", "无建议", "没有建议", "没意见", "没有意见", "都挺好", "挺好", "好",
    "no", "none", "nothing", "n/a", "na", "-", "—", "no comment", "nope", "ok", "good",
})  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    answer_id: int
    text: str


@dataclass(frozen=True)
class SuggestionGroup:
    """Answers that say the same thing; `representative` is the one shown."""

    category: str
    representative: Suggestion
    members: tuple[Suggestion, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    def holds(self, answer_id: int) -> bool:
        return any(member.answer_id == answer_id for member in self.members)


@dataclass(frozen=True)
class GroupedSuggestions:
    groups: tuple[SuggestionGroup, ...]
    nothing: int  # answers that said there was nothing to suggest


def says_nothing(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).casefold().strip(" .。!！~～")
    return folded in _NOTHING


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def group_suggestions(
    suggestions: Sequence[Suggestion],
    categorize: Callable[[str], str],
    threshold: float = SAME_SUGGESTION,
) -> GroupedSuggestions:
    """Group and rank answers; deterministic for the same input (ordered by answer id)."""
    ordered = sorted(suggestions, key=lambda s: s.answer_id)
    meaningful = [s for s in ordered if not says_nothing(s.text)]
    token_sets = {s.answer_id: tokens(s.text) for s in meaningful}
    clusters: dict[str, list[list[Suggestion]]] = {}
    for suggestion in meaningful:
        category = categorize(suggestion.text)
        mine = token_sets[suggestion.answer_id]
        best: list[Suggestion] | None = None
        best_score = threshold
        for cluster in clusters.setdefault(category, []):
            score = max(_jaccard(mine, token_sets[member.answer_id]) for member in cluster)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = cluster, score
        if best is None:
            clusters[category].append([suggestion])
        else:
            best.append(suggestion)
    groups = [
        SuggestionGroup(category, _most_typical(cluster, token_sets), tuple(cluster))
        for category, category_clusters in clusters.items()
        for cluster in category_clusters
    ]
    groups.sort(key=lambda g: (-g.size, g.members[0].answer_id))
    return GroupedSuggestions(tuple(groups), len(ordered) - len(meaningful))


def _most_typical(
    cluster: Sequence[Suggestion], token_sets: dict[int, frozenset[str]]
) -> Suggestion:
    """The answer closest to all the others; ties go to the shorter, then the earlier one."""

    def closeness(candidate: Suggestion) -> tuple[float, int, int]:
        mine = token_sets[candidate.answer_id]
        total = sum(
            _jaccard(mine, token_sets[other.answer_id])
            for other in cluster
            if other.answer_id != candidate.answer_id
        )
        return (-total, len(candidate.text), candidate.answer_id)

    return min(cluster, key=closeness)
