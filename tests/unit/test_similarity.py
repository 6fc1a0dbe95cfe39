"""Duplicate ("me too") detection: text similarity and the same-problem decision."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.classifier import classify, default_rules
from bot.domain.similarity import likely_same_problem, similarity

RULES = default_rules()


def same_problem(new_text: str, candidate_text: str) -> bool:
    candidate = classify(candidate_text, RULES)
    return likely_same_problem(
        classify(new_text, RULES), new_text, candidate.category, candidate_text, candidate.location
    )


@pytest.mark.parametrize(
    ("new_text", "candidate_text"),
    [
        ("3单元电梯又坏了", "3单元的电梯停了，困了半天"),
        ("电梯又坏了", "3单元电梯坏了"),
        ("2单元楼道灯坏了好几天了", "2单元楼道的灯还是不亮"),
        ("垃圾桶满了没人收", "垃圾桶满了"),
        ("The elevator in unit 3 is broken again", "Elevator stuck again in unit 3"),
        ("No hot water in 7B", "7B has no hot water since this morning"),
        ("Bins at entrance 2 overflowing again", "The bins by entrance 2 are overflowing"),
        ("樓道燈又不亮了", "楼道灯不亮了"),
    ],
)
def test_reports_of_the_same_problem_match(new_text: str, candidate_text: str) -> None:
    assert same_problem(new_text, candidate_text)


@pytest.mark.parametrize(
    ("new_text", "candidate_text"),
    [
        ("3单元电梯坏了", "5单元电梯坏了"),
        ("3单元楼道灯不亮", "3单元电表箱冒火花"),
        ("楼道灯不亮了", "暖气不热"),
        ("The lift in building 4 is broken", "The lift in building 2 is broken"),
        ("My kitchen sink is leaking", "The drain outside is blocked and smells"),
    ],
)
def test_different_problems_or_places_do_not_match(new_text: str, candidate_text: str) -> None:
    assert not same_problem(new_text, candidate_text)


def test_a_different_category_never_matches_even_with_identical_text() -> None:
    text = "3单元电梯坏了"
    assert not likely_same_problem(classify(text, RULES), text, "water", text, None)


def test_similarity_ignores_particles_punctuation_and_script() -> None:
    assert similarity("电梯又坏了！", "電梯壞了") == pytest.approx(1.0)
    assert similarity("The LIFT is broken.", "lift broken") == pytest.approx(1.0)


def test_similarity_is_symmetric_and_zero_without_shared_tokens() -> None:
    assert similarity("暖气不热", "电梯坏了") == 0.0
    first, second = "楼道灯坏了好几天", "楼道的灯坏了"
    assert similarity(first, second) == similarity(second, first)
    assert 0.0 < similarity(first, second) < 1.0


def test_similarity_of_empty_or_filler_text_is_zero() -> None:
    assert similarity("", "电梯坏了") == 0.0
    assert similarity("的了吗", "the is a") == 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.text(max_size=600))
def test_similarity_is_a_bounded_symmetric_score(first: str, second: str) -> None:
    score = similarity(first, second)
    assert 0.0 <= score <= 1.0
    assert score == similarity(second, first)
