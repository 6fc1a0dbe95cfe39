"""Building names: nothing hidden, and look-alikes recognised."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.building_names import clean_name, look_alike_key

TOWER_A = "Tower A"


@pytest.mark.parametrize(
    "disguised",
    [
        "Tower\u200b A",  # zero-width space
        "Tower A\u200d",  # zero-width joiner
        "\u202eTower A",  # right-to-left override
        "\u2066Tower A\u2069",  # isolates
        "Ｔｏｗｅｒ　Ａ",  # full-width letters and space
        "Tower  A ",
        "\ufeffTower A",
    ],
)
def test_hidden_and_width_tricks_are_removed(disguised: str) -> None:
    assert clean_name(disguised) == TOWER_A


@pytest.mark.parametrize(
    "look_alike",
    [
        "tower a",
        "Tower-A",
        "TowerA",
        "Т\u043ewer А",  # Cyrillic Т, о and А
        "Tοwer A",  # Greek omicron
        "T0wer A",  # zero for O
        "Tówer A",
        "Tower\u3164A",  # Hangul filler
    ],
)
def test_look_alikes_share_a_key(look_alike: str) -> None:
    assert look_alike_key(look_alike) == look_alike_key(TOWER_A)


def test_different_buildings_have_different_keys() -> None:
    keys = {look_alike_key(n) for n in ("Tower A", "Tower B", "5号楼", "6号楼", "Tower AA")}
    assert len(keys) == 5


def test_traditional_and_simplified_characters_look_alike() -> None:
    assert look_alike_key("5號樓") == look_alike_key("5号楼")


@given(st.text(max_size=200))
def test_cleaning_any_text_leaves_nothing_hidden(raw: str) -> None:
    cleaned = clean_name(raw)
    assert cleaned == clean_name(cleaned)
    assert not any(unicodedata.category(c) in ("Cf", "Cc") for c in cleaned)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    look_alike_key(raw)  # never raises
