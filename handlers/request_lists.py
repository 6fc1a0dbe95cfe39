"""Lists of requests: `/requests` (a building's open ones, paged) and `/mine`."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import CourtyardContext
from bot.i18n import Translator
from handlers.common import building_of_chat, escape, is_private, reply, sender_id, translator_for
from handlers.labels import category_name
from handlers.paging import page_buttons, page_callback, turn_page
from handlers.request_cards import icon_of, status_name

PAGE_SIZE = 8
LIST_CALLBACK = page_callback("rl")


async def list_requests(update: Update, context: CourtyardContext) -> None:
    """`/requests`: open requests of this chat's building, most pressing first, paged."""
    _ = await translator_for(update, context)
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, _("Please use /requests in your building's group chat."))
        return
    text, keyboard = await _page(context, _, building.id, 0)
    await reply(update, text, reply_markup=keyboard)


async def _page(
    context: CourtyardContext, _: Translator, building_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    requests, total = await context.services.requests.open_in_building(
        building_id, limit=PAGE_SIZE, offset=offset
    )
    if total == 0:
        return _("No open requests. 🎉"), None
    lines = [
        _("<b>Open requests</b> ({first}–{last} of {total})").format(
            first=offset + 1, last=offset + len(requests), total=total
        )
    ]
    for request in requests:
        urgent = "🚨 " if request.urgent else ""
        place = f" · {escape(request.location)}" if request.location else ""
        # Requests reported privately stay private in the group's list.
        summary = (
            _("(reported privately)")
            if request.chat_id is None
            else escape(request.description[:80])
        )
        if request.chat_id is None:
            place = ""
        lines.append(
            f"{urgent}<b>#{request.id}</b> {icon_of(context, request.category)} "
            f"{escape(category_name(_, request.category))}{place} · "
            f"{status_name(_, request.status)} · 👥 {request.affected}\n"
            f"   {summary}"
        )
    keyboard = page_buttons(_, "rl", building_id, offset, total, PAGE_SIZE)
    return "\n".join(lines), keyboard


async def on_list_page(update: Update, context: CourtyardContext) -> None:
    """◀️ / ▶️ under the list."""
    await turn_page(update, context, LIST_CALLBACK, _page)


async def mine(update: Update, context: CourtyardContext) -> None:
    """`/mine`: the open requests assigned to me (private chat: they span buildings)."""
    _ = await translator_for(update, context)
    if not is_private(update):
        await reply(update, _("Please send /mine to me in a private chat."))
        return
    requests = await context.services.requests.open_assigned_to(sender_id(update))
    if not requests:
        await reply(update, _("You have no open requests assigned to you."))
        return
    lines = [_("<b>Your open requests</b>")]
    for request in requests:
        lines.append(
            f"{'🚨 ' if request.urgent else ''}<b>#{request.id}</b> "
            f"{icon_of(context, request.category)} {status_name(_, request.status)} · "
            f"{escape(request.description[:80])}"
        )
    await reply(update, "\n".join(lines))
