"""Free-text survey answers become a short ranked list of suggestions."""

from __future__ import annotations

from bot.config import Settings
from bot.domain.classifier import classify
from bot.domain.suggestion_groups import Suggestion, group_suggestions, says_nothing

RULES = Settings().classifier


def category(text: str) -> str:
    return classify(text, RULES).category


ANSWERS = [
    "垃圾房太臭了",
    "希望增加停车位",
    "垃圾房很臭，夏天更严重",
    "无",
    "小区停车位太少了",
    "More parking spaces please",
    "电梯经常坏",
    "停车位不够用",
    "垃圾房太臭，希望改造",
    "没有",
    "The lift breaks down often",
]


def test_similar_answers_group_and_rank_by_size() -> None:
    suggestions = [Suggestion(i, text) for i, text in enumerate(ANSWERS, start=1)]
    grouped = group_suggestions(suggestions, category)
    assert grouped.nothing == 2
    assert sum(g.size for g in grouped.groups) == len(ANSWERS) - 2
    top = grouped.groups[0]
    assert {m.text for m in top.members} >= {"垃圾房太臭了", "垃圾房很臭，夏天更严重"}
    parking = next(g for g in grouped.groups if g.holds(2))
    assert parking.holds(5)
    assert not parking.holds(1)
    sizes = [g.size for g in grouped.groups]
    assert sizes == sorted(sizes, reverse=True)
    assert len(grouped.groups) < len(ANSWERS) - 2


def test_grouping_is_deterministic_whatever_the_input_order() -> None:
    suggestions = [Suggestion(i, text) for i, text in enumerate(ANSWERS, start=1)]
    forward = group_suggestions(suggestions, category)
    backward = group_suggestions(list(reversed(suggestions)), category)
    assert forward == backward


def test_representative_is_the_most_typical_answer() -> None:
    texts = ["parking is too small", "more parking spaces", "parking spaces are too few"]
    grouped = group_suggestions([Suggestion(i, t) for i, t in enumerate(texts)], category)
    assert len(grouped.groups) == 1
    assert grouped.groups[0].representative.text == "parking spaces are too few"


def test_nothing_answers() -> None:
    assert says_nothing("无。")
    assert says_nothing("No")
    assert not says_nothing("No parking at night")
