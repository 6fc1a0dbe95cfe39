"""Telegram text plus entities (UTF-16 offsets) as safe HTML, the way a client shows it."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from itertools import pairwise

from bot.sandbox.text import Entity

# Rewrites a link target (deep links to the bot become sandbox links); None: not a link.
LinkRewriter = Callable[[str], str | None]

_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<strong>", "</strong>"),
    "italic": ("<em>", "</em>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre><code>", "</code></pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "mention": ('<span class="mention">', "</span>"),
    "text_mention": ('<span class="mention">', "</span>"),
    "hashtag": ('<span class="tag">', "</span>"),
    "cashtag": ('<span class="tag">', "</span>"),
    "bot_command": ('<span class="command">', "</span>"),
    "email": ("<span>", "</span>"),
    "phone_number": ("<span>", "</span>"),
}


def render_text(text: str, entities: list[Entity], links: LinkRewriter) -> str:
    """HTML for ``text`` with its entities; properly nested, escaped, links rewritten."""
    units = text.encode("utf-16-le")
    length = len(units) // 2
    bounds = {0, length}
    for entity in entities:
        start = int(entity["offset"])
        bounds.update((start, start + int(entity["length"])))
    points = sorted(p for p in bounds if 0 <= p <= length)
    ordered = sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))
    out: list[str] = []
    stack: list[Entity] = []
    for start, end in pairwise(points):
        wanted = [e for e in ordered if _covers(e, start, end)]
        # Close what ends here (reopening anything opened inside it that goes on).
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] is wanted[keep]:
            keep += 1
        for entity in reversed(stack[keep:]):
            out.append(_close(entity, links, units))
        stack = stack[:keep]
        for entity in wanted[keep:]:
            out.append(_open(entity, links, units))
            stack.append(entity)
        out.append(escape(units[start * 2 : end * 2].decode("utf-16-le", errors="replace")))
    for entity in reversed(stack):
        out.append(_close(entity, links, units))
    return "".join(out)


def _covers(entity: Entity, start: int, end: int) -> bool:
    first = int(entity["offset"])
    return first <= start and end <= first + int(entity["length"])


def _target(entity: Entity, units: bytes) -> str | None:
    if entity["type"] == "text_link":
        return str(entity.get("url", ""))
    if entity["type"] == "url":
        start = int(entity["offset"]) * 2
        return units[start : start + int(entity["length"]) * 2].decode("utf-16-le")
    return None


def _open(entity: Entity, links: LinkRewriter, units: bytes) -> str:
    target = _target(entity, units)
    if target is not None:
        href = links(target)
        if href is None:
            return '<span class="link">'
        external = not href.startswith("/")
        extra = ' rel="noopener noreferrer" target="_blank"' if external else ""
        return f'<a href="{escape(href)}"{extra}>'
    if entity["type"] == "pre" and entity.get("language"):
        return f'<pre><code data-language="{escape(str(entity["language"]))}">'
    return _TAGS.get(str(entity["type"]), ("<span>", "</span>"))[0]


def _close(entity: Entity, links: LinkRewriter, units: bytes) -> str:
    target = _target(entity, units)
    if target is not None:
        return "</span>" if links(target) is None else "</a>"
    return _TAGS.get(str(entity["type"]), ("<span>", "</span>"))[1]
