"""Correcting the classifier on a request: its category, its urgency, or "not a request".

A category change re-routes the request: staff who do not serve the new category are told it
left them (and lose it if it was theirs), staff who do receive it. Every correction is stored as
an example for the model (handlers.learning).
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.lifecycle import Action, CloseReason, Closure, RequestStatus, Role
from bot.domain.recategorise import reroute
from bot.i18n import Translator, translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    escape,
    is_private,
    reply,
    sender_id,
    translator_for,
    whole_number,
)
from handlers.labels import category_name
from handlers.learning import remember_request
from handlers.request_cards import icon_of, person_translator, refresh_cards
from handlers.request_flow import perform, request_roles, roster, route, send_private
from storage.corrections import CorrectionKind
from storage.requests import Request

CATEGORY_CALLBACK = re.compile(r"^rc:(\d+):([a-z][a-z0-9_]*)$")
# Who may correct a request: the people who run the building and serve it.
_CORRECTORS = frozenset({Role.HEAD, Role.ADMIN, Role.STAFF})
# The category buttons on an uncertain card are also the reporter's.
_CHOOSERS = _CORRECTORS | {Role.REPORTER}


def category_key(text: str, keys: list[str]) -> str | None:
    """A category from its key or its name in any language ("heating", "暖气", "safety")."""
    wanted = text.strip().casefold()
    if wanted in keys:
        return wanted
    for language in ("en", "zh"):
        _ = translator(language)
        for key in keys:
            name = category_name(_, key).casefold()
            if wanted == name or (len(wanted) >= 3 and name.startswith(wanted)):
                return key
    return None


async def _request_here(
    update: Update, context: CourtyardContext, _: Translator, usage: str
) -> Request | None:
    """Request `N` from the first argument, in this group's building (or privately, if known)."""
    args = context.args or []
    number = whole_number(args[0].lstrip("#")) if args else None
    if number is None:
        await reply(update, escape(usage))
        return None
    request = await context.services.requests.get(number)
    building = None if is_private(update) else await building_of_chat(update, context)
    missing = request is None or (
        not is_private(update) and (building is None or request.building_id != building.id)
    )
    if missing or request is None:
        await reply(
            update, _("There is no request #{number} in this building.").format(number=number)
        )
        return None
    return request


async def recategorise(
    context: CourtyardContext, request: Request, new_category: str, actor_id: int
) -> Request:
    """Move the request to `new_category`, tell the staff it left, route it to the right ones."""
    services = context.services
    old_category = request.category
    had_it = [person for person, _message in await services.requests.deliveries(request.id)]
    plan = (
        reroute(
            new_category,
            request.building_id,
            await roster(context, request.building_id),
            had_it=had_it,
            assignee_id=request.assignee_id,
        )
        if request.building_id is not None
        else None
    )
    await services.requests.update(request.id, category=new_category, category_alternative=None)
    await services.requests.note(
        request.id, actor_id, "category", f"{old_category} → {new_category}"
    )
    if (
        plan is not None
        and not plan.keep_assignee
        and request.status
        in (
            RequestStatus.ASSIGNED,
            RequestStatus.IN_PROGRESS,
        )
    ):
        await services.requests.change_status(
            request.id,
            expected=request.status,
            new_status=RequestStatus.NEW,
            action=Action.UNASSIGN.value,
            actor_id=actor_id,
            note=f"category {new_category}",
            assignee_id=None,
        )
    if plan is not None and old_category != new_category:
        for person_id in plan.left:
            await services.requests.forget_delivery(request.id, person_id)
            _ = await person_translator(context, person_id)
            await send_private(
                context,
                person_id,
                _(
                    "↪️ Request #{number} was moved from {old} to {new}; it is no longer "
                    "yours. Thank you!"
                ).format(
                    number=request.id,
                    old=category_name(_, old_category),
                    new=category_name(_, new_category),
                ),
            )
    await route(context, request.id)
    await refresh_cards(context, request.id)
    updated = await services.requests.get(request.id)
    assert updated is not None
    await remember_request(
        context, updated, CorrectionKind.CATEGORY, actor_id=actor_id, predicted=old_category
    )
    return updated


async def category_command(update: Update, context: CourtyardContext) -> None:
    """`/category N heating` (heads, admins, staff)."""
    _ = await translator_for(update, context)
    keys = [rule.key for rule in context.services.settings.classifier.categories]
    usage = _(
        "Usage: /category <number> <category>, e.g. /category 12 heating. Categories: {keys}"
    )
    usage = usage.format(keys=", ".join(keys))
    request = await _request_here(update, context, _, usage)
    if request is None:
        return
    args = context.args or []
    new_category = category_key(" ".join(args[1:]), keys) if len(args) > 1 else None
    if new_category is None:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    if not roles & _CORRECTORS:
        await reply(update, _("Sorry, you are not allowed to do that with this request."))
        return
    if not request.is_open:
        await reply(update, _("This request is no longer open."))
        return
    if new_category == request.category and request.category_alternative is None:
        await reply(
            update,
            _("#{number} is already filed under {category}.").format(
                number=request.id, category=category_name(_, new_category)
            ),
        )
        return
    await recategorise(context, request, new_category, sender_id(update))
    await reply(update, _moved_text(_, context, request, new_category))


def _moved_text(_: Translator, context: CourtyardContext, request: Request, new: str) -> str:
    return _("#{number} is now filed under {icon} {category}.").format(
        number=request.id, icon=icon_of(context, new), category=escape(category_name(_, new))
    )


async def on_category_button(update: Update, context: CourtyardContext) -> None:
    """One of the two category buttons of an uncertain card (reporter, heads, admins, staff)."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CATEGORY_CALLBACK.match(query.data or "")
    services = context.services
    request = await services.requests.get(int(match.group(1))) if match else None
    keys = {rule.key for rule in services.settings.classifier.categories}
    if match is None or request is None or match.group(2) not in keys:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    offered = {request.category, request.category_alternative}
    if (
        not request.is_open
        or request.category_alternative is None
        or match.group(2) not in offered
    ):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    roles = await request_roles(context, sender_id(update), request)
    if not roles & _CHOOSERS:
        await answer_quietly(
            query, _("Only the reporter, building heads or staff can choose."), show_alert=True
        )
        return
    new_category = match.group(2)
    await answer_quietly(query, _moved_text(_, context, request, new_category))
    await recategorise(context, request, new_category, sender_id(update))


async def urgent_command(update: Update, context: CourtyardContext) -> None:
    """`/urgent N on|off` (heads, admins, staff)."""
    _ = await translator_for(update, context)
    usage = _("Usage: /urgent <number> on|off")
    request = await _request_here(update, context, _, usage)
    if request is None:
        return
    args = context.args or []
    switch = args[1].casefold() if len(args) > 1 else ""
    if switch not in ("on", "off", "yes", "no", "是", "否"):
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    if not roles & _CORRECTORS:
        await reply(update, _("Sorry, you are not allowed to do that with this request."))
        return
    urgent = switch in ("on", "yes", "是")
    if request.urgent != urgent:
        await context.services.requests.update(request.id, urgent=int(urgent))
        await context.services.requests.note(
            request.id, sender_id(update), "urgent", "on" if urgent else "off"
        )
        await refresh_cards(context, request.id)
    updated = await context.services.requests.get(request.id)
    assert updated is not None
    await remember_request(
        context,
        updated,
        CorrectionKind.URGENT if urgent else CorrectionKind.NOT_URGENT,
        actor_id=sender_id(update),
    )
    await reply(
        update,
        (
            _("#{number} is marked urgent.") if urgent else _("#{number} is no longer urgent.")
        ).format(number=request.id),
    )


async def not_a_request_command(update: Update, context: CourtyardContext) -> None:
    """`/notrequest N`: close it as "not a request" (heads, admins); the model learns from it."""
    _ = await translator_for(update, context)
    request = await _request_here(update, context, _, _("Usage: /notrequest <number>"))
    if request is None:
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context,
        request,
        Action.CLOSE,
        sender_id(update),
        roles=roles,
        justification=Closure(CloseReason.OTHER, note="not a request"),
    )
    if outcome.request is None:
        await reply(update, _("Sorry, you are not allowed to do that with this request."))
        return
    await remember_request(
        context, outcome.request, CorrectionKind.NOT_A_REQUEST, actor_id=sender_id(update)
    )
    await reply(
        update,
        _("#{number} is closed as not a request. Thank you, I will learn from it.").format(
            number=request.id
        ),
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("category", category_command),
        CommandHandler("urgent", urgent_command),
        CommandHandler("notrequest", not_a_request_command),
        CallbackQueryHandler(on_category_button, pattern=CATEGORY_CALLBACK),
    ]
