"""Polls and binding votes: /poll, /polls (managing one poll: `handlers.poll_manage`;
voting and proxy votes: `handlers.poll_votes`)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.numbers import is_digits, parse_id
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_syntax import parse_poll_command
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    escape,
    is_private,
    not_linked,
    reply,
    sender_id,
    translator_for,
)
from handlers.paging import page_buttons, page_callback, turn_page
from handlers.poll_manage import manage_poll
from handlers.poll_schedule import post_poll, schedule_poll
from handlers.poll_view import option_label, poll_usage, syntax_error_text
from handlers.poll_votes import VOTE_CALLBACK, on_vote, proxy
from storage.buildings import Building
from storage.polls import Poll, PollStatus

logger = logging.getLogger(__name__)


LIST_CALLBACK = page_callback("pl")
PAGE_SIZE = 8


async def may_start_polls(context: CourtyardContext, user_id: int, building: Building) -> bool:
    if building.residents_may_poll:
        return True
    return await context.services.access.may_manage(context.bot, user_id, building)


async def poll(update: Update, context: CourtyardContext) -> None:
    """`/poll Question? | A | B --flags` creates a poll; `/poll N …` manages poll N."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or is_private(update):
        await reply(update, _("Please start polls in your building's group chat."))
        return
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    args = context.args or []
    typed = args[0].lstrip("#").upper().removeprefix("P") if args else ""
    # `/poll 3` or `/poll 3 close` manages #P3; `/poll 3 flats still without heating?` asks.
    if is_digits(typed) and _is_management(args):
        number = parse_id(typed)
        if number is None:  # too large to be any poll's number
            await reply(
                update,
                _("There is no poll #P{number} in this building.").format(number=typed[:20]),
            )
            return
        await manage_poll(update, context, building, number, _)
        return
    if not await may_start_polls(context, sender_id(update), building):
        await reply(update, _("Sorry, only building heads can start polls in this building."))
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await reply(update, escape(poll_usage(_)))
        return
    services = context.services
    tz = services.settings.community.timezone
    try:
        spec = parse_poll_command(
            text,
            now=services.clock.now(),
            tz=tz,
            default_hours=services.settings.polls.default_hours,
        )
    except PollSyntaxError as error:
        await reply(update, syntax_error_text(_, error) + "\n\n" + escape(poll_usage(_)))
        return
    # Household polls measure turnout against the building as it is now.
    registered = (
        frozenset(await services.households.registered_ids(building.id))
        if spec.per_household
        else None
    )
    stored, created = await services.polls.create(
        spec,
        building_id=building.id,
        chat_id=message.chat_id,
        source_message_id=message.message_id,
        creator_id=sender_id(update),
        registered_households=registered,
        household_total=building.total_households if spec.per_household else None,
    )
    if created:
        await schedule_poll(context, stored.id)
    if stored.message_id is None:
        await post_poll(context, stored.id)


def _is_management(args: list[str]) -> bool:
    """`/poll 3`, `/poll 3 close`, `/poll 3 extend 24`, `/poll 3 cancel <reason>` — but not
    a question that happens to start with a number, like `/poll 3 close the bike shed?`."""
    if len(args) == 1:
        return True
    verb = args[1].lower()
    if verb == "close":
        return len(args) == 2
    if verb == "extend":
        return len(args) <= 3
    # `/poll 2 cancel the cleaning contract? | yes | no` is a new question, not a reason.
    return verb == "cancel" and not any("|" in arg for arg in args)


async def polls_list(update: Update, context: CourtyardContext) -> None:
    """`/polls`: open polls and recent results, paged."""
    _ = await translator_for(update, context)
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, _("Please use /polls in your building's group chat."))
        return
    text, keyboard = await _page(context, _, building.id, 0)
    await reply(update, text, reply_markup=keyboard)


async def _page(
    context: CourtyardContext, _: Translator, building_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    polls, total = await context.services.polls.in_building(
        building_id, limit=PAGE_SIZE, offset=offset
    )
    if not polls:
        return _("No polls yet. Building heads start one with /poll."), None
    lines = [
        _("<b>Polls</b> ({first}–{last} of {total})").format(
            first=offset + 1, last=offset + len(polls), total=total
        )
    ]
    tz = context.services.settings.community.timezone
    for item in polls:
        if item.is_open:
            state = _("open until {time}").format(
                time=item.closes_at.astimezone(tz).strftime("%m-%d %H:%M")
            )
        elif item.status is PollStatus.CANCELLED:
            state = _("cancelled")
        else:
            state = outcome_word(_, item)
        lines.append(f"<b>#P{item.id}</b> {escape(item.question[:80])} — {state}")
    keyboard = page_buttons(_, "pl", building_id, offset, total, PAGE_SIZE)
    return "\n".join(lines), keyboard


def outcome_word(_: Translator, item: Poll) -> str:
    result = item.result or {}
    if result.get("passed") is True:
        return _("passed ✅")
    if result.get("passed") is False:
        return _("not passed ❌")
    winners = result.get("winners") or []
    if winners:
        return _("most votes: {options}").format(
            options=", ".join(escape(option_label(_, item.options[i])) for i in winners)
        )
    return _("closed")


async def on_list_page(update: Update, context: CourtyardContext) -> None:
    """◀️ / ▶️ under the list."""
    await turn_page(update, context, LIST_CALLBACK, _page)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("poll", poll),
        CommandHandler("polls", polls_list),
        CommandHandler("proxy", proxy),
        CallbackQueryHandler(on_vote, pattern=VOTE_CALLBACK),
        CallbackQueryHandler(on_list_page, pattern=LIST_CALLBACK),
    ]
