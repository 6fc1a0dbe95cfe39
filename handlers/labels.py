"""Translated names for domain values (categories, levels) shown to people."""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.community import ALL_CATEGORIES
from bot.domain.escalation import StaffLevel
from bot.i18n import N_, Translator

CATEGORY_NAMES: dict[str, str] = {
    "water": N_("water"),
    "heating": N_("heating"),
    "electricity": N_("electricity"),
    "elevator": N_("elevator"),
    "sanitation": N_("sanitation"),
    "parking": N_("parking"),
    "noise": N_("noise"),
    "security": N_("safety & security"),
    "facilities": N_("facilities"),
    "greenery": N_("greenery"),
    "other": N_("other"),
    ALL_CATEGORIES: N_("all categories"),
}

LEVEL_NAMES: dict[StaffLevel, str] = {
    StaffLevel.VOLUNTEER: N_("level 1: volunteer / repair team"),
    StaffLevel.PROPERTY_MANAGER: N_("level 2: property manager"),
    StaffLevel.COMMUNITY_OFFICE: N_("level 3: community office"),
}


def category_name(_: Translator, key: str) -> str:
    return _(CATEGORY_NAMES[key]) if key in CATEGORY_NAMES else key


def category_names(_: Translator, keys: Collection[str]) -> str:
    return ", ".join(category_name(_, key) for key in sorted(keys))


def level_name(_: Translator, level: StaffLevel) -> str:
    return _(LEVEL_NAMES[level])
