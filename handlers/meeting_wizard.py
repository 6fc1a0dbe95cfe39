"""`/meeting` in a private chat: when, where and the agenda, one question at a time."""

from __future__ import annotations

import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.list_syntax import (
    AgendaEntry,
    ListSyntaxError,
    MeetingSpec,
    parse_agenda,
    parse_moment,
    parse_place,
)
from bot.i18n import Translator
from handlers.building_heads import managed_buildings
from handlers.common import answer_quietly, escape, refusal, reply, sender_id, translator_for
from handlers.list_common import syntax_problem, when, zone
from handlers.meetings import call_meeting
from storage.buildings import Building

CONVERSATION_MEETING = "meeting"
BUILDING_CALLBACK = re.compile(r"^mw:b:(\d+)$")
# `/meeting` alone in a private chat starts the questions; `/meeting 3 …` manages meeting 3.
BARE_COMMAND = re.compile(r"^/meeting(@\w+)?\s*$", re.IGNORECASE)


async def start_wizard(update: Update, context: CourtyardContext) -> None:
    _ = await translator_for(update, context)
    buildings = await managed_buildings(update, context)
    if not buildings:
        await reply(update, refusal(_))
        return
    user_id = sender_id(update)
    if len(buildings) == 1:
        await context.services.conversations.begin(
            user_id, CONVERSATION_MEETING, {"building_id": buildings[0].id}
        )
        await _ask_time(update, _, buildings[0])
        return
    await context.services.conversations.begin(user_id, CONVERSATION_MEETING, {})
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.name, callback_data=f"mw:b:{b.id}")] for b in buildings[:20]]
    )
    await reply(update, _("Which building is the meeting for?"), reply_markup=keyboard)


async def _ask_time(update: Update, _: Translator, building: Building) -> None:
    await reply(
        update,
        _("📅 Meeting for {building}. When? For example: 2030-05-20 19:00").format(
            building=escape(building.name)
        ),
    )


async def on_building(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = BUILDING_CALLBACK.match(query.data or "")
    building = await context.services.buildings.get(int(match.group(1))) if match else None
    user_id = sender_id(update)
    conversation = await context.services.conversations.current(user_id)
    if (
        building is None
        or conversation is None
        or conversation.kind != CONVERSATION_MEETING
        or not await context.services.access.may_manage(context.bot, user_id, building)
    ):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    await context.services.conversations.begin(
        user_id, CONVERSATION_MEETING, {"building_id": building.id}
    )
    await _ask_time(update, _, building)


async def continue_wizard(update: Update, context: CourtyardContext) -> None:
    """The answer to the last question: time, then place, then the agenda (then post)."""
    _ = await translator_for(update, context)
    services = context.services
    message = update.effective_message
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    if message is None or not message.text or conversation is None:
        return
    payload = dict(conversation.payload)
    building = await services.buildings.get(int(payload.get("building_id", 0)))
    if building is None:
        await reply(update, _("Please choose the building with the buttons above."))
        return
    # Checked again at every step: a head removed meanwhile may not finish.
    if not await services.access.may_manage(context.bot, user_id, building):
        await services.conversations.end(user_id)
        await reply(update, refusal(_))
        return
    try:
        if "starts_at" not in payload:
            moment = parse_moment(
                message.text, now=services.clock.now(), tz=zone(context, building)
            )
            payload["starts_at"] = moment.isoformat()
            await services.conversations.begin(user_id, CONVERSATION_MEETING, payload)
            await reply(update, _("📍 Where? A place, or a link for an online meeting."))
            return
        if "place" not in payload:
            payload["place"] = parse_place(message.text)
            await services.conversations.begin(user_id, CONVERSATION_MEETING, payload)
            await reply(
                update,
                escape(
                    _(
                        "📋 The agenda: items separated by ; or on separate lines. Use "
                        "“need 12” or “#34” for items already on the lists."
                    )
                ),
            )
            return
        agenda = parse_agenda(message.text)
    except ListSyntaxError as error:
        await reply(update, syntax_problem(_, error))
        return
    await _post(update, context, building, payload, agenda, _)


async def _post(
    update: Update,
    context: CourtyardContext,
    building: Building,
    payload: dict[str, object],
    agenda: tuple[AgendaEntry, ...],
    _: Translator,
) -> None:
    services = context.services
    user_id = sender_id(update)
    message = update.effective_message
    assert message is not None
    chats = await services.buildings.chats_of(building.id)
    if not chats:
        await services.conversations.end(user_id)
        await reply(update, _("The building has no group to announce it in yet."))
        return
    starts_at = datetime.fromisoformat(str(payload["starts_at"]))
    if starts_at <= services.clock.now():
        payload.pop("starts_at")
        await services.conversations.begin(user_id, CONVERSATION_MEETING, payload)
        await reply(
            update, _("That time has passed meanwhile. When? For example: 2030-05-20 19:00")
        )
        return
    spec = MeetingSpec(starts_at, str(payload["place"]), agenda)
    outcome = await call_meeting(
        context,
        building,
        spec,
        chat_id=chats[0],
        source_key=f"private:{user_id}:{message.message_id}",
        creator_id=user_id,
    )
    if isinstance(outcome, str):
        await reply(update, _("{item} is not on this building's lists.").format(item=outcome))
        return
    await services.conversations.end(user_id)
    await reply(
        update,
        _("Posted in the group: meeting M{number} on {time}.").format(
            number=outcome.id, time=when(context, building, outcome.starts_at)
        ),
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler(
            "meeting", start_wizard, filters=filters.ChatType.PRIVATE & filters.Regex(BARE_COMMAND)
        ),
        CallbackQueryHandler(on_building, pattern=BUILDING_CALLBACK),
    ]
