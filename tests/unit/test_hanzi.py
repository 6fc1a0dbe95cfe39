"""Text folding: traditional → simplified, full-width → half-width, case."""

from __future__ import annotations

import unicodedata

import pytest

from bot.domain.hanzi import normalize, to_simplified, traditional_simplified_pairs


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("電梯壞了", "电梯坏了"),
        ("樓道的燈不亮", "楼道的灯不亮"),
        ("暖氣不熱，屋裡好冷", "暖气不热,屋里好冷"),
        ("著火了", "着火了"),
        ("週日一大早就開始裝修", "周日一大早就开始装修"),
        ("單元門口結冰了", "单元门口结冰了"),
    ],
)
def test_traditional_text_folds_to_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified


def test_full_width_letters_digits_and_punctuation_become_half_width() -> None:
    assert normalize("ＵＮＩＴ　３Ｂ，ｎｏ　ｗａｔｅｒ！") == "unit 3b,no water!"


def test_case_and_runs_of_whitespace_are_folded() -> None:
    assert normalize("  The  Lift\tIS\nBroken ") == "the lift is broken"


def test_to_simplified_keeps_case_for_address_letters() -> None:
    assert to_simplified("Ｂ座 2B") == "B座 2B"


def test_simplified_text_passes_through_unchanged() -> None:
    text = "电梯又坏了，3单元502漏水"
    assert to_simplified(text) == unicodedata.normalize("NFKC", text)


def test_character_map_has_no_identity_entries_or_chains() -> None:
    pairs = traditional_simplified_pairs()
    assert pairs, "the built-in map must not be empty"
    assert all(traditional != simplified for traditional, simplified in pairs.items())
    # A chain (A→B and B→C) would make folding depend on how many times it runs.
    assert not set(pairs.values()) & set(pairs)


def test_folding_is_idempotent() -> None:
    text = "樓上漏水到我家天花板，已經好幾天了"
    assert normalize(normalize(text)) == normalize(text)
