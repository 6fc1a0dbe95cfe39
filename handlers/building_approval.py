"""New buildings need a community admin's approval (unless the config allows open creation).

Anyone can add the bot to a group of their own; without approval, a stranger could create a
"Tower A" of their own and collect the names and flat numbers of residents who pick it by
mistake. So `/setup <new name>` by a group administrator who is not a community admin asks
the admins, with buttons, and the group hears the decision.
"""

from __future__ import annotations

import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.i18n import Translator, translator
from handlers.common import (
    answer_quietly,
    edit_quietly,
    escape,
    preferred_language,
    reply,
    sender_id,
    translator_for,
)
from storage.building_requests import BuildingRequest, RequestStatus

logger = logging.getLogger(__name__)

DECISION_CALLBACK = re.compile(r"^bq:(approve|public|reject):([0-9]{1,18})$")


def may_create_directly(context: CourtyardContext, user_id: int) -> bool:
    settings = context.services.settings.community
    return settings.open_building_creation or user_id in settings.admins


async def ask_admins(update: Update, context: CourtyardContext, name: str, _: Translator) -> None:
    """File the group's request and ask the community admins (once per request)."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    request, fresh = await services.building_requests.ask(chat.id, name, sender_id(update))
    reached = True
    if fresh:
        reached = await _ask(context, request, chat.title or str(chat.id), update)
    if reached:
        text = _(
            "Creating a new building needs a community admin's approval. I have asked them "
            "about “{name}”; this group will hear their decision."
        )
    else:
        text = _(
            "Creating a new building needs a community admin's approval, but I cannot reach "
            "any community admin yet (they need to start a private chat with me, or set an "
            "admin chat). Please ask them to create “{name}”."
        )
    await reply(update, text.format(name=escape(name)))


def _keyboard(_: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Approve"), callback_data=f"bq:approve:{request_id}"),
                InlineKeyboardButton(_("❌ Reject"), callback_data=f"bq:reject:{request_id}"),
            ],
            [
                InlineKeyboardButton(
                    _("✅ Approve and offer it to everyone"),
                    callback_data=f"bq:public:{request_id}",
                )
            ],
        ]
    )


async def _ask(
    context: CourtyardContext, request: BuildingRequest, group_title: str, update: Update
) -> bool:
    """Send the question to the admin chat and to every admin who started the bot."""
    services = context.services
    community = services.settings.community
    user = update.effective_user
    requester = escape(user.full_name if user else str(request.requested_by))
    recipients: list[tuple[int, str | None]] = []
    if community.admin_chat_id is not None:
        recipients.append((community.admin_chat_id, None))
    for admin_id in sorted(community.admins):
        person = await services.people.get(admin_id)
        if person is not None and person.started_bot and not person.blocked_bot:
            recipients.append((admin_id, person.language or person.language_code))
    reached = False
    for chat_id, language in recipients:
        _ = translator(preferred_language(language, context))
        text = _(
            "🏠 {person} asks to create the building “{name}” for the group “{group}”. "
            "Residents will see this name when they register their flat."
        ).format(person=requester, name=escape(request.name), group=escape(group_title))
        try:
            await context.bot.send_message(chat_id, text, reply_markup=_keyboard(_, request.id))
            reached = True
        except Forbidden:
            if chat_id > 0:
                await services.people.mark_blocked(chat_id)
        except BadRequest as exc:
            logger.warning("Could not ask %s about a new building: %s", chat_id, exc)
    return reached


async def decide(update: Update, context: CourtyardContext) -> None:
    """An admin's Approve / Reject: checked against the config's admins on every press."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = DECISION_CALLBACK.match(query.data or "")
    if match is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    user_id = sender_id(update)
    if not services.access.is_admin(user_id):
        await answer_quietly(
            query, _("Sorry, only community admins can approve buildings."), show_alert=True
        )
        return
    verb, request_id = match.group(1), int(match.group(2))
    request = await services.building_requests.get(request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        await answer_quietly(query, _("Somebody already decided this request."), show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
        return
    if verb == "reject":
        await _reject(update, context, request, _)
        return
    clash = await services.buildings.look_alike(request.name)
    if clash is not None:
        await _reject(update, context, request, _, clash_with=clash.name)
        return
    building, _created = await services.buildings.ensure(request.name)
    if not await services.building_requests.decide(
        request.id, approved=True, by=user_id, building_id=building.id
    ):
        await answer_quietly(query, _("Somebody already decided this request."), show_alert=True)
        return
    if verb == "public":
        building = await services.buildings.update(building.id, public=1)
    await services.buildings.link_chat(request.chat_id, building.id)
    await answer_quietly(query)
    await edit_quietly(
        query,
        _("✅ Approved: {name} exists and the group is linked to it.").format(
            name=escape(building.name)
        )
        + (" " + _("Everyone may pick it privately.") if building.public else ""),
    )
    text = _approved_text(await _group_translator(context, request.chat_id), building.name)
    await _tell_group(context, request.chat_id, text)


async def _reject(
    update: Update,
    context: CourtyardContext,
    request: BuildingRequest,
    _: Translator,
    *,
    clash_with: str | None = None,
) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    if not await services.building_requests.decide(
        request.id, approved=False, by=sender_id(update), building_id=None
    ):
        await answer_quietly(query, _("Somebody already decided this request."), show_alert=True)
        return
    await answer_quietly(query)
    await edit_quietly(query, _("❌ Not approved: {name}.").format(name=escape(request.name)))
    text = _rejected_text(
        await _group_translator(context, request.chat_id), request.name, clash_with
    )
    await _tell_group(context, request.chat_id, text)


def _approved_text(_: Translator, name: str) -> str:
    text = _(
        "✅ A community admin approved: created building <b>{name}</b> and linked this group to "
        "it."
    ).format(name=escape(name))
    return (
        text
        + "\n\n"
        + escape(
            _(
                "Next steps:\n"
                "• /setup households <number> — so registration coverage can be shown\n"
                "• /staff add <categories> [level] — reply to a staff member's message\n"
                "• residents register their flat privately with /join"
            )
        )
    )


def _rejected_text(_: Translator, name: str, clash_with: str | None) -> str:
    if clash_with is not None:
        return _(
            "“{name}” looks too much like the existing building “{existing}”, so it was not "
            "created."
        ).format(name=escape(name), existing=escape(clash_with))
    return _(
        "A community admin did not approve creating the building “{name}”. Please talk to "
        "them if this is a mistake."
    ).format(name=escape(name))


async def _group_translator(context: CourtyardContext, chat_id: int) -> Translator:
    chat = await context.services.chats.get(chat_id)
    return translator(preferred_language(chat.language if chat else None, context))


async def _tell_group(context: CourtyardContext, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(chat_id, text)
    except (BadRequest, Forbidden) as exc:
        logger.info("Could not tell group %s about its building: %s", chat_id, exc)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(decide, pattern=DECISION_CALLBACK)]
