"""/forgetme: a person asks Courtyard to forget them (see `storage.forget` for what that
removes and what it keeps without their name)."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.i18n import Translator
from handlers.common import (
    answer_quietly,
    edit_quietly,
    is_private,
    reply,
    sender_id,
    translator_for,
)

logger = logging.getLogger(__name__)

FORGET_CALLBACK = re.compile(r"^forget:(\d{1,20})$")


def what_is_kept(_: Translator) -> str:
    """Said before and after: exactly what stays, and that it no longer names them."""
    return _(
        "Kept, without your name or Telegram id: the requests you reported (their text and "
        "photos as you wrote them), notes you added to requests, that you said “me too” (it "
        "still counts as affected), your votes and your support for needs (they still count), "
        "what you proposed on the needs and projects lists, and answers you gave for your "
        "household in surveys."
    )


async def forgetme(update: Update, context: CourtyardContext) -> None:
    """Ask for confirmation before deleting the sender's personal data."""
    _ = await translator_for(update, context)
    if not is_private(update):
        await reply(update, _("Please send /forgetme in a private chat with me."))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, delete my data"), callback_data=f"forget:{sender_id(update)}"
                ),
            ]
        ]
    )
    await reply(
        update,
        _(
            "This deletes your name and username, your household registration, your roles, "
            "your care check-ins, your own survey answers and the messages of yours I keep."
        )
        + "\n"
        + what_is_kept(_)
        + "\n\n"
        + _("Continue?"),
        reply_markup=keyboard,
    )


async def forget_confirmed(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = FORGET_CALLBACK.match(query.data or "")
    user_id = sender_id(update)
    if match is None or int(match.group(1)) != user_id:
        await answer_quietly(query, _("This button is not for you."), show_alert=True)
        return
    services = context.services
    forgotten = await services.forget.forget(user_id)
    services.people.forget_cached(user_id)
    services.chats.forget_cached(user_id)
    services.roles.forget_cached(user_id)
    if not await services.database.checkpoint():
        logger.warning("The database log could not be truncated after a /forgetme yet")
    logger.info(
        "Forgot a person: %d updates deleted, %d requests and %d votes unlinked",
        forgotten.updates,
        forgotten.requests,
        forgotten.votes,
    )
    await answer_quietly(query)
    await edit_quietly(
        query,
        _(
            "Done. I deleted your name and username, your household registration, your roles, "
            "your care check-ins, your own survey answers, our conversations and the messages "
            "of yours I kept."
        )
        + "\n"
        + what_is_kept(_)
        + "\n\n"
        + _(
            "If you write again in a group I am in, or use my commands, I will see your "
            "Telegram name again from then on, as for everyone there."
        ),
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("forgetme", forgetme),
        CallbackQueryHandler(forget_confirmed, pattern=FORGET_CALLBACK),
    ]
