"""Card buttons and request commands: me too, take, resolve, rate, /requests, /close, …"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole, parse_target
from bot.domain.lifecycle import (
    Action,
    CloseReason,
    Closure,
    RefusalReason,
    Rejection,
    RejectReason,
    Role,
    TransitionRefused,
    transition,
)
from bot.domain.numbers import is_digits, parse_id
from bot.handling import handling_again
from bot.i18n import Translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.paging import page_buttons, page_callback, turn_page
from handlers.request_cards import (
    CARD_CALLBACK,
    card_people,
    icon_of,
    rating_keyboard,
    refresh_cards,
    render_card,
    status_name,
)
from handlers.request_flow import Outcome, perform, request_roles
from handlers.request_private import offer_resolution_note
from handlers.request_supporters import SUPPORTER_ANSWERS, WORKER_ROLES, answer_as_supporter
from handlers.request_view import private_view
from handlers.roles import resolve_target
from storage.requests import Request

PAGE_SIZE = 8
LIST_CALLBACK = page_callback("rl")
BUTTON_ACTIONS = {
    "take": Action.TAKE,
    "start": Action.START,
    "resolve": Action.RESOLVE,
    "fixed": Action.CONFIRM_FIXED,
    "notfixed": Action.NOT_FIXED,
}


def refusal_text(_: Translator, refused: TransitionRefused) -> str:
    if refused.reason is RefusalReason.FORBIDDEN_FOR_ROLE:
        return _("Sorry, you are not allowed to do that with this request.")
    if refused.reason is RefusalReason.ALREADY_IN_STATE:
        return _("The request is already {status}.").format(status=status_name(_, refused.status))
    if refused.reason is RefusalReason.MISSING_REASON:
        return _("Please give a reason.")
    return _("That is not possible while the request is {status}.").format(
        status=status_name(_, refused.status)
    )


def outcome_text(_: Translator, outcome: Outcome) -> str | None:
    if outcome.refused is not None:
        return refusal_text(_, outcome.refused)
    if outcome.raced:
        return _("Someone else changed this request just now; please look again.")
    return None


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


async def _request_from_args(
    update: Update, context: CourtyardContext, _: Translator, usage: str
) -> Request | None:
    """`N` or `#N` as the first argument, within this group's building."""
    args = context.args or []
    typed = args[0].lstrip("#") if args else ""
    if not is_digits(typed):
        await reply(update, escape(usage))
        return None
    # A number too large for any request is still a number: there is no such request.
    number = parse_id(typed)
    request = await context.services.requests.get(number) if number is not None else None
    building = await building_of_chat(update, context)
    if request is None or (
        not is_private(update) and (building is None or request.building_id != building.id)
    ):
        await reply(
            update,
            _("There is no request #{number} in this building.").format(number=typed[:20]),
        )
        return None
    if is_private(update):
        roles = await request_roles(context, sender_id(update), request)
        if roles == {Role.RESIDENT}:
            await reply(
                update,
                _("There is no request #{number} in this building.").format(number=number),
            )
            return None
    return request


async def show_request(update: Update, context: CourtyardContext) -> None:
    """`/request N`: the card; privately, its history as far as the asker may read it."""
    _ = await translator_for(update, context)
    request = await _request_from_args(update, context, _, _("Usage: /request <number>"))
    if request is None:
        return
    people = await card_people(context, request)
    if not is_private(update):
        if request.chat_id is None:
            await reply(
                update,
                _("#{number} was reported privately; ask me about it in a private chat.").format(
                    number=request.id
                ),
            )
            return
        # The history holds staff notes: only in private, to people involved.
        await reply(
            update,
            render_card(_, context, request, people)
            + "\n\n"
            + _("Send /request {number} to me privately for the full history.").format(
                number=request.id
            ),
        )
        return
    roles = await request_roles(context, sender_id(update), request)
    await reply_long(update, await private_view(context, _, request, sender_id(update), roles))


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


async def assign(update: Update, context: CourtyardContext) -> None:
    """`/assign N @user` (heads and admins)."""
    _ = await translator_for(update, context)
    usage = _(
        "Usage: /assign <number> @username (or reply to their message with /assign <number>)"
    )
    request = await _request_from_args(update, context, _, usage)
    if request is None:
        return
    args = context.args or []
    target = next((t for t in map(parse_target, args[1:]) if t is not None), None)
    person = await resolve_target(update, context, target)
    if person is None or person.person_id is None:
        await reply(
            update,
            escape(usage)
            if person is None
            else _(
                "I do not know {person} yet; they need to write in the group or start me first."
            ).format(person=escape(person.display)),
        )
        return
    if request.assignee_id == person.person_id:
        await reply(
            update,
            _("#{number} is assigned to {person}.").format(
                number=request.id, person=escape(person.display)
            ),
        )
        return
    building = await context.services.buildings.get(request.building_id or 0)
    target_roles = await context.services.access.roles_in(context.bot, person.person_id, building)
    if not target_roles & {CommunityRole.STAFF, CommunityRole.HEAD, CommunityRole.ADMIN}:
        await reply(
            update,
            _(
                "{person} is not staff or a building head here; add them with /staff add first."
            ).format(person=escape(person.display)),
        )
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context,
        request,
        Action.ASSIGN,
        sender_id(update),
        roles=roles,
        assignee_id=person.person_id,
    )
    problem = outcome_text(_, outcome)
    await reply(
        update,
        problem
        or _("#{number} is assigned to {person}.").format(
            number=request.id, person=escape(person.display)
        ),
    )


async def close(update: Update, context: CourtyardContext) -> None:
    """`/close N <reason>` (heads and admins)."""
    _ = await translator_for(update, context)
    usage = _("Usage: /close <number> <reason>")
    request = await _request_from_args(update, context, _, usage)
    if request is None:
        return
    reason = " ".join((context.args or [])[1:]).strip()
    if not reason:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context,
        request,
        Action.CLOSE,
        sender_id(update),
        roles=roles,
        justification=Closure(CloseReason.OTHER, note=reason[:500]),
    )
    await reply(
        update, outcome_text(_, outcome) or _("#{number} is closed.").format(number=request.id)
    )


REJECT_WORDS = {
    "duplicate": RejectReason.DUPLICATE,
    "重复": RejectReason.DUPLICATE,
    "responsibility": RejectReason.NOT_OUR_RESPONSIBILITY,
    "notours": RejectReason.NOT_OUR_RESPONSIBILITY,
    "不归我们管": RejectReason.NOT_OUR_RESPONSIBILITY,
    "cannot": RejectReason.CANNOT_FIX,
    "无法解决": RejectReason.CANNOT_FIX,
    "other": RejectReason.OTHER,
    "其他": RejectReason.OTHER,
}


async def reject(update: Update, context: CourtyardContext) -> None:
    """`/reject N duplicate M | responsibility | cannot | other <note>`."""
    _ = await translator_for(update, context)
    usage = _(
        "Usage: /reject <number> duplicate <other number> | responsibility | cannot | other <note>"
    )
    request = await _request_from_args(update, context, _, usage)
    if request is None:
        return
    args = (context.args or [])[1:]
    reason = REJECT_WORDS.get(args[0].lower()) if args else None
    if reason is None:
        await reply(update, escape(usage))
        return
    duplicate_of = None
    rest = args[1:]
    if reason is RejectReason.DUPLICATE:
        typed = rest[0].lstrip("#") if rest else ""
        if not is_digits(typed):
            await reply(update, escape(usage))
            return
        duplicate_of = parse_id(typed)
        original = (
            await context.services.requests.get(duplicate_of) if duplicate_of is not None else None
        )
        if (
            original is None
            or original.id == request.id
            or original.building_id != request.building_id
        ):
            await reply(
                update,
                _("There is no request #{number} in this building.").format(number=typed[:20]),
            )
            return
        rest = rest[1:]
    rejection = Rejection(reason, duplicate_of=duplicate_of, note=" ".join(rest)[:500])
    if not rejection.is_complete:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context, request, Action.REJECT, sender_id(update), roles=roles, justification=rejection
    )
    await reply(
        update, outcome_text(_, outcome) or _("#{number} was rejected.").format(number=request.id)
    )


async def reopen(update: Update, context: CourtyardContext) -> None:
    """`/reopen N` (heads, admins, or the reporter)."""
    _ = await translator_for(update, context)
    request = await _request_from_args(update, context, _, _("Usage: /reopen <number>"))
    if request is None:
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(context, request, Action.REOPEN, sender_id(update), roles=roles)
    await reply(
        update, outcome_text(_, outcome) or _("#{number} is reopened.").format(number=request.id)
    )


async def note(update: Update, context: CourtyardContext) -> None:
    """`/note N <text>`: add a note to the history (staff, heads, admins, the reporter)."""
    _ = await translator_for(update, context)
    usage = _("Usage: /note <number> <text>")
    request = await _request_from_args(update, context, _, usage)
    if request is None:
        return
    text = " ".join((context.args or [])[1:]).strip()
    if not text:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    # Notes are for the people who work on it (and the reporter's own); "me too" is not one.
    if not roles & {Role.REPORTER, *WORKER_ROLES}:
        await reply(update, _("Sorry, you are not allowed to do that with this request."))
        return
    await context.services.requests.note(request.id, sender_id(update), "note", text[:1000])
    await reply(update, _("Noted on #{number}.").format(number=request.id))


def handlers() -> list[CourtyardHandler]:
    return [
        CallbackQueryHandler(on_card_button, pattern=CARD_CALLBACK),
        CallbackQueryHandler(on_list_page, pattern=LIST_CALLBACK),
        CommandHandler("requests", list_requests),
        CommandHandler("request", show_request),
        CommandHandler("mine", mine),
        CommandHandler("assign", assign),
        CommandHandler("close", close),
        CommandHandler("reject", reject),
        CommandHandler("reopen", reopen),
        CommandHandler("note", note),
    ]
