"""Paged lists in a group (requests, polls): ◀️ / ▶️ buttons that re-render a page."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import CourtyardContext
from bot.i18n import Translator
from handlers.common import answer_quietly, building_of_chat, edit_quietly, translator_for

RenderPage = Callable[
    [CourtyardContext, Translator, int, int], Awaitable[tuple[str, InlineKeyboardMarkup | None]]
]


def page_callback(prefix: str) -> re.Pattern[str]:
    """`<prefix>:<building id>:<offset>`."""
    return re.compile(rf"^{prefix}:(\d+):(\d+)$")


def page_buttons(
    _: Translator, prefix: str, building_id: int, offset: int, total: int, page_size: int
) -> InlineKeyboardMarkup | None:
    buttons = []
    if offset > 0:
        previous = max(offset - page_size, 0)
        buttons.append(
            InlineKeyboardButton(
                _("◀️ Previous"), callback_data=f"{prefix}:{building_id}:{previous}"
            )
        )
    if offset + page_size < total:
        buttons.append(
            InlineKeyboardButton(
                _("Next ▶️"), callback_data=f"{prefix}:{building_id}:{offset + page_size}"
            )
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def turn_page(
    update: Update, context: CourtyardContext, pattern: re.Pattern[str], render: RenderPage
) -> None:
    """A ◀️/▶️ press: only for the group's own building; the page is rendered afresh."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = pattern.match(query.data or "")
    building = await building_of_chat(update, context)
    if match is None or building is None or building.id != int(match.group(1)):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    text, keyboard = await render(context, _, building.id, int(match.group(2)))
    await answer_quietly(query)
    await edit_quietly(query, text, keyboard)
