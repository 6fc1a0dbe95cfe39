"""Community roles and the arguments of role-management commands."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.escalation import StaffLevel


class CommunityRole(StrEnum):
    """What a person is in a building; a person may hold several."""

    ADMIN = "admin"
    HEAD = "head"
    STAFF = "staff"
    RESIDENT = "resident"


ALL_CATEGORIES = "*"

# What people type for a category, in both languages (keys are the taxonomy's).
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "water": ("水", "供水", "漏水", "水管", "给排水"),
    "heating": ("暖气", "供暖", "heat", "radiators"),
    "electricity": ("电", "电力", "用电", "power", "electric", "lights"),
    "elevator": ("电梯", "lift", "lifts", "elevators"),
    "sanitation": ("卫生", "环境", "垃圾", "保洁", "cleaning", "garbage"),
    "parking": ("停车", "车位", "车辆"),
    "noise": ("噪音", "扰民", "噪声"),
    "security": ("安全", "安保", "消防", "门禁", "safety"),
    "facilities": ("设施", "公共设施", "维修", "repairs"),
    "greenery": ("绿化", "树木", "green", "trees"),
    "other": ("其他", "其它"),
}
CATEGORY_KEYS: tuple[str, ...] = tuple(CATEGORY_ALIASES)
_ALL_WORDS = ("*", "all", "any", "全部", "所有", "全")
_LEVEL_WORDS: dict[str, StaffLevel] = {
    "volunteer": StaffLevel.VOLUNTEER,
    "repair": StaffLevel.VOLUNTEER,
    "志愿者": StaffLevel.VOLUNTEER,
    "维修队": StaffLevel.VOLUNTEER,
    "manager": StaffLevel.PROPERTY_MANAGER,
    "property": StaffLevel.PROPERTY_MANAGER,
    "物业": StaffLevel.PROPERTY_MANAGER,
    "office": StaffLevel.COMMUNITY_OFFICE,
    "community": StaffLevel.COMMUNITY_OFFICE,
    "社区": StaffLevel.COMMUNITY_OFFICE,
    "居委会": StaffLevel.COMMUNITY_OFFICE,
}
_USERNAME = re.compile(r"^@([A-Za-z][A-Za-z0-9_]{3,31})$")
_USER_ID = re.compile(r"^[0-9]{5,15}$")
_LEVEL = re.compile(r"^(?:l|level|级|level=)?([1-3])(?:级)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """Who a role command is about: a known user id, or a @username."""

    user_id: int | None = None
    username: str | None = None


class ArgumentProblem(StrEnum):
    """Why role-command arguments were not understood."""

    NO_TARGET = "no_target"
    TWO_TARGETS = "two_targets"
    UNKNOWN_CATEGORY = "unknown_category"
    NO_CATEGORY = "no_category"
    TWO_LEVELS = "two_levels"


class ArgumentError(ValueError):
    """Role-command arguments could not be understood."""

    def __init__(self, problem: ArgumentProblem, value: str = "") -> None:
        super().__init__(f"{problem}: {value}")
        self.problem = problem
        self.value = value


@dataclass(frozen=True)
class StaffArguments:
    """Parsed `/staff add <categories> [level] [@user|id]`."""

    categories: frozenset[str]
    level: StaffLevel
    target: Target | None


def parse_target(token: str) -> Target | None:
    """`@username` or a numeric user id, else None."""
    match = _USERNAME.match(token)
    if match:
        return Target(username=match.group(1))
    if _USER_ID.match(token):
        return Target(user_id=int(token))
    return None


def resolve_category(word: str, known: Collection[str]) -> str | None:
    """A category key from its key or an alias (any case), or None."""
    lowered = word.strip().lower()
    if lowered in _ALL_WORDS:
        return ALL_CATEGORIES
    if lowered in known:
        return lowered
    for key, aliases in CATEGORY_ALIASES.items():
        if key in known and lowered in aliases:
            return key
    return None


def parse_staff_arguments(
    tokens: Sequence[str], known_categories: Collection[str]
) -> StaffArguments:
    """Parse the words after `/staff add` (the target may instead come from a reply)."""
    categories: set[str] = set()
    level: StaffLevel | None = None
    target: Target | None = None
    for token in tokens:
        as_target = parse_target(token)
        if as_target is not None:
            if target is not None:
                raise ArgumentError(ArgumentProblem.TWO_TARGETS, token)
            target = as_target
            continue
        token_level = _parse_level(token)
        if token_level is not None:
            if level is not None:
                raise ArgumentError(ArgumentProblem.TWO_LEVELS, token)
            level = token_level
            continue
        for word in re.split(r"[,，、/]+", token):
            if not word:
                continue
            category = resolve_category(word, known_categories)
            if category is None:
                raise ArgumentError(ArgumentProblem.UNKNOWN_CATEGORY, word)
            categories.add(category)
    if not categories:
        raise ArgumentError(ArgumentProblem.NO_CATEGORY)
    if ALL_CATEGORIES in categories:
        categories = {ALL_CATEGORIES}
    return StaffArguments(frozenset(categories), level or StaffLevel.VOLUNTEER, target)


def _parse_level(token: str) -> StaffLevel | None:
    match = _LEVEL.match(token)
    if match:
        return StaffLevel(int(match.group(1)))
    return _LEVEL_WORDS.get(token.lower())


def serves_category(staff_categories: Collection[str], category: str) -> bool:
    """Does a staff member with these categories handle `category`?"""
    return ALL_CATEGORIES in staff_categories or category in staff_categories
