"""The sandbox's demo community: its residents' words must still mean what the story needs."""

from __future__ import annotations

import pytest

from bot.domain.classifier import Verdict, classify
from bot.domain.classifier_rules import default_rules
from bot.sandbox.demo_content import DEMO_CONTENT
from bot.sandbox.launcher import default_language

LANGUAGES = sorted(DEMO_CONTENT)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_story_requests_become_requests_of_their_category(language: str) -> None:
    content = DEMO_CONTENT[language]  # type: ignore[index]
    rules = default_rules()
    for text, category in (
        (content.light_request, "electricity"),
        (content.elevator_request, "elevator"),
        (content.bins_request, "sanitation"),
    ):
        result = classify(text, rules)
        assert (result.verdict, result.category) == (Verdict.REQUEST, category), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_greetings_and_small_talk_are_left_alone(language: str) -> None:
    content = DEMO_CONTENT[language]  # type: ignore[index]
    rules = default_rules()
    for text in (content.plumber_hello, content.manager_hello, *content.small_talk):
        assert classify(text, rules).verdict is Verdict.IGNORE, text


def test_the_page_language_follows_the_locale() -> None:
    assert default_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_language({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_language({}) == "en"
