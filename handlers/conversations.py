"""Plain private messages that answer a question the bot asked ("which flat?")."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from handlers import (
    care_enrol,
    household_add,
    household_join,
    meeting_wizard,
    needs,
    request_private,
    survey_answer,
    survey_canvass,
    survey_create,
)
from handlers.common import sender_id
from handlers.survey_common import CONVERSATION_CANVASS


async def continue_conversation(update: Update, context: CourtyardContext) -> None:
    """Route a private text or photo to the open conversation, if any; otherwise stay silent."""
    message = update.effective_message
    if message is None:
        return
    conversation = await context.services.conversations.current(sender_id(update))
    if conversation is None:
        return
    if conversation.kind == household_join.CONVERSATION_JOIN and message.text:
        await household_join.register_flat(
            update, context, message.text, building_id=int(conversation.payload["building_id"])
        )
    elif conversation.kind == request_private.CONVERSATION_REPORT:
        await request_private.continue_report(update, context)
    elif conversation.kind == household_add.CONVERSATION_HOUSEHOLD and message.text:
        await household_add.continue_household(
            update, context, int(conversation.payload["building_id"])
        )
    elif conversation.kind == meeting_wizard.CONVERSATION_MEETING:
        await meeting_wizard.continue_wizard(update, context)
    elif conversation.kind == needs.CONVERSATION_NEED:
        await needs.continue_need(update, context)
    elif conversation.kind == request_private.CONVERSATION_NOTE and message.text:
        await request_private.save_resolution_note(
            update, context, int(conversation.payload["request_id"])
        )
    # issue 16: surveys
    elif conversation.kind == survey_create.CONVERSATION_NEW_SURVEY:
        await survey_create.continue_text(update, context, conversation)
    elif conversation.kind == survey_answer.CONVERSATION_SURVEY_TEXT:
        await survey_answer.continue_text(update, context, conversation)
    elif conversation.kind == CONVERSATION_CANVASS:
        await survey_canvass.continue_text(update, context, conversation)
    elif conversation.kind == care_enrol.CONVERSATION_CARE_ENROL:
        await care_enrol.continue_text(update, context, conversation)


def handlers() -> list[CourtyardHandler]:
    return [
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND,
            continue_conversation,
        )
    ]
