"""Card buttons (me too, take, resolve, rate) and the request commands' handlers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.lifecycle import (
    Action,
    Role,
    TransitionRefused,
    transition,
)
from bot.handling import handling_again
from handlers.common import (
    answer_quietly,
    edit_quietly,
    is_private,
    sender_id,
    translator_for,
)
from handlers.request_cards import (
    CARD_CALLBACK,
    rating_keyboard,
    refresh_cards,
)
from handlers.request_commands import (
    assign,
    close,
    note,
    refusal_text,
    reject,
    reopen,
    show_request,
)
from handlers.request_commands import outcome_text as outcome_text  # decisions use it here
from handlers.request_flow import perform, request_roles
from handlers.request_lists import (
    LIST_CALLBACK,
    MINE_CALLBACK,
    list_requests,
    mine,
    on_list_page,
    on_mine_page,
)
from handlers.request_private import offer_resolution_note
from handlers.request_supporters import SUPPORTER_ANSWERS, answer_as_supporter
from storage.requests import Request

BUTTON_ACTIONS = {
    "take": Action.TAKE,
    "start": Action.START,
    "resolve": Action.RESOLVE,
    "fixed": Action.CONFIRM_FIXED,
    "notfixed": Action.NOT_FIXED,
}


async def on_card_button(update: Update, context: CourtyardContext) -> None:
    """Every card button; the presser's roles are computed afresh for this request."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CARD_CALLBACK.match(query.data or "")
    services = context.services
    request = await services.requests.get(int(match.group(3))) if match else None
    if match is None or request is None:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    user_id = sender_id(update)
    verb = match.group(1)
    if verb == "metoo":
        on_its_card = (
            query.message is not None
            and query.message.chat.id == request.card_chat_id
            and query.message.message_id == request.card_message_id
        )
        if not on_its_card:
            await answer_quietly(query, _("This button is out of date."), show_alert=True)
            return
        if not request.is_open:
            await answer_quietly(query, _("This request is no longer open."), show_alert=True)
            return
        added = await services.requests.add_supporter(request.id, user_id)
        await answer_quietly(
            query,
            _("Thank you, you were added to #{number}.").format(number=request.id)
            if added
            else _("You are already counted for #{number}.").format(number=request.id),
        )
        # Already counted: the cards show it, unless an earlier attempt at this press
        # counted and then stopped short of editing them.
        if added or handling_again():
            await refresh_cards(context, request.id)
        return
    roles = await request_roles(context, user_id, request)
    if verb in SUPPORTER_ANSWERS and Role.SUPPORTER in roles:
        await answer_as_supporter(update, context, request, verb, int(match.group(2) or 0))
        return
    if verb == "rate":
        await _rate(update, context, request, int(match.group(2) or 0), roles)
        return
    action = BUTTON_ACTIONS[verb]
    try:
        transition(request.status, action, roles)
    except TransitionRefused as refused:
        # Refused now, unless this very press was handled before: then `perform` finishes
        # what the first attempt left undone.
        outcome = await perform(context, request, action, user_id, roles=roles)
        if outcome.request is None:
            await answer_quietly(query, refusal_text(_, refused), show_alert=True)
            return
    else:
        # Answer before the slower work (card edits, messages) so the press never times out.
        await answer_quietly(query, _("Done."))
        outcome = await perform(context, request, action, user_id, roles=roles)
    problem = outcome_text(_, outcome)
    if problem is not None:
        # Someone else acted between our check and the write; the card already shows it.
        return
    if verb == "fixed" and is_private(update):
        await edit_quietly(
            query,
            _("Thank you! How satisfied are you with how #{number} was handled?").format(
                number=request.id
            ),
            rating_keyboard(request.id),
        )
    elif verb == "notfixed" and is_private(update):
        await edit_quietly(
            query,
            _("Thank you for telling us. #{number} was reopened and staff were notified.").format(
                number=request.id
            ),
        )
    elif verb == "resolve" and is_private(update):
        await offer_resolution_note(update, context, request.id)


async def _rate(
    update: Update,
    context: CourtyardContext,
    request: Request,
    stars: int,
    roles: frozenset[Role],
) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    if Role.REPORTER not in roles or not 1 <= stars <= 5 or request.satisfied is not True:
        await answer_quietly(
            query, _("Sorry, you are not allowed to do that with this request."), show_alert=True
        )
        return
    if not await context.services.requests.rate(request.id, sender_id(update), stars):
        await answer_quietly(query, _("This request has already been rated. Thank you!"))
        return
    await answer_quietly(query)
    await edit_quietly(
        query,
        _("Thank you! You rated #{number} {stars}.").format(number=request.id, stars="⭐" * stars),
    )


# -- commands ------------------------------------------------------------------------------


def handlers() -> list[CourtyardHandler]:
    return [
        CallbackQueryHandler(on_card_button, pattern=CARD_CALLBACK),
        CallbackQueryHandler(on_list_page, pattern=LIST_CALLBACK),
        CallbackQueryHandler(on_mine_page, pattern=MINE_CALLBACK),
        CommandHandler("requests", list_requests),
        CommandHandler("request", show_request),
        CommandHandler("mine", mine),
        CommandHandler("assign", assign),
        CommandHandler("close", close),
        CommandHandler("reject", reject),
        CommandHandler("reopen", reopen),
        CommandHandler("note", note),
    ]
