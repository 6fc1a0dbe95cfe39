"""Flat numbers (楼栋户籍): parse what residents type into a canonical unit-room label."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# "3-502", "3－502", "3/502", "3单元502", "3单元502室", "三单元502", "unit 3 room 502",
# "3 502", or just "502" in a building without units.
_UNIT_ROOM = re.compile(
    r"""^\s*
    (?:(?:unit|单元|entrance)\s*)?
    (?P<unit>[0-9a-z]{1,3})\s*
    (?:单元|unit)?\s*
    (?:[-/#,\s]|单元)\s*
    (?:(?:room|flat|apt|室)\s*)?
    (?P<room>[0-9]{2,5}[a-z]?)\s*
    (?:室|号|房)?\s*$""",
    re.VERBOSE,
)
_ROOM_ONLY = re.compile(
    r"^\s*(?:(?:room|flat|apt)\s*)?(?P<room>[0-9]{2,5}[a-z]?)\s*(?:室|号|房)?\s*$"
)
_CHINESE_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")


@dataclass(frozen=True, order=True)
class Flat:
    """A household's address inside one building: optional unit, and a room."""

    unit: str | None
    room: str

    @property
    def label(self) -> str:
        """The canonical form shown to heads: `3-502`, or `502` without a unit."""
        return f"{self.unit}-{self.room}" if self.unit else self.room


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    # Only single Chinese numerals before 单元 are common ("三单元"); rooms are digits.
    match = re.match(r"^([〇一二三四五六七八九])单元", text)
    if match:
        text = match.group(1).translate(_CHINESE_DIGITS) + text[1:]
    return text.replace("—", "-").replace("–", "-")


def parse_flat(text: str) -> Flat | None:
    """Parse a flat number, or None if it does not look like one."""
    normalized = _normalize(text)
    if not normalized or len(normalized) > 40:
        return None
    match = _UNIT_ROOM.match(normalized)
    if match:
        return Flat(unit=match.group("unit").upper(), room=match.group("room").upper())
    match = _ROOM_ONLY.match(normalized)
    if match:
        return Flat(unit=None, room=match.group("room").upper())
    return None
