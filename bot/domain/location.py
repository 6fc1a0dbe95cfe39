"""Find where in the estate a message is about: building, unit (entrance), floor, room.

Residents write "5号楼3单元", "3-502", "B座", "三楼", "unit 3B", "block C", "apt 12" or
just "2B". Each field keeps the first mention found. Matching runs on NFKC-folded,
simplified text but keeps case, because a lone capital ("block C", "2B") is what tells an
address apart from ordinary words ("building a shed", "2b or not 2b").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from bot.domain.hanzi import to_simplified


class LabelStyle(Enum):
    """Which notation the resident used, so the label reads back the same way."""

    CHINESE = "zh"
    ENGLISH = "en"


@dataclass(frozen=True)
class Location:
    """A place in the estate; every part is optional but at least one is set."""

    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None
    style: LabelStyle = field(default=LabelStyle.CHINESE, compare=False)

    @property
    def label(self) -> str:
        """Compact canonical form: "5号楼 3单元 502室" or "Building 4, Unit 3B, Apt 12"."""
        if self.style is LabelStyle.ENGLISH:
            parts = [
                f"{name} {value}"
                for name, value in (
                    ("Building", self.building),
                    ("Unit", self.unit),
                    ("Floor", self.floor),
                    ("Apt", self.room),
                )
                if value is not None
            ]
            return ", ".join(parts)
        chinese_parts = [
            _chinese_building(self.building) if self.building is not None else None,
            f"{self.unit}单元" if self.unit is not None else None,
            f"{self.floor}层" if self.floor is not None else None,
            f"{self.room}室" if self.room is not None else None,
        ]
        return " ".join(part for part in chinese_parts if part is not None)


def _chinese_building(building: str) -> str:
    # Letter-named buildings are "座" (B座); numbered ones are "号楼".
    return f"{building}号楼" if building[:1].isdigit() else f"{building}座"


_FIELD_NAMES: Final = ("building", "unit", "floor", "room")
_CHINESE_NUMERAL: Final = r"[零〇一二两三四五六七八九十]{1,3}"
_NUMBER: Final = rf"\d{{1,4}}|{_CHINESE_NUMERAL}"
_DIGITS_OF_CHINESE: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_ORDINAL_WORDS: Final = {
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
    "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10",
}  # fmt: skip


@dataclass(frozen=True)
class _Finder:
    """One address notation: a regex and how its groups fill Location fields."""

    pattern: re.Pattern[str]
    targets: tuple[str, ...]
    style: LabelStyle
    convert: Callable[[str], str]


def _finder(
    regex: str,
    targets: tuple[str, ...],
    style: LabelStyle,
    convert: Callable[[str], str] | None = None,
) -> _Finder:
    return _Finder(re.compile(regex), targets, style, convert or _canonical_number)


def _canonical_number(raw: str) -> str:
    """Canonical form of a captured number: 05 → 5, 十二 → 12, 3b → 3B, 负一 → -1."""
    text = raw.strip()
    sign = ""
    if text.startswith(("负", "地下", "-")):
        sign = "-"
        text = text.removeprefix("负").removeprefix("地下").removeprefix("-")
    if text and all(char in _DIGITS_OF_CHINESE or char == "十" for char in text):
        return sign + str(_chinese_to_int(text))
    digits = text.rstrip("abcdefghABCDEFGH")
    suffix = text[len(digits) :].upper()
    if digits.isdigit():
        return sign + str(int(digits)) + suffix
    return sign + text.upper()


def _chinese_to_int(numeral: str) -> int:
    if "十" not in numeral:
        value = 0
        for char in numeral:
            value = value * 10 + _DIGITS_OF_CHINESE[char]
        return value
    tens_text, _, ones_text = numeral.partition("十")
    tens = _DIGITS_OF_CHINESE[tens_text[-1]] if tens_text else 1
    ones = _DIGITS_OF_CHINESE[ones_text[0]] if ones_text else 0
    return tens * 10 + ones


def _ordinal(raw: str) -> str:
    word = raw.casefold()
    return _ORDINAL_WORDS.get(word, _canonical_number(re.sub(r"\D", "", word)))


_ZH = LabelStyle.CHINESE
_EN = LabelStyle.ENGLISH
_NOT_AFTER_NUMBER: Final = r"(?<![\d零〇一二两三四五六七八九十\-./:])"
_NOT_BEFORE_NUMBER: Final = r"(?![\d\-./:])"
_EN_START: Final = r"(?<![A-Za-z0-9])"
_EN_END: Final = r"(?![A-Za-z0-9])"
_EN_NUMBER_SIGN: Final = r"(?:(?i:no\.?)\s*|#\s*)?"

# Order matters: earlier finders claim their text first, so "5号楼" is never read again
# as floor "5楼", and "3单元502" yields both a unit and a room.
_FINDERS: Final = (
    # 3-2-502: building-unit-room; 3-502: unit-room (the building is usually the chat's).
    _finder(rf"{_NOT_AFTER_NUMBER}(\d{{1,2}})-(\d{{1,2}})-(\d{{3,4}}){_NOT_BEFORE_NUMBER}",
            ("building", "unit", "room"), _ZH),
    _finder(rf"{_NOT_AFTER_NUMBER}(\d{{1,2}})-(\d{{3,4}}){_NOT_BEFORE_NUMBER}",
            ("unit", "room"), _ZH),
    # A room number straight after "单元"/"号楼"/"栋": 3单元502, 5号楼1202.
    _finder(r"(?<=[元楼栋幢座])\s*(\d{3,4})(?![\d点年月号:])", ("room",), _ZH),
    _finder(rf"{_NOT_AFTER_NUMBER}({_NUMBER})\s*(?:号楼|号住宅楼)", ("building",), _ZH),
    _finder(rf"{_NOT_AFTER_NUMBER}(\d{{1,3}})\s*(?:栋|幢)", ("building",), _ZH),
    _finder(r"(?<![A-Za-z])([A-Za-z])\s*(?:座|栋|幢)", ("building",), _ZH),
    _finder(rf"{_NOT_AFTER_NUMBER}({_NUMBER})\s*单元", ("unit",), _ZH),
    # "这一层"/"每一楼"/"两楼之间" are not floor numbers; "第三层" and "负一楼" are.
    _finder(rf"(?<![这那每哪同整])((?:负|地下)?{_NOT_AFTER_NUMBER}(?!两)(?:{_NUMBER}))\s*[楼层]",
            ("floor",), _ZH),
    _finder(r"(\d{3,4})\s*(?:室|号房|房间|房)", ("room",), _ZH),
    # English. Keywords match in any case, a lone letter only as a capital ("block C").
    _finder(rf"{_EN_START}(?i:building|bldg\.?|block|tower)\s*{_EN_NUMBER_SIGN}"
            rf"(\d{{1,3}}[A-Za-z]?|[A-Z]){_EN_END}", ("building",), _EN),
    # "unit 502" is an apartment; "unit 3" / "unit 3B" / "entrance 3" an entrance.
    _finder(rf"{_EN_START}(?i:unit)\s*{_EN_NUMBER_SIGN}(\d{{3,4}}[A-Za-z]?){_EN_END}",
            ("room",), _EN),
    _finder(rf"{_EN_START}(?i:unit|entrance|entry|stairwell|staircase)\s*{_EN_NUMBER_SIGN}"
            rf"(\d{{1,2}}[A-Za-z]?|[A-Z]){_EN_END}", ("unit",), _EN),
    _finder(rf"{_EN_START}(?i:floor|level|fl\.?)\s*(\d{{1,2}}){_EN_END}", ("floor",), _EN),
    _finder(rf"{_EN_START}(\d{{1,2}}(?i:st|nd|rd|th)|(?i:first|second|third|fourth|fifth|"
            rf"sixth|seventh|eighth|ninth|tenth))\s+(?i:floor){_EN_END}",
            ("floor",), _EN, _ordinal),
    _finder(rf"{_EN_START}(\d{{1,2}})/?(?i:f){_EN_END}", ("floor",), _EN),
    _finder(rf"{_EN_START}(?i:apt\.?|apartment|flat|room|rm\.?|suite)\s*{_EN_NUMBER_SIGN}"
            rf"(\d{{1,4}}[A-Za-z]?){_EN_END}", ("room",), _EN),
    _finder(rf"(?<![\w#-])#\s?(\d{{2,4}}[A-Z]?){_EN_END}", ("room",), _EN),
    # A bare "2B": digits then one capital A-E ("4F" is a floor, "5G" a phone network).
    _finder(r"(?<![\w\-./])(\d{1,3}[A-E])(?![\w\-])", ("room",), _EN),
)  # fmt: skip


def _matches(text: str) -> Iterator[tuple[_Finder, re.Match[str]]]:
    """Yield each finder's matches, blanking claimed text so later finders skip it."""
    remaining = text
    for finder in _FINDERS:
        found = list(finder.pattern.finditer(remaining))
        for match in found:
            yield finder, match
        for match in reversed(found):
            start, end = match.span()
            remaining = remaining[:start] + " " * (end - start) + remaining[end:]


def extract_location(text: str) -> Location | None:
    """The building / unit / floor / room the message mentions, or None if it names none."""
    values: dict[str, str] = {}
    style: LabelStyle | None = None
    for finder, match in _matches(to_simplified(text)):
        for target, raw in zip(finder.targets, match.groups(), strict=True):
            if target not in values:
                values[target] = finder.convert(raw)
                style = style or finder.style
    if style is None:
        return None
    return Location(**values, style=style)


def remove_locations(text: str) -> str:
    """The text with every address mention blanked out (for comparing what is wrong)."""
    simplified = to_simplified(text)
    spans = sorted(match.span() for _, match in _matches(simplified))
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        if start >= cursor:
            pieces.append(simplified[cursor:start])
            cursor = end
    pieces.append(simplified[cursor:])
    return " ".join(pieces)


def locations_conflict(first: Location | None, second: Location | None) -> bool:
    """True when both name the same kind of place differently (unit 3 vs unit 5)."""
    if first is None or second is None:
        return False
    return any(
        getattr(first, name) is not None
        and getattr(second, name) is not None
        and getattr(first, name) != getattr(second, name)
        for name in _FIELD_NAMES
    )


def locations_agree(first: Location | None, second: Location | None) -> bool:
    """True when both name at least one common part and no part differs."""
    if first is None or second is None or locations_conflict(first, second):
        return False
    return any(
        getattr(first, name) is not None and getattr(first, name) == getattr(second, name)
        for name in _FIELD_NAMES
    )
