"""Flat numbers and role-command arguments."""

from __future__ import annotations

import pytest

from bot.domain.community import (
    ALL_CATEGORIES,
    CATEGORY_KEYS,
    ArgumentError,
    ArgumentProblem,
    Target,
    parse_staff_arguments,
    parse_target,
    resolve_category,
    serves_category,
)
from bot.domain.escalation import StaffLevel
from bot.domain.flats import Flat, parse_flat


@pytest.mark.parametrize(
    ("text", "unit", "room"),
    [
        ("3-502", "3", "502"),
        ("3－502", "3", "502"),
        ("3/502", "3", "502"),
        ("3单元502", "3", "502"),
        ("3单元502室", "3", "502"),
        ("三单元502", "3", "502"),
        ("3 单元 502 室", "3", "502"),
        ("unit 3 room 502", "3", "502"),
        ("Unit 2, 301", "2", "301"),
        ("b-1201", "B", "1201"),
        ("502", None, "502"),
        ("502室", None, "502"),
        ("flat 12a", None, "12A"),
    ],
)
def test_parse_flat_accepts_common_forms(text: str, unit: str | None, room: str) -> None:
    assert parse_flat(text) == Flat(unit, room)


@pytest.mark.parametrize("text", ["", "hello", "3-", "12-3-502", "楼上", "3-5", "x" * 50])
def test_parse_flat_rejects_non_flats(text: str) -> None:
    assert parse_flat(text) is None


def test_flat_labels_are_canonical() -> None:
    assert parse_flat("3单元502室") == parse_flat("3-502")
    assert Flat("3", "502").label == "3-502"
    assert Flat(None, "502").label == "502"


def test_staff_arguments_in_any_order_and_both_languages() -> None:
    parsed = parse_staff_arguments(["@pavel", "水,暖气", "2"], CATEGORY_KEYS)
    assert parsed.categories == {"water", "heating"}
    assert parsed.level is StaffLevel.PROPERTY_MANAGER
    assert parsed.target == Target(username="pavel")
    assert parse_staff_arguments(["elevator", "物业"], CATEGORY_KEYS).level == 2
    assert parse_staff_arguments(["Water"], CATEGORY_KEYS).level is StaffLevel.VOLUNTEER


def test_all_categories_absorbs_the_rest() -> None:
    parsed = parse_staff_arguments(["water", "all", "123456789"], CATEGORY_KEYS)
    assert parsed.categories == {ALL_CATEGORIES}
    assert parsed.target == Target(user_id=123456789)
    assert serves_category(parsed.categories, "noise")
    assert not serves_category({"water"}, "noise")


@pytest.mark.parametrize(
    ("tokens", "problem"),
    [
        (["plumbing"], ArgumentProblem.UNKNOWN_CATEGORY),
        ([], ArgumentProblem.NO_CATEGORY),
        (["@a_user", "@b_user", "water"], ArgumentProblem.TWO_TARGETS),
        (["water", "1", "3"], ArgumentProblem.TWO_LEVELS),
    ],
)
def test_staff_argument_problems(tokens: list[str], problem: ArgumentProblem) -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_staff_arguments(tokens, CATEGORY_KEYS)
    assert caught.value.problem is problem


def test_targets_and_categories() -> None:
    assert parse_target("@ab") is None  # too short for a Telegram username
    assert parse_target("42") is None  # too short for a user id
    assert parse_target("bob") is None
    assert resolve_category("电梯", CATEGORY_KEYS) == "elevator"
    assert resolve_category("电梯", ["water"]) is None
