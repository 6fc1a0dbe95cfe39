"""Lists of requests: `/requests` (a building's open ones) and `/mine` (mine), paged."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import CourtyardContext
from bot.i18n import Translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    reply,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.paging import page_buttons, page_callback, turn_page
from handlers.request_cards import icon_of, status_name
from handlers.staff_digest import DigestWriter, action_rows

PAGE_SIZE = 8
LIST_CALLBACK = page_callback("rl")
MINE_CALLBACK = page_callback("mn")


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
    """`/mine`: the open requests waiting for me — assigned to me, or sent to me while nobody
    took them (the daily digest's list) — most pressing first, paged."""
    _ = await translator_for(update, context)
    if not is_private(update):
        await reply(update, _("Please send /mine to me in a private chat."))
        return
    text, keyboard = await _mine_page(context, _, sender_id(update), 0)
    await reply(update, text, reply_markup=keyboard)


async def _mine_page(
    context: CourtyardContext, _: Translator, person_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    cards = (await context.services.digest_reads.open_cards([person_id]))[person_id]
    if not cards:
        return _("You have no open requests assigned to you."), None
    writer = DigestWriter(context, context.services.clock.now())
    entries = writer.ordered(cards)
    offset = min(offset, (len(entries) - 1) // PAGE_SIZE * PAGE_SIZE)
    page = entries[offset : offset + PAGE_SIZE]
    lines = [
        _("<b>Your open requests</b> ({first}–{last} of {total})").format(
            first=offset + 1, last=offset + len(page), total=len(entries)
        )
    ]
    lines += [writer.line(entry, _) for entry in page]
    rows = [
        [
            InlineKeyboardButton(button["text"], callback_data=button["callback_data"])
            for button in row
        ]
        for row in action_rows([entry.card for entry in page], _)
    ]
    paging = page_buttons(_, "mn", person_id, offset, len(entries), PAGE_SIZE)
    if paging is not None:
        rows += [list(row) for row in paging.inline_keyboard]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def on_mine_page(update: Update, context: CourtyardContext) -> None:
    """◀️ / ▶️ under /mine: only the list's own person turns its pages."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = MINE_CALLBACK.match(query.data or "")
    if match is None or int(match.group(1)) != query.from_user.id:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    text, keyboard = await _mine_page(context, _, query.from_user.id, int(match.group(2)))
    await answer_quietly(query)
    await edit_quietly(query, text, keyboard)
