"""Flat numbers typed in a group: taken out of the group when the bot may, said so when not.

In a group, /join, /household and /proxy never need a flat number: they answer with a link to
a private chat. Someone may type one anyway (`/join 3-502`). The bot deletes such a message
if it is an administrator allowed to delete messages; if not, it says so plainly (rather
than promise privacy it cannot give) and tells the building heads how to give it the right.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import CourtyardContext
from bot.i18n import Translator
from bot.transient import is_transient
from handlers.common import deep_link

logger = logging.getLogger(__name__)


async def delete_command(update: Update) -> bool:
    """Delete the command message; False when Telegram refuses (the bot is no admin, or the
    message is too old). A passing Telegram error is raised: the update is handled again."""
    message = update.effective_message
    if message is None:
        return False
    try:
        await message.delete()
    except TelegramError as exc:
        if is_transient(exc):
            raise
        logger.info("Could not delete message %s in chat %s: %s", message.id, message.chat_id, exc)
        return False
    return True


def cannot_delete_notice(_: Translator) -> str:
    return _(
        "⚠️ I could not delete your message, so the flat number in it is still visible here. "
        "Please delete it yourself (press and hold it, then Delete).\n"
        "Building heads: make me an administrator of this group with the right to delete "
        "messages, and I will remove such messages myself."
    )


async def take_out_of_group(update: Update, _: Translator, *, typed: bool) -> str:
    """Delete the command if something (a flat number) was typed after it; returns the
    sentence to add to the answer ("" when nothing was typed or it was deleted)."""
    if not typed or await delete_command(update):
        return ""
    return cannot_delete_notice(_)


def private_link(context: CourtyardContext, label: str, payload: str) -> InlineKeyboardMarkup:
    """One button that opens a private chat with the bot at `payload`."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=deep_link(context, payload))]])


def with_notice(text: str, notice: str) -> str:
    return f"{text}\n\n{notice}" if notice else text
