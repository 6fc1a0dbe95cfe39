"""Noticing other bots in a group (joined, left, promoted, or writing), so that polls do
not count them among the people who could vote."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update

from bot.context import CourtyardContext

_GONE = (ChatMember.LEFT, ChatMember.BANNED)


async def note_other_bots(update: Update, context: CourtyardContext) -> None:
    """Record bots other than this one that join, leave or write in a group."""
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        return
    repository = context.services.chat_bots
    me = context.bot.id
    message = update.message
    if message is not None:
        for user in message.new_chat_members or ():
            if user.is_bot and user.id != me:
                await repository.note(chat.id, user.id, present=True)
        left = message.left_chat_member
        if left is not None and left.is_bot and left.id != me:
            await repository.note(chat.id, left.id, present=False)
        sender = message.from_user
        if sender is not None and sender.is_bot and sender.id != me:
            await repository.note(chat.id, sender.id, present=True)
    change = update.chat_member
    if change is not None:
        user = change.new_chat_member.user
        if user.is_bot and user.id != me:
            present = change.new_chat_member.status not in _GONE
            await repository.note(chat.id, user.id, present=present)
