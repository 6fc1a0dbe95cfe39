"""Address extraction from free chat text, its labels, and comparing two locations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.location import (
    LabelStyle,
    Location,
    extract_location,
    locations_agree,
    locations_conflict,
    remove_locations,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5号楼的电梯又坏了", Location(building="5")),
        ("12栋门口的路灯不亮", Location(building="12")),
        ("B座大堂漏水", Location(building="B")),
        ("3单元楼道灯坏了", Location(unit="3")),
        ("3楼的声控灯一直闪", Location(floor="3")),
        ("12层走廊有股味", Location(floor="12")),
        ("502室卫生间渗水", Location(room="502")),
        ("3-502家里没水", Location(unit="3", room="502")),
        ("2-3-502的暖气不热", Location(building="2", unit="3", room="502")),
        ("5号楼3单元1202", Location(building="5", unit="3", room="1202")),
        ("三单元五楼", Location(unit="3", floor="5")),
        ("十二层", Location(floor="12")),
        ("负一楼车库的灯全黑了", Location(floor="-1")),
        ("3號樓2單元", Location(building="3", unit="2")),
        ("３单元５０２室", Location(unit="3", room="502")),
    ],
)
def test_chinese_address_forms(text: str, expected: Location) -> None:
    assert extract_location(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unit 3B has no hot water", Location(unit="3B")),
        ("the lift in building 4 is stuck", Location(building="4")),
        ("bins behind block C", Location(building="C")),
        ("entrance 3 door won't close", Location(unit="3")),
        ("hallway on floor 5 is dark", Location(floor="5")),
        ("apt 12 toilet is blocked", Location(room="12")),
        ("2B ceiling is leaking", Location(room="2B")),
        ("the 3rd floor landing", Location(floor="3")),
        ("on the fifth floor", Location(floor="5")),
        ("4F corridor light", Location(floor="4")),
        ("Building 4, Unit 3B", Location(building="4", unit="3B")),
        ("unit 502 radiator", Location(room="502")),
        ("Block C, flat 12", Location(building="C", room="12")),
    ],
)
def test_english_address_forms(text: str, expected: Location) -> None:
    assert extract_location(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "大家早上好",
        "明天12号开会",
        "停水通知：2024-12-05 9-12点停水",
        "有事打138-1234-5678",
        "这一层的人都听见了",
        "两楼之间的空地",
        "building a new bike shed",
        "meeting at 10am on the 2nd",
        "my 5G signal is weak",
        "two buildings share the yard",
    ],
)
def test_text_without_an_address_gives_none(text: str) -> None:
    assert extract_location(text) is None


def test_building_number_is_not_read_again_as_a_floor() -> None:
    location = extract_location("5号楼3楼")
    assert location == Location(building="5", floor="3")


def test_first_mention_of_each_part_wins() -> None:
    assert extract_location("3单元还是5单元？") == Location(unit="3")


@pytest.mark.parametrize(
    ("location", "label"),
    [
        (Location(building="5", unit="3"), "5号楼 3单元"),
        (Location(building="B", floor="3", room="302"), "B座 3层 302室"),
        (
            Location(building="4", unit="3B", style=LabelStyle.ENGLISH),
            "Building 4, Unit 3B",
        ),
        (Location(floor="5", room="12", style=LabelStyle.ENGLISH), "Floor 5, Apt 12"),
    ],
)
def test_label_is_compact_and_in_the_resident_s_notation(location: Location, label: str) -> None:
    assert location.label == label


def test_extracted_location_remembers_the_notation_used() -> None:
    english = extract_location("Building 4, unit 3B")
    chinese = extract_location("4号楼3单元")
    assert english is not None
    assert chinese is not None
    assert english.style is LabelStyle.ENGLISH
    assert chinese.style is LabelStyle.CHINESE
    # Same place whichever way it was written.
    assert english.building == chinese.building == "4"


def test_conflict_needs_a_shared_part_that_differs() -> None:
    unit_3 = Location(unit="3")
    assert locations_conflict(unit_3, Location(unit="5"))
    assert not locations_conflict(unit_3, Location(unit="3", room="502"))
    assert not locations_conflict(unit_3, Location(building="2"))
    assert not locations_conflict(unit_3, None)


def test_agreement_needs_a_shared_part_and_no_conflict() -> None:
    assert locations_agree(Location(unit="3"), Location(unit="3", room="502"))
    assert not locations_agree(Location(unit="3"), Location(building="3"))
    assert not locations_agree(Location(unit="3", floor="2"), Location(unit="3", floor="4"))
    assert not locations_agree(None, Location(unit="3"))


def test_remove_locations_blanks_only_the_address() -> None:
    stripped = remove_locations("5号楼3单元的电梯坏了")
    assert "电梯坏了" in stripped
    assert extract_location(stripped) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=512))
def test_extraction_never_raises_and_fills_some_part(text: str) -> None:
    location = extract_location(text)
    if location is not None:
        parts = (location.building, location.unit, location.floor, location.room)
        assert any(part for part in parts)
        assert location.label
