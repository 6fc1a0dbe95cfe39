"""Remember every chat and person the bot sees (runs before feature handlers)."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import TypeHandler

from bot.context import CourtyardContext
from handlers.other_bots import note_other_bots


async def remember_chat_and_person(update: Update, context: CourtyardContext) -> None:
    """Keep `chats` and `people` current so later features can look them up."""
    services = context.services
    user = update.effective_user
    if user is not None and not user.is_bot:
        await services.people.remember(
            user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            language_code=user.language_code,
        )
        if user.username:
            await services.invites.bind_username(user.username, user.id)
    chat = update.effective_chat
    if chat is None:
        return
    await services.chats.remember(chat.id, type=chat.type, title=chat.title)
    await note_other_bots(update, context)
    # A person can only write to the bot privately after starting it.
    if chat.type == Chat.PRIVATE and user is not None and update.message is not None:
        person = await services.people.get(user.id)
        if person is not None and (not person.started_bot or person.blocked_bot):
            await services.people.mark_started(user.id)


def handler() -> TypeHandler[Update, CourtyardContext, None]:
    return TypeHandler(Update, remember_chat_and_person)
