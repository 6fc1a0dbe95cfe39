"""How the sandbox page shows the bot's formatted text and where its links lead."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.sandbox.html_check import parse_html
from bot.sandbox.models import SimChat, SimUser
from bot.sandbox.web.entities import render_text
from bot.sandbox.web.view import View


def _view() -> View:
    user = SimUser(6100000001, "Rita")
    chat = SimChat(id=user.id, type="private", user=user)
    return View(user, chat, "en", ZoneInfo("Europe/London"), "courtyard_sandbox_bot")


def test_entities_nest_and_text_is_escaped() -> None:
    text, entities = parse_html("<b>#1 💡 <i>cold</i> &amp; dark</b> <code>a&lt;b</code> 😀 end")
    html = render_text(text, entities, _view().link)
    assert html == ("<strong>#1 💡 <em>cold</em> &amp; dark</strong> <code>a&lt;b</code> 😀 end")


def test_overlapping_entities_still_give_well_nested_html() -> None:
    text = "abcdef"
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    html = render_text(text, entities, _view().link)
    assert html == "<strong>ab<em>cd</em></strong><em>ef</em>"


def test_deep_links_to_the_bot_start_it_here_and_other_telegram_links_go_nowhere() -> None:
    view = _view()
    start = view.link("https://t.me/courtyard_sandbox_bot?start=join-42")
    assert start == "/sandbox/do/start?as=6100000001&lang=en&payload=join-42"
    assert view.link("https://t.me/someone_else") is None
    assert view.link("tg://user?id=5") is None
    assert view.link("javascript:alert(1)") is None
    assert view.link("https://example.org/a") == "https://example.org/a"
    text, entities = parse_html('<a href="https://t.me/courtyard_sandbox_bot?start=x">open</a>')
    assert render_text(text, entities, view.link) == (
        '<a href="/sandbox/do/start?as=6100000001&amp;lang=en&amp;payload=x">open</a>'
    )
