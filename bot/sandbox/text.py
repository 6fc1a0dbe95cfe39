"""Text measurement and the entities Telegram detects in what users type.

Telegram counts offsets and lengths in UTF-16 code units, so an emoji counts twice while a
Chinese character counts once; everything here follows that rule.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}(?!\w)")
# Stops before CJK punctuation and does not swallow a sentence's final punctuation mark.
_URL = re.compile(r"https?://[^\s<>\"，。！？、；：）]*[^\s<>\"，。！？、；：）.,;:!?)]")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram adds to a user's plain text: commands, mentions, URLs, hashtags."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in (
        ("bot_command", _COMMAND),
        ("mention", _MENTION),
        ("url", _URL),
        ("hashtag", _HASHTAG),
    ):
        found.extend((match.start(), match.end(), kind) for match in pattern.finditer(text))
    found.sort()
    entities: list[Entity] = []
    covered_until = 0
    for start, end, kind in found:
        if start < covered_until:
            continue
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[:start]),
                "length": utf16_len(text[start:end]),
            }
        )
        covered_until = end
    return entities


def entity_text(text: str, entity: Entity) -> str:
    """The slice of ``text`` an entity covers, honouring UTF-16 offsets."""
    encoded = text.encode("utf-16-le")
    start = int(entity["offset"]) * 2
    end = start + int(entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")


def strip_with_entities(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, keeping entities on the same characters."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    limit = utf16_len(result)
    adjusted: list[Entity] = []
    for entity in entities:
        start = max(int(entity["offset"]) - shift, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - shift, limit)
        if end > start:
            adjusted.append({**entity, "offset": start, "length": end - start})
    return result, adjusted
