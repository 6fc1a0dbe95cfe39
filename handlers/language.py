"""/language: choose the language of a group (chat admins) or of a private chat."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.i18n import normalize_language, translator
from handlers.common import is_chat_admin, translator_for


async def language(update: Update, context: CourtyardContext) -> None:
    """Show or set the chat's language: `/language zh` or `/language en`."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    _ = await translator_for(update, context)
    args = context.args or []
    chosen = normalize_language(args[0]) if len(args) == 1 else None
    if chosen is None:
        await message.reply_text(
            _("Usage: /language zh or /language en (current: {language})").format(
                language=_.language
            )
        )
        return
    services = context.services
    if chat.type == Chat.PRIVATE:
        await services.people.set_language(user.id, chosen)
    else:
        if not await is_chat_admin(update, context):
            await message.reply_text(
                _("Sorry, only the group's administrators can change its language.")
            )
            return
        await services.chats.set_language(chat.id, chosen)
    _ = translator(chosen)
    await message.reply_text(_("Done: I will speak English here."))


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("language", language)]
