"""The digest's messages: the 15 most pressing requests, the rest counted, in the reader's
language, with the same buttons PTB's keyboard would carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import CourtyardContext
from bot.domain.lifecycle import RequestStatus
from bot.domain.sla import SlaPolicy
from bot.i18n import translator
from handlers.staff_digest import DigestWriter
from storage.digest_reads import DigestCard

NOW = datetime(2030, 5, 8, 2, 0, tzinfo=UTC)


def _writer() -> DigestWriter:
    community = SimpleNamespace(timezone=ZoneInfo("Asia/Shanghai"))
    services = SimpleNamespace(sla=SlaPolicy(), settings=SimpleNamespace(community=community))
    return DigestWriter(cast(CourtyardContext, SimpleNamespace(services=services)), NOW)


def _card(
    request_id: int, hours_ago: int, status: RequestStatus = RequestStatus.NEW
) -> DigestCard:
    created = int((NOW - timedelta(hours=hours_ago)).timestamp())
    return DigestCard(request_id, 1, "water", False, status, "漏水", created, None, None)


def test_a_long_digest_shows_the_most_pressing_and_counts_the_rest_in_chinese() -> None:
    # Ids 1..17, the older the higher the id; #17 and #16 are past the 24 h response target.
    cards = [_card(n, hours_ago=n + 8) for n in range(1, 18)]
    cards[14] = _card(15, hours_ago=23, status=RequestStatus.ASSIGNED)  # in hand
    messages = _writer().messages(7, cards, translator("zh"))
    assert len(messages) == 1
    message = messages[0]
    assert message.chat_id == 7
    assert message.dedup_key == "digest:7:2030-05-08"
    lines = message.text.split("\n")
    assert lines[0] == "☀️ <b>您的待办诉求</b>（17 条）"
    numbers = [int(line.split("</b>")[0].split("#")[1]) for line in lines[1::2][:15]]
    assert numbers == [17, 16, *range(15, 2, -1)]  # overdue first, then the oldest first
    assert lines[-1] == "……另有 2 条待办：/mine"
    buttons = [
        InlineKeyboardButton(
            ("✅ #{n} 已解决" if n == 15 else "🛠 接手 #{n}").format(n=n),
            callback_data=f"rq:{'resolve' if n == 15 else 'take'}:{n}",
        )
        for n in numbers[:8]
    ]
    expected = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, 8, 2)]).to_dict()
    assert message.reply_markup == expected


def test_a_short_digest_has_no_count_line_and_nothing_is_no_message() -> None:
    writer = _writer()
    messages = writer.messages(7, [_card(1, hours_ago=2)], translator("en"))
    assert [m.text.split("\n")[0] for m in messages] == ["☀️ <b>Your open requests</b> (1)"]
    assert "more: /mine" not in messages[0].text
    assert writer.messages(7, [], translator("en")) == []


def test_a_request_whose_building_was_deleted_keeps_the_community_targets() -> None:
    card = _card(1, hours_ago=2)
    card.building_id = None
    (message,) = _writer().messages(7, [card], translator("en"))
    assert "due in 22 h" in message.text
