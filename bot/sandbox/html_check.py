"""Telegram's HTML parse mode: validation and conversion to plain text plus entities.

The emulator is deliberately strict: a bare ``&`` that does not start an entity is rejected
(Telegram itself is lenient there) so that unescaped user text surfaces in tests.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bot.sandbox.text import Entity, utf16_len

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_CHARACTER_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"\s*([A-Za-z0-9_-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


class HtmlParseError(ValueError):
    """Raised with the text Telegram puts after "Bad Request: can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int
    byte_offset: int
    language: str | None = None
    children: list[str] = field(default_factory=list)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        source = self.source
        while self.position < len(source):
            char = source[self.position]
            if char == "&":
                self.read_character_entity()
            elif source.startswith("</", self.position):
                self.read_end_tag()
            elif char == "<":
                self.read_start_tag()
            else:
                next_special = _next_special(source, self.position)
                self.emit(source[self.position : next_special])
                self.position = next_special
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.parts), self.entities

    def read_character_entity(self) -> None:
        match = _CHARACTER_ENTITY.match(self.source, self.position)
        if match is None:
            raise HtmlParseError(
                f'Unescaped "&" at byte offset {self.byte_offset(self.position)}: use "&amp;"'
            )
        self.emit(html.unescape(match.group(0)))
        self.position = match.end()

    def read_start_tag(self) -> None:
        begin = self.position
        name_match = _TAG_NAME.match(self.source, begin + 1)
        name = name_match.group(0).lower() if name_match else ""
        if name not in _ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        assert name_match is not None
        cursor = name_match.end()
        offset = self.byte_offset(begin)
        attributes: dict[str, str] = {}
        while True:
            while cursor < len(self.source) and self.source[cursor].isspace():
                cursor += 1
            if cursor >= len(self.source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if self.source[cursor] == ">":
                break
            if self.source.startswith("/>", cursor):
                raise HtmlParseError(
                    f'Unsupported self-closing tag "{name}" at byte offset {offset}'
                )
            attribute = _ATTRIBUTE.match(self.source, cursor)
            if attribute is None or attribute.end() == cursor:
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {offset}"
                )
            value = next((group for group in attribute.groups()[1:] if group is not None), "")
            attributes[attribute.group(1).lower()] = html.unescape(value)
            cursor = attribute.end()
        self.check_attributes(name, attributes, offset)
        self.stack.append(_OpenTag(name, attributes, self.length, offset))
        self.position = cursor + 1

    @staticmethod
    def check_attributes(name: str, attributes: dict[str, str], offset: int) -> None:
        where = f"at byte offset {offset}"
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise HtmlParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
        if name == "a" and "href" not in attributes:
            raise HtmlParseError(f'Tag "a" must have attribute "href" {where}')

    def read_end_tag(self) -> None:
        begin = self.position
        close = self.source.find(">", begin)
        if close == -1:
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = self.source[begin + 2 : close].strip().lower()
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        open_tag = self.stack[-1]
        if name != open_tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{open_tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.position = close + 1
        self.close_entity(open_tag)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.length - tag.start
        parent = self.stack[-1] if self.stack else None
        code_language = tag.attributes.get("class", "")
        if (
            tag.name == "code"
            and parent is not None
            and parent.name == "pre"
            and code_language.startswith("language-")
        ):
            # Telegram folds <pre><code class="language-x"> into one pre entity with a language.
            parent.language = code_language.removeprefix("language-")
            return
        if length == 0:
            return
        entity: Entity = {"type": _ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            entity["url"] = tag.attributes["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def _next_special(source: str, start: int) -> int:
    candidates = (source.find("<", start), source.find("&", start))
    positions = [index for index in candidates if index >= 0]
    return min(positions) if positions else len(source)


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Convert Telegram-HTML into (plain text, entities) or raise :class:`HtmlParseError`."""
    return _HtmlParser(source).run()
