"""Telegram's size limits, applied to every request in one place (bot.text_limits)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.html_check import parse_html
from bot.sandbox.text import utf16_len
from bot.text_limits import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    fit_html,
    fit_plain,
    fit_request,
    visible_length,
)

TAGS = ("b", "i", "u", "s", "code", "pre", "blockquote")


@st.composite
def html_texts(draw: st.DrawFn) -> str:
    """Well-formed Telegram HTML as the bot builds it: escaped user text in nested tags."""
    pieces = draw(
        st.lists(st.tuples(st.sampled_from((None, *TAGS)), st.text(max_size=300)), max_size=30)
    )
    out = []
    for tag, text in pieces:
        escaped = html.escape(text, quote=False)
        out.append(f"<{tag}>{escaped}</{tag}>" if tag else escaped)
        if draw(st.booleans()):
            out.append('<a href="https://t.me/x?start=abc">link</a>')
    return "".join(out)


@settings(max_examples=300)
@given(html_texts(), st.integers(min_value=2, max_value=MESSAGE_LIMIT))
def test_fitted_html_parses_and_fits(source: str, limit: int) -> None:
    fitted = fit_html(source, limit)
    text, _entities = parse_html(fitted)
    assert utf16_len(text) <= limit
    if visible_length(source) <= limit:
        assert fitted == source


@given(st.text(max_size=3000), st.integers(min_value=2, max_value=CAPTION_LIMIT))
def test_fitted_plain_text_fits(text: str, limit: int) -> None:
    fitted = fit_plain(text, limit)
    assert utf16_len(fitted) <= limit
    if utf16_len(text) <= limit:
        assert fitted == text
    else:
        assert fitted.endswith("…")


def test_visible_length_counts_references_once_and_tags_not_at_all() -> None:
    assert visible_length("<b>a&lt;b</b> &#128512;") == len("a<b ") + 2


def test_a_long_caption_is_cut_with_its_tags_closed() -> None:
    caption = "<b>#1</b> 💧\n" + "Reason: <i>" + html.escape("<x> & " * 400) + "</i>"
    data = {"caption": caption, "parse_mode": "HTML"}
    fit_request("editMessageCaption", data)
    text, _ = parse_html(data["caption"])
    assert utf16_len(text) <= CAPTION_LIMIT
    assert data["caption"].endswith("…</i>")


def test_callback_answers_are_cut_to_200_characters() -> None:
    data = {"text": "ü" * 500}
    fit_request("answerCallbackQuery", data)
    assert len(data["text"]) == 200


def test_texts_within_limits_are_left_alone() -> None:
    data = {"text": "<b>short</b>", "parse_mode": "HTML"}
    fit_request("sendMessage", data)
    assert data == {"text": "<b>short</b>", "parse_mode": "HTML"}


def test_button_data_over_64_bytes_is_a_bug() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(ValueError, match="64 bytes"):
        fit_request("sendMessage", {"text": "x", "reply_markup": markup})
