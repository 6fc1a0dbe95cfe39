"""Is a group message a suggestion (a *need*) rather than a problem report?

One small function on purpose: the classifier is learning to tell suggestions apart (a
signal in its result); when it does, `looks_like_suggestion` becomes a one-line switch to
that signal, and these cue phrases can go.
"""

from __future__ import annotations

from typing import Final

from bot.domain.classifier import Classification
from bot.domain.hanzi import normalize

# Folded (simplified, lower case) phrases that propose something new rather than report
# something broken: "建议在楼道装个扶手", "能不能装个充电桩", "could we get a bike shed".
SUGGESTION_CUES: Final = (
    "建议",
    "能不能装",
    "能不能加",
    "能不能建",
    "能不能搞",
    "能不能设",
    "可不可以装",
    "可以装个",
    "希望能",
    "希望可以",
    "要是有个",
    "最好能",
    "加装",
    "增设",
    "提议",
    "could we get",
    "could we have",
    "can we get",
    "can we have",
    "it would be nice",
    "would be nice to",
    "i suggest",
    "we suggest",
    "i propose",
    "how about a",
    "why don't we",
    "what if we",
)


def looks_like_suggestion(text: str, classification: Classification) -> bool:
    """True when the message proposes something (and is no hazard report)."""
    if classification.urgent:
        return False
    folded = normalize(text)
    return any(cue in folded for cue in SUGGESTION_CUES)
