"""References to list items (N12, #34, PJ3, #P2, M1, D5): parsing them and how they read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class ItemKind(StrEnum):
    NEED = "need"
    REQUEST = "request"
    PROJECT = "project"
    POLL = "poll"
    MEETING = "meeting"
    DECISION = "decision"


@dataclass(frozen=True)
class ItemRef:
    kind: ItemKind
    number: int


def _ref(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{prefix})\s*#?\s*(\d{{1,9}})$", re.IGNORECASE)


_REFS: tuple[tuple[re.Pattern[str], ItemKind], ...] = (
    (_ref("need|需求|n"), ItemKind.NEED),
    (_ref("project|项目|pj"), ItemKind.PROJECT),
    (re.compile(r"^(?:request|问题|报修|工单)?\s*#\s*(\d{1,9})$", re.I), ItemKind.REQUEST),
    (_ref("meeting|议事会|会议|m"), ItemKind.MEETING),
    (_ref("decision|决定|d"), ItemKind.DECISION),
)


def parse_item_ref(text: str) -> ItemRef | None:
    """`need 12`, `N12`, `需求12`, `#34`, `project 3`, `PJ3`, `M2`, `D5` → a reference."""
    folded = unicodedata.normalize("NFKC", text).strip()
    for pattern, kind in _REFS:
        match = pattern.match(folded)
        if match:
            return ItemRef(kind, int(match.group(1)))
    return None


_PREFIXES = {
    ItemKind.NEED: "N",
    ItemKind.REQUEST: "#",
    ItemKind.PROJECT: "PJ",
    ItemKind.POLL: "#P",
    ItemKind.MEETING: "M",
    ItemKind.DECISION: "D",
}


def item_label(ref: ItemRef) -> str:
    """How an item is written in messages and histories: N12, #34, PJ3, #P2, M1, D5."""
    return f"{_PREFIXES[ref.kind]}{ref.number}"


def item_number(text: str, kind: ItemKind) -> int | None:
    """`12`, or a reference of the given kind (`N12`, `need 12`)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded.isascii() and folded.isdigit() and len(folded) <= 9:
        return int(folded)
    ref = parse_item_ref(folded)
    return ref.number if ref is not None and ref.kind is kind else None
