"""/start and /help: what Courtyard does and which commands the person may use."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CommandHandler

from bot.commands import commands_for
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.numbers import parse_id
from bot.i18n import Translator
from handlers import (
    care,
    household_add,
    household_join,
    households,
    list_views,
    poll_votes,
    request_flow,
    role_invites,
    surveys,
)
from handlers.common import escape, is_chat_admin, reply, translator_for


def command_list(_: Translator, *, private: bool, include_admin: bool) -> str:
    lines = [
        f"/{command.name} — {_(command.description)}"
        for command in commands_for(private=private, include_admin=include_admin)
    ]
    return "\n".join(lines)


async def _bot_sees_group_messages(update: Update, context: CourtyardContext) -> bool:
    """Bots with privacy mode on only see commands, unless they are group admins."""
    if context.bot.can_read_all_group_messages:
        return True
    chat = update.effective_chat
    if chat is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except (BadRequest, Forbidden):
        return False
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def start(update: Update, context: CourtyardContext) -> None:
    """Greet the person and explain what Courtyard does here."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    _ = await translator_for(update, context)
    name = escape(context.services.settings.community.name)
    if chat.type == Chat.PRIVATE and update.effective_user is not None:
        # Staff who could not be reached get what was waiting for them.
        await request_flow.deliver_pending(context, update.effective_user.id)
    if (
        chat.type == Chat.PRIVATE
        and context.args
        and await follow_deep_link(update, context, context.args[0])
    ):
        return
    if chat.type == Chat.PRIVATE:
        text = _(
            "👋 Welcome to <b>{name}</b>!\n\n"
            "I help your building's group chat keep track of things: problems you report "
            "become tracked requests that reach the right staff, building heads run votes, "
            "and staff get reminders so nothing is forgotten.\n\n"
            "What you can do here:\n{commands}"
        ).format(name=name, commands=command_list(_, private=True, include_admin=False))
        await message.reply_text(text)
        return
    text = _(
        "👋 Hello, I am <b>{name}</b>, this chat's assistant.\n\n"
        "Write about problems as you always do (for example “the corridor light on floor 3 is "
        "broken”) and I will track them until they are fixed.\n\n"
        "Commands:\n{commands}"
    ).format(
        name=name,
        commands=command_list(
            _, private=False, include_admin=await is_chat_admin(update, context)
        ),
    )
    if not await _bot_sees_group_messages(update, context):
        text += "\n\n" + _(
            "⚠️ I cannot read ordinary messages in this group yet, only commands. "
            "Please make me an administrator, or ask the bot's owner to turn off "
            "privacy mode in @BotFather (Bot Settings → Group Privacy), then add me again."
        )
    await message.reply_text(text)


async def follow_deep_link(update: Update, context: CourtyardContext, payload: str) -> bool:
    """`/start <payload>` from a t.me link; False if the payload means nothing (any more)."""
    link = household_join.JOIN_PAYLOAD.match(payload)
    link = link or households.HOUSEHOLDS_PAYLOAD.match(payload)
    if link is not None:
        # Anyone can type a link: its number must be one a building could have.
        building_id = parse_id(link.group(1))
        if building_id is None:
            _ = await translator_for(update, context)
            await reply(update, _("This link is out of date."))
        elif link.re is household_join.JOIN_PAYLOAD:
            await household_join.start_join(update, context, building_id)
        else:
            await households.start_households(update, context, building_id)
        return True
    adding = household_add.HOUSEHOLD_ADD_PAYLOAD.match(payload)
    if adding:
        building_id = parse_id(adding.group(1))
        if building_id is None:
            _ = await translator_for(update, context)
            await reply(update, _("This link is out of date."))
        else:
            await household_add.start_household_add(update, context, building_id)
        return True
    proxy = poll_votes.PROXY_PAYLOAD.match(payload)
    if proxy:
        await poll_votes.start_proxy(update, context, proxy.group(1))
        return True
    if await list_views.open_from_link(update, context, payload):
        return True
    if await surveys.follow_deep_link(update, context, payload):
        return True
    if await care.follow_deep_link(update, context, payload):
        return True
    return await role_invites.redeem_invite(update, context, payload)


async def help_command(update: Update, context: CourtyardContext) -> None:
    """List the commands this person may use in this chat."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    _ = await translator_for(update, context)
    private = chat.type == Chat.PRIVATE
    include_admin = private or await is_chat_admin(update, context)
    text = _(
        "<b>Courtyard</b> turns messages about problems in your building into tracked "
        "requests, runs votes for building heads and reminds staff.\n\n"
        "Commands you can use here:\n{commands}"
    ).format(commands=command_list(_, private=private, include_admin=include_admin))
    await message.reply_text(text)


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("start", start), CommandHandler("help", help_command)]
