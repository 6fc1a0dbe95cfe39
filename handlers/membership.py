"""The bot joining or leaving groups, and groups becoming supergroups."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, ChatMemberUpdated, Update
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from handlers.common import escape, translator_for

logger = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


def _is_present(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT


async def bot_membership_changed(update: Update, context: CourtyardContext) -> None:
    """Greet a group once when added; mark it inactive (keeping its data) when removed."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == Chat.PRIVATE:
        if change is not None and change.new_chat_member.status in (
            ChatMember.BANNED,
            ChatMember.LEFT,
        ):
            await context.services.people.mark_blocked(change.chat.id)
        return
    services = context.services
    chat = change.chat
    was_present = _is_present(change.old_chat_member)
    is_present = _is_present(change.new_chat_member)
    context.services.access.forget_chat(chat.id)
    if is_present and not was_present:
        await services.chats.set_active(chat.id, True)
        if await services.buildings.mark_greeted(chat.id):
            _ = await translator_for(update, context)
            greeting = _(
                "👋 Hello everyone! I am {name}. I keep track of problems reported here "
                "until they are fixed, run votes for building heads and remind staff.\n\n"
                "A group administrator should now link this chat to its building: "
                "/setup <building name>. Send /help to see all commands."
            ).format(name=context.bot.first_name)
            await context.bot.send_message(chat.id, escape(greeting))
    elif was_present and not is_present:
        logger.info("Removed from chat %s; marking it inactive", chat.id)
        await services.chats.set_active(chat.id, False)


async def member_changed(update: Update, context: CourtyardContext) -> None:
    """Someone's status in a group changed (Telegram reports this while the bot is an
    administrator): drop the cached administrator list at once, so a demoted group admin
    loses head rights now rather than when the cache runs out."""
    change = update.chat_member
    if change is None:
        return
    was_admin = change.old_chat_member.status in ADMIN_STATUSES
    is_admin = change.new_chat_member.status in ADMIN_STATUSES
    if was_admin or is_admin:
        context.services.access.forget_chat(change.chat.id)


async def chat_migrated(update: Update, context: CourtyardContext) -> None:
    """Telegram upgraded a group to a supergroup: keep its building link and history."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await context.services.buildings.migrate_chat(old, new)


def handlers() -> list[CourtyardHandler]:
    return [
        ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
    ]
