"""Telegram's size limits, applied in one place: every request the bot makes passes here.

Telegram refuses a message over 4,096 characters, a caption over 1,024 (both counted in
UTF-16 units after HTML is parsed) and a button answer over 200; it refuses a keyboard whose
button data is over 64 bytes. A refused card edit means a card that stops changing, so texts
that would be too long are shortened here, keeping the HTML valid: the cut never falls inside
a tag or a character reference, open tags are closed, and "…" marks the cut. Button data is
only built by the bot itself, so data that is too long is a bug and raises.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
ELLIPSIS = "…"

# Which parameter of which Bot API method carries text, and its limit.
TEXT_FIELDS: Mapping[str, tuple[str, int]] = {
    "sendMessage": ("text", MESSAGE_LIMIT),
    "editMessageText": ("text", MESSAGE_LIMIT),
    "sendPhoto": ("caption", CAPTION_LIMIT),
    "sendDocument": ("caption", CAPTION_LIMIT),
    "sendVideo": ("caption", CAPTION_LIMIT),
    "sendAnimation": ("caption", CAPTION_LIMIT),
    "sendAudio": ("caption", CAPTION_LIMIT),
    "sendVoice": ("caption", CAPTION_LIMIT),
    "copyMessage": ("caption", CAPTION_LIMIT),
    "editMessageCaption": ("caption", CAPTION_LIMIT),
    "answerCallbackQuery": ("text", CALLBACK_ANSWER_LIMIT),
}

_TOKEN = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, budget: int) -> str:
    """The longest prefix of whole characters whose UTF-16 length is at most `budget`."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return text[:index]
    return text


def fit_plain(text: str, limit: int) -> str:
    """Plain text cut to `limit` UTF-16 units, with "…" where it was cut."""
    if utf16_length(text) <= limit:
        return text
    return _prefix_within(text, limit - utf16_length(ELLIPSIS)).rstrip() + ELLIPSIS


def visible_length(source: str) -> int:
    """What Telegram counts of HTML text: characters after tags and references are parsed."""
    return sum(_visible(token) for token in _TOKEN.findall(source))


def _visible(token: str) -> int:
    if token.startswith("<") and token.endswith(">") and len(token) > 1:
        return 0
    if token.startswith("&") and token.endswith(";") and len(token) > 1:
        return utf16_length(html.unescape(token))
    return utf16_length(token)


def fit_html(source: str, limit: int) -> str:
    """HTML text whose parsed length is at most `limit`: cut between tokens (or inside plain
    text), "…" added, and every tag left open closed again."""
    if visible_length(source) <= limit:
        return source
    budget = limit - utf16_length(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    used = 0
    for token in _TOKEN.findall(source):
        if token.startswith("<") and token.endswith(">") and len(token) > 1:
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            if token.startswith("</"):
                if name in open_tags:
                    # Close the innermost matching tag (well-formed input closes in order).
                    del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
            elif not token.endswith("/>"):
                open_tags.append(name)
            kept.append(token)
            continue
        size = _visible(token)
        if used + size <= budget:
            kept.append(token)
            used += size
            continue
        if not token.startswith("&"):
            kept.append(_prefix_within(token, budget - used))
        break
    # Tags opened but left empty by the cut are harmless; close everything still open.
    closing = "".join(f"</{name}>" for name in reversed(open_tags) if name)
    return "".join(kept).rstrip() + ELLIPSIS + closing


def fit_request(endpoint: str, data: MutableMapping[str, Any]) -> None:
    """Shorten the text of a Bot API request in place if Telegram would refuse its length,
    and check its button data."""
    field = TEXT_FIELDS.get(endpoint)
    if field is not None:
        name, limit = field
        text = data.get(name)
        if isinstance(text, str):
            html_mode = str(data.get("parse_mode") or "").lower() == "html"
            fitted = fit_html(text, limit) if html_mode else fit_plain(text, limit)
            if fitted != text:
                logger.info("Shortened the %s of a %s call to Telegram's limit", name, endpoint)
                data[name] = fitted
    check_buttons(data.get("reply_markup"))


def check_buttons(markup: object) -> None:
    """Raise ValueError for button data Telegram would refuse (a bug in a keyboard builder)."""
    rows = getattr(markup, "inline_keyboard", None)
    for row in rows or ():
        for button in row:
            data = getattr(button, "callback_data", None)
            if isinstance(data, str) and len(data.encode()) > CALLBACK_DATA_LIMIT:
                raise ValueError(f"button data over {CALLBACK_DATA_LIMIT} bytes: {data[:80]!r}")
