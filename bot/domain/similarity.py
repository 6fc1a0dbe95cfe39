"""Spot a second report of a problem already tracked, so it becomes a "me too".

Text similarity is a Jaccard index over tokens: character bigrams for Chinese (no word
boundaries to rely on) and words for English, after folding and dropping particles and
stop words. Address mentions are compared as structured locations instead of as text,
so "3单元电梯坏了" and "5单元电梯坏了" read as the same words in different places.
"""

from __future__ import annotations

import re
from typing import Final

from bot.domain.classifier import Classification
from bot.domain.hanzi import normalize
from bot.domain.location import Location, locations_agree, locations_conflict, remove_locations

# Similarity needed when both messages name the same place (unit 3 and unit 3).
SAME_PLACE_THRESHOLD: Final = 0.1
# Similarity needed when at most one of them says where: the words must carry it.
STRONG_THRESHOLD: Final = 0.5

_CJK_RUN: Final = re.compile(r"[\u3400-\u9fff]+")
_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Particles and pronouns that carry no information about what is broken.
_CHINESE_FILLERS: Final = frozenset(
    "的了吗呢啊吧呀哦嘛啦又也都还就很太我你他她它们这那个在是把被给和跟请"
)
_ENGLISH_STOP_WORDS: Final = frozenset((
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its",
    "it's", "this", "that", "these", "those", "i", "me", "my", "we", "our", "us", "you",
    "your", "he", "she", "they", "them", "their", "his", "her", "of", "in", "on", "at", "to",
    "for", "from", "by", "with", "and", "or", "but", "so", "again", "still", "just", "very",
    "really", "please", "can", "could", "would", "will", "do", "does", "did", "has", "have",
    "had", "there", "here", "what", "why", "how", "when", "who", "any", "anyone", "someone",
    "some", "not", "no",
))  # fmt: skip


def similarity(first: str, second: str) -> float:
    """How alike two messages read, from 0 (nothing shared) to 1 (same tokens)."""
    first_tokens = _tokens(first)
    second_tokens = _tokens(second)
    if not first_tokens or not second_tokens:
        return 0.0
    shared = len(first_tokens & second_tokens)
    return shared / len(first_tokens | second_tokens)


def likely_same_problem(
    new: Classification,
    new_text: str,
    candidate_category: str,
    candidate_text: str,
    candidate_location: Location | None,
) -> bool:
    """Whether a new message reports the problem an open request already tracks.

    Requires the same category and no conflicting location, then enough similarity of
    what is said (addresses removed): a little when both name the same place, a lot
    when the place is unknown on either side.
    """
    if new.category != candidate_category:
        return False
    if locations_conflict(new.location, candidate_location):
        return False
    score = similarity(remove_locations(new_text), remove_locations(candidate_text))
    if locations_agree(new.location, candidate_location):
        return score >= SAME_PLACE_THRESHOLD
    return score >= STRONG_THRESHOLD


def _tokens(text: str) -> frozenset[str]:
    folded = normalize(text)
    tokens: set[str] = set()
    for run in _CJK_RUN.findall(folded):
        characters = "".join(char for char in run if char not in _CHINESE_FILLERS)
        if len(characters) == 1:
            tokens.add(characters)
        tokens.update(characters[index : index + 2] for index in range(len(characters) - 1))
    for word in _WORD.findall(folded):
        if word not in _ENGLISH_STOP_WORDS:
            tokens.add(_stem(word))
    return frozenset(tokens)


def _stem(word: str) -> str:
    """Crude English stemming, enough for "leaking"/"leaks"/"leak" to meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> frozenset[str]:
    """The tokens `similarity` compares (for callers that compare one text many times)."""
    return _tokens(text)
