"""`/household add <flat> [name]`: a head registers a household that is not on Telegram.

It names a flat, so it is done in a private chat. In the group the command answers with a
link that opens the private chat for that building (and the message is deleted, or the group
is told it could not be).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.flats import parse_flat
from bot.i18n import Translator
from handlers.building_heads import managed_buildings
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    may_manage,
    not_linked,
    refusal,
    reply,
    say,
    sender_id,
    translator_for,
)
from handlers.flat_privacy import private_link, take_out_of_group, with_notice
from handlers.replay import settle
from storage.buildings import Building

HOUSEHOLD_ADD_PAYLOAD = re.compile(r"^household-(\d{1,9})$")
CHOOSE_BUILDING_CALLBACK = re.compile(r"^hha:(\d{1,9})$")
CONVERSATION_HOUSEHOLD = "household"


def usage(_: Translator) -> str:
    return escape(
        _("Usage: /household add <flat> [name of the resident], e.g. /household add 3-502 王奶奶")
    )


def ask_for_flat(_: Translator, building: Building) -> str:
    return _(
        "Registering a household in {building} on behalf of a resident who is not on "
        "Telegram. Send the flat and the resident's name, for example: 3-502 王奶奶"
    ).format(building=escape(building.name))


async def household(update: Update, context: CourtyardContext) -> None:
    """In a group: a private link (a flat never needs typing there). Privately: register."""
    _ = await translator_for(update, context)
    args = context.args or []
    if not is_private(update):
        notice = await take_out_of_group(update, _, typed=len(args) > 1)
        building = await building_of_chat(update, context)
        if building is None:
            await say(update, context, with_notice(not_linked(_), notice))
            return
        if not await may_manage(update, context, building):
            await say(update, context, with_notice(refusal(_), notice))
            return
        await say(
            update,
            context,
            with_notice(
                _("To keep flat numbers private, register households in a private chat with me."),
                notice,
            ),
            reply_markup=private_link(context, _("Open private chat"), f"household-{building.id}"),
        )
        return
    if len(args) < 2 or args[0].lower() != "add" or parse_flat(args[1]) is None:
        await reply(update, usage(_))
        return
    building = await _chosen_building(update, context, _)
    if building is not None:
        await register(update, context, building, " ".join(args[1:]))


async def _chosen_building(
    update: Update, context: CourtyardContext, _: Translator
) -> Building | None:
    """The building the head opened the private chat for, else the only one they manage;
    with several, buttons to choose (answered here, None returned)."""
    services = context.services
    managed = await managed_buildings(update, context)
    conversation = await services.conversations.current(sender_id(update))
    if conversation is not None and conversation.kind == CONVERSATION_HOUSEHOLD:
        chosen = int(conversation.payload["building_id"])
        building = next((b for b in managed if b.id == chosen), None)
        if building is not None:
            return building
    if not managed:
        await reply(update, refusal(_))
        return None
    if len(managed) == 1:
        return managed[0]
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.name, callback_data=f"hha:{b.id}")] for b in managed[:30]]
    )
    await reply(update, _("Which building is the household in?"), reply_markup=keyboard)
    return None


async def start_household_add(update: Update, context: CourtyardContext, building_id: int) -> None:
    """`/start household-<building>` from the group's link."""
    _ = await translator_for(update, context)
    await _begin(update, context, _, building_id)


async def choose_building(update: Update, context: CourtyardContext) -> None:
    """A head with several buildings picked one."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CHOOSE_BUILDING_CALLBACK.match(query.data or "")
    if match is None or not is_private(update):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    building = await _begin(update, context, _, int(match.group(1)))
    if building is not None:
        await edit_quietly(query, f"✔️ {escape(building.name)}")


async def _begin(
    update: Update, context: CourtyardContext, _: Translator, building_id: int
) -> Building | None:
    services = context.services
    building = await services.buildings.get(building_id)
    if building is None or not await services.access.may_manage(
        context.bot, sender_id(update), building
    ):
        await reply(update, refusal(_))
        return None
    await services.conversations.begin(
        sender_id(update), CONVERSATION_HOUSEHOLD, {"building_id": building.id}
    )
    await say(update, context, ask_for_flat(_, building))
    return building


async def continue_household(update: Update, context: CourtyardContext, building_id: int) -> None:
    """The head's answer to "send the flat and the resident's name" (private)."""
    _ = await translator_for(update, context)
    message = update.effective_message
    services = context.services
    building = await services.buildings.get(building_id)
    if (
        message is None
        or building is None
        or not await services.access.may_manage(context.bot, sender_id(update), building)
    ):
        await services.conversations.end(sender_id(update))
        await reply(update, refusal(_))
        return
    await register(update, context, building, message.text or "")


async def register(
    update: Update, context: CourtyardContext, building: Building, text: str
) -> None:
    """`<flat> [name]`: record the household (private chat; the head may manage it)."""
    _ = await translator_for(update, context)
    services = context.services
    words = text.split()
    flat = parse_flat(words[0]) if words else None
    if flat is None:
        await reply(update, ask_for_flat(_, building))
        return
    contact = " ".join(words[1:]).strip()[:100] or _("resident")
    _household_id, created = await services.households.register_on_behalf(
        building.id, flat, contact, actor_id=sender_id(update)
    )
    # Handled again after a crash, the answer is the first attempt's.
    created, _fresh = await settle(context, "household-add", created)
    answer = _("✅ Registered {flat} in {building} on behalf of {contact}.").format(
        flat=escape(flat.label), building=escape(building.name), contact=escape(contact)
    )
    if not created:
        answer += "\n" + _("(It was already registered; the record was updated.)")
    await reply(update, answer)
    await services.conversations.end(sender_id(update))


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("household", household),
        CallbackQueryHandler(choose_building, pattern=CHOOSE_BUILDING_CALLBACK),
    ]
