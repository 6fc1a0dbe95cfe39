"""Private intake: `/report` in a private chat guides the resident step by step."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.classifier import Verdict
from bot.domain.numbers import parse_id
from bot.i18n import Translator
from handlers.building_picker import Choice, choices_for, may_pick, unknown_building
from handlers.building_picker import keyboard as picker_keyboard
from handlers.common import (
    answer_quietly,
    edit_quietly,
    escape,
    reply,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.request_cards import card_people, icon_of, refresh_cards, render_card
from handlers.request_flow import open_request
from storage.requests import NewRequest

CONVERSATION_REPORT = "report"
CONVERSATION_NOTE = "resolution_note"
PRIVATE_CALLBACK = re.compile(r"^pr:(b|c|skip):([\w-]{1,20})$")
DESCRIPTION_LIMIT = 3000


async def candidate_buildings(context: CourtyardContext, person_id: int) -> list[Choice]:
    """The person's household buildings, else the others they may pick (their groups',
    those listed for everyone)."""
    choices = await choices_for(context, person_id)
    households = {
        m.building_id for m in await context.services.households.memberships_of(person_id)
    }
    return [c for c in choices if c.building.id in households] or choices


async def start_private_report(update: Update, context: CourtyardContext) -> None:
    """`/report` privately: ask for the building (if needed), category, text and a photo."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    buildings = await candidate_buildings(context, user_id)
    if not buildings:
        await reply(update, unknown_building(_))
        return
    text = " ".join(context.args or []).strip()
    payload: dict[str, object] = {"description": text[:DESCRIPTION_LIMIT]} if text else {}
    if len(buildings) == 1:
        payload["building_id"] = buildings[0].building.id
        await services.conversations.begin(user_id, CONVERSATION_REPORT, payload)
        await _next_step(update, context, _)
        return
    await services.conversations.begin(user_id, CONVERSATION_REPORT, payload)
    keyboard = picker_keyboard(buildings, "pr:b:{id}")
    await reply(update, _("Which building is the problem in?"), reply_markup=keyboard)


async def _next_step(update: Update, context: CourtyardContext, _: Translator) -> None:
    """Ask for whatever the report still lacks, or file it."""
    services = context.services
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    if conversation is None or conversation.kind != CONVERSATION_REPORT:
        return
    data = conversation.payload
    if "building_id" not in data:
        buildings = await candidate_buildings(context, user_id)
        keyboard = picker_keyboard(buildings, "pr:b:{id}")
        await _say(update, context, _("Which building is the problem in?"), keyboard)
        return
    if "category" not in data and data.get("description"):
        result = services.understanding.classify(str(data["description"]))
        if result.verdict is not Verdict.IGNORE:
            data["category"] = result.category
            await services.conversations.begin(user_id, CONVERSATION_REPORT, data)
    if "category" not in data:
        rules = services.settings.classifier
        buttons = [
            InlineKeyboardButton(
                f"{c.icon} {category_name(_, c.key)}", callback_data=f"pr:c:{c.key}"
            )
            for c in rules.categories
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await _say(update, context, _("What kind of problem is it?"), InlineKeyboardMarkup(rows))
        return
    if not data.get("description"):
        await _say(
            update,
            context,
            _(
                "Please describe the problem and where it is (for example: the light on floor 3 "
                "of unit 2 is broken). You can send a photo with a caption too."
            ),
            None,
        )
        return
    if "photo" not in data:
        await _say(
            update,
            context,
            _("Would you like to add a photo? Send it now, or press Skip."),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("Skip"), callback_data="pr:skip:photo")]]
            ),
        )
        return
    await _file(update, context, _, data)


async def _say(
    update: Update, context: CourtyardContext, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    await context.bot.send_message(sender_id(update), text, reply_markup=keyboard)


async def _file(
    update: Update, context: CourtyardContext, _: Translator, data: dict[str, object]
) -> None:
    services = context.services
    user_id = sender_id(update)
    description = str(data["description"])
    result = services.understanding.classify(description)
    photo = data.get("photo")
    request = await open_request(
        context,
        NewRequest(
            building_id=int(str(data["building_id"])),
            chat_id=None,
            source_message_id=None,
            reporter_id=user_id,
            category=str(data["category"]),
            urgent=result.urgent,
            location=result.location.label if result.location else None,
            description=description,
            photo=(str(photo[0]), str(photo[1]))
            if isinstance(photo, list) and len(photo) == 2
            else None,
            intake_update_id=update.update_id,
        ),
        reply_to_message_id=None,
    )
    people = await card_people(context, request)
    await _say(
        update,
        context,
        _("✅ Thank you, your request is filed:")
        + "\n\n"
        + render_card(_, context, request, people)
        + "\n\n"
        + _("I will let you know when it is resolved."),
        None,
    )
    # Ended only when all is done: handling this update again (after a crash or a Telegram
    # error) finds the conversation, and the request filed by it, and finishes the work.
    await services.conversations.end(user_id)


async def on_private_button(update: Update, context: CourtyardContext) -> None:
    """Building, category and skip buttons of the private report."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    match = PRIVATE_CALLBACK.match(query.data or "")
    if match is None or conversation is None or conversation.kind != CONVERSATION_REPORT:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    data = dict(conversation.payload)
    kind, value = match.group(1), match.group(2)
    if kind == "b":
        building_id = parse_id(value)
        building = (
            await services.buildings.get(building_id)
            if building_id is not None and await may_pick(context, user_id, building_id)
            else None
        )
        if building is None:
            await query.answer(_("This button is out of date."), show_alert=True)
            return
        data["building_id"] = building.id
        chosen = escape(building.name)
    elif kind == "c":
        if value not in {c.key for c in services.settings.classifier.categories}:
            await query.answer(_("This button is out of date."), show_alert=True)
            return
        data["category"] = value
        chosen = f"{icon_of(context, value)} {escape(category_name(_, value))}"
    else:
        data["photo"] = None
        chosen = _("no photo")
    await services.conversations.begin(user_id, CONVERSATION_REPORT, data)
    # Quietly: handled again after a crash, the press is already answered and edited.
    await answer_quietly(query)
    await edit_quietly(query, f"✔️ {chosen}")
    await _next_step(update, context, _)


async def continue_report(update: Update, context: CourtyardContext) -> None:
    """A private text or photo while a report is being written."""
    message = update.effective_message
    assert message is not None
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    if conversation is None:
        return
    data = dict(conversation.payload)
    text = (message.text or message.caption or "").strip()
    if message.photo:
        largest = message.photo[-1]
        data["photo"] = [largest.file_id, largest.file_unique_id]
    if text and not data.get("description"):
        data["description"] = text[:DESCRIPTION_LIMIT]
    elif not message.photo and "building_id" in data and data.get("description"):
        data.setdefault("photo", None)
    await services.conversations.begin(user_id, CONVERSATION_REPORT, data)
    if "building_id" not in data:
        await reply(update, _("Please choose the building with the buttons above."))
        return
    await _next_step(update, context, _)


async def offer_resolution_note(
    update: Update, context: CourtyardContext, request_id: int
) -> None:
    """After a staff member resolves privately: an optional note for the residents."""
    _ = await translator_for(update, context)
    await context.services.conversations.begin(
        sender_id(update), CONVERSATION_NOTE, {"request_id": request_id}
    )
    await _say(
        update,
        context,
        _(
            "Marked #{number} resolved. If you like, send a short note for the residents now "
            "(what was done)."
        ).format(number=request_id),
        None,
    )


async def save_resolution_note(update: Update, context: CourtyardContext, request_id: int) -> None:
    message = update.effective_message
    assert message is not None
    _ = await translator_for(update, context)
    services = context.services
    text = (message.text or "").strip()[:1000]
    if text:
        await services.requests.set_resolution_note(request_id, sender_id(update), text)
        await refresh_cards(context, request_id)
        await reply(
            update, _("Thank you, the note was added to #{number}.").format(number=request_id)
        )
    # Ended last, so handling this message again after a crash still saves the note.
    await services.conversations.end(sender_id(update))


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_private_button, pattern=PRIVATE_CALLBACK)]
