"""Classifier rules: validation errors name the dotted key; the packaged rules load."""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.domain.classifier import (
    ClassifierRules,
    RulesError,
    Verdict,
    classify,
    default_rules,
    rules_from_mapping,
)
from bot.domain.classifier_evaluation import parse_corpus
from bot.domain.hanzi import normalize

SPEC_CATEGORIES = (
    "water", "heating", "electricity", "elevator", "sanitation", "parking",
    "noise", "security", "facilities", "greenery", "other",
)  # fmt: skip


def minimal_table() -> dict[str, Any]:
    """The smallest valid [classifier] table: one topic, one problem word."""
    return {
        "confident": 0.75,
        "borderline": 0.45,
        "fallback_category": "other",
        "problem": {"keywords_zh": ["坏了"], "keywords_en": ["broken"]},
        "categories": {
            "elevator": {
                "icon": "🛗",
                "keywords_zh": ["电梯"],
                "keywords_en": ["lift"],
                "patterns": ["电梯.{0,4}停"],
            },
            "other": {"icon": "📌"},
        },
    }


def packaged_table() -> dict[str, Any]:
    text = resources.files("bot.domain").joinpath("default_rules.toml").read_text("utf-8")
    table: dict[str, Any] = tomllib.loads(text)["classifier"]
    return table


def error_for(table: dict[str, Any]) -> RulesError:
    with pytest.raises(RulesError) as caught:
        rules_from_mapping(table)
    return caught.value


def test_default_rules_define_every_category_of_the_spec_with_an_icon() -> None:
    rules = default_rules()
    assert tuple(rule.key for rule in rules.categories) == SPEC_CATEGORIES
    assert all(rule.icon for rule in rules.categories)
    assert rules.fallback_category == "other"
    assert 0 < rules.borderline <= rules.confident <= 1


def test_every_category_except_the_fallback_has_words_in_both_languages() -> None:
    for rule in default_rules().categories:
        if rule.key == "other":
            continue
        assert rule.keywords_zh, rule.key
        assert rule.keywords_en, rule.key
        assert rule.patterns, rule.key


def test_minimal_table_builds_rules_that_classify() -> None:
    rules = rules_from_mapping(minimal_table())
    assert isinstance(rules, ClassifierRules)
    result = classify("电梯坏了", rules)
    assert result.verdict is Verdict.REQUEST
    assert result.category == "elevator"


def test_keywords_are_folded_so_admins_may_write_traditional_or_capitals() -> None:
    table = minimal_table()
    table["categories"]["elevator"]["keywords_zh"] = ["電梯"]
    table["categories"]["elevator"]["keywords_en"] = ["LIFT"]
    rules = rules_from_mapping(table)
    assert rules.category("elevator").keywords_zh == ("电梯",)
    assert classify("The lift is broken", rules).category == "elevator"


def test_english_keywords_match_whole_words_with_inflections() -> None:
    table = minimal_table()
    table["categories"]["elevator"]["keywords_en"] = ["ice", "leak"]
    rules = rules_from_mapping(table)
    assert classify("the notice is broken", rules).category == "other"
    assert classify("ice on the steps, the rail is broken", rules).category == "elevator"
    assert classify("it's leaking, the seal is broken", rules).category == "elevator"
    assert classify("the leakage gauge is broken", rules).category == "other"


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (lambda t: t["categories"]["elevator"].update(keywords_zh="电梯"),
         "classifier.categories.elevator.keywords_zh", "must be a list of strings"),
        (lambda t: t["categories"]["elevator"].update(keywords_en=["lift", 3]),
         "classifier.categories.elevator.keywords_en", "must be a list of strings"),
        (lambda t: t["categories"]["elevator"].update(keywords_zh=["电梯", " "]),
         "classifier.categories.elevator.keywords_zh[1]", "must not be empty"),
        (lambda t: t["categories"]["elevator"].update(patterns=["ok", "电梯(坏"]),
         "classifier.categories.elevator.patterns[1]", "invalid regular expression"),
        (lambda t: t["categories"]["elevator"].update(patterns=["\bfire\b"]),
         "classifier.categories.elevator.patterns[0]", "single quotes"),
        (lambda t: t["categories"]["elevator"].pop("icon"),
         "classifier.categories.elevator.icon", "is required"),
        (lambda t: t["categories"]["elevator"].update(colour="red"),
         "classifier.categories.elevator.colour", "unknown key"),
        (lambda t: t["categories"].update({"Bad Key": {"icon": "x"}}),
         "classifier.categories.Bad Key", "lower-case"),
        (lambda t: t.update(categories={}),
         "classifier.categories", "at least one category"),
        (lambda t: t.update(categories=["water"]),
         "classifier.categories", "must be a table"),
        (lambda t: t.pop("categories"), "classifier.categories", "is required"),
        (lambda t: t.update(fallback_category="misc"),
         "classifier.fallback_category", "no category named 'misc'"),
        (lambda t: t.update(confident="high"), "classifier.confident", "must be a number"),
        (lambda t: t.update(confident=True), "classifier.confident", "must be a number"),
        (lambda t: t.update(confident=1.5), "classifier.confident", "at most 1"),
        (lambda t: t.update(borderline=0), "classifier.borderline", "above 0"),
        (lambda t: t.update(borderline=0.9), "classifier.borderline", "not be above 'confident'"),
        (lambda t: t.update(urgent="fire"), "classifier.urgent", "must be a table"),
        (lambda t: t.update(problem={"keywords": ["坏了"]}),
         "classifier.problem.keywords", "unknown key"),
        (lambda t: t.update(thresholds={}), "classifier.thresholds", "unknown key"),
    ],
)  # fmt: skip
def test_validation_errors_name_the_dotted_key(mutate: Any, key: str, problem: str) -> None:
    table = minimal_table()
    mutate(table)
    error = error_for(table)
    assert error.key == key
    assert problem in error.problem
    assert str(error).startswith(f"{key}: ")


def test_prefix_is_configurable_for_other_table_positions() -> None:
    table = minimal_table()
    table["confident"] = 2
    with pytest.raises(RulesError) as caught:
        rules_from_mapping(table, prefix="buildings.east.classifier")
    assert caught.value.key == "buildings.east.classifier.confident"


def test_the_packaged_file_validates_and_a_copy_with_one_typo_does_not() -> None:
    table = packaged_table()
    assert rules_from_mapping(table) == rules_from_mapping(copy.deepcopy(table))
    broken = copy.deepcopy(table)
    broken["categories"]["water"]["patterns"].append("(unclosed")
    index = len(broken["categories"]["water"]["patterns"]) - 1
    assert error_for(broken).key == f"classifier.categories.water.patterns[{index}]"


def test_marker_groups_are_optional() -> None:
    table = minimal_table()
    del table["problem"]
    rules = rules_from_mapping(table)
    # Without problem words only patterns describe problems.
    assert classify("电梯坏了", rules).verdict is Verdict.IGNORE
    assert classify("电梯又停了", rules).verdict is Verdict.REQUEST


def test_packaged_file_comments_every_key() -> None:
    """Admins copy this file into config.toml; each setting must explain itself."""
    text = resources.files("bot.domain").joinpath("default_rules.toml").read_text("utf-8")
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("[classifier.") and not line.startswith("[classifier.categories."):
            assert lines[number - 1].startswith("#"), line
        if line.split("=")[0].strip() in ("confident", "borderline", "fallback_category"):
            assert lines[number - 1].startswith("#"), line


def test_patterns_of_one_script_are_skipped_only_for_text_they_cannot_match() -> None:
    rules = rules_from_mapping(
        {
            **minimal_table(),
            "urgent": {
                "patterns": ["电梯.{0,4}困", "\\bstuck in the lift\\b", "(水|water).{0,9}喷"]
            },
        }
    )
    assert rules.urgent.pattern_hits("电梯里困了人") == ("电梯里困",)
    assert rules.urgent.pattern_hits("someone is stuck in the lift") == ("stuck in the lift",)
    # A pattern mixing scripts always runs.
    assert rules.urgent.pattern_hits("water 喷") == ("water 喷",)


def test_skipping_by_script_finds_what_running_every_pattern_finds() -> None:
    """The packaged rules on the whole tuning corpus: the shortcut changes no hit."""
    rules = default_rules()
    cues = [rules.urgent, rules.problem, rules.resolved, rules.hearsay, rules.personal,
            rules.announcement, rules.suggestion, rules.chit_chat, *rules.categories]  # fmt: skip
    corpus = Path(__file__).resolve().parents[1] / "data" / "corpus"
    for path in sorted(corpus.glob("*.tsv")):
        for message in parse_corpus(path.read_text("utf-8").splitlines()):
            folded = normalize(message.text)
            for cue in cues:
                every = (pattern.search(folded) for pattern in cue.patterns)
                expected = tuple(dict.fromkeys(hit.group() for hit in every if hit))
                assert cue.pattern_hits(folded) == expected, message.text


def test_the_packaged_rules_compile_their_patterns_at_first_use_and_all_compile() -> None:
    rules = rules_from_mapping(packaged_table(), check_patterns=False)
    cues = rules.cues()
    assert len(cues) > len(rules.categories)  # the marker groups too
    assert all("patterns" not in cue.__dict__ for cue in cues)  # nothing compiled yet
    for cue in cues:
        cue.compile()
        assert [p.pattern for p in cue.patterns] == list(cue.pattern_sources)
    assert rules == rules_from_mapping(packaged_table())  # checked or not, the same rules


def test_unchecked_patterns_fail_at_first_use_and_checked_ones_when_read() -> None:
    table = minimal_table()
    table["categories"]["elevator"]["patterns"] = ["电梯(坏"]
    unchecked = rules_from_mapping(table, check_patterns=False).category("elevator")
    with pytest.raises(re.error):
        unchecked.compile()
    assert error_for(table).key == "classifier.categories.elevator.patterns[0]"
