"""Small helpers shared by handlers: language, translation, safe text."""

from __future__ import annotations

import html
import logging

from telegram import CallbackQuery, Chat, ChatMember, InlineKeyboardMarkup, Update, helpers
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import Language
from bot.context import CourtyardContext
from bot.i18n import Translator, normalize_language, translator
from storage.buildings import Building

logger = logging.getLogger(__name__)


async def language_for(update: Update, context: CourtyardContext) -> Language:
    """The language to answer this update in.

    Groups use the chat's choice; private chats use the person's choice, then their
    Telegram language, then the community default.
    """
    services = context.services
    default = services.settings.community.language
    chat = update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE:
        chat_language, building_language = await services.chats.languages(chat.id)
        return (
            normalize_language(chat_language) or normalize_language(building_language) or default
        )
    user = update.effective_user
    if user is None:
        return default
    person = await services.people.get(user.id)
    chosen = normalize_language(person.language if person else None)
    return chosen or normalize_language(user.language_code) or default


async def translator_for(update: Update, context: CourtyardContext) -> Translator:
    """The translator for this update's chat."""
    return translator(await language_for(update, context))


def whole_number(text: str, *, max_digits: int = 9) -> int | None:
    """A typed number such as `42` (ASCII digits only: `"²".isdigit()` is true, yet
    `int("²")` fails), or None."""
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def escape(text: str) -> str:
    """Escape user-provided text for HTML parse mode."""
    return html.escape(text, quote=False)


async def is_chat_admin(update: Update, context: CourtyardContext) -> bool:
    """Is the sender a community admin, or an administrator of this group?"""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if user.id in context.services.settings.community.admins:
        return True
    if chat.type == Chat.PRIVATE:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except (BadRequest, Forbidden):
        # A refusal means "no"; a passing error propagates so the update is tried again.
        return False
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def preferred_language(code: str | None, context: CourtyardContext) -> Language:
    """A stored or Telegram language code, else the community default."""
    return normalize_language(code) or context.services.settings.community.language


async def delete_quietly(update: Update) -> None:
    """Delete the triggering message if the bot may (used to keep flat numbers private)."""
    message = update.effective_message
    if message is None:
        return
    try:
        await message.delete()
    except TelegramError:
        logger.info("Could not delete message %s in chat %s", message.id, message.chat_id)


async def say(update: Update, context: CourtyardContext, text: str, **kwargs: object) -> None:
    """Post in the update's chat without quoting (the quoted message may be gone)."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, **kwargs)  # type: ignore[arg-type]


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Answer the message that triggered this update (quietly does nothing without one)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, **kwargs)  # type: ignore[arg-type]


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == Chat.PRIVATE


def sender_id(update: Update) -> int:
    """The id of whoever caused this update (handlers are only registered for user updates)."""
    user = update.effective_user
    if user is None:
        raise ValueError("update has no sender")
    return user.id


def deep_link(context: CourtyardContext, payload: str) -> str:
    """`https://t.me/<bot>?start=<payload>`: opens a private chat with the bot."""
    return helpers.create_deep_linked_url(context.bot.username, payload)


async def building_of_chat(update: Update, context: CourtyardContext) -> Building | None:
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        return None
    return await context.services.buildings.for_chat(chat.id)


async def may_manage(update: Update, context: CourtyardContext, building: Building | None) -> bool:
    """Heads and admins of the building, or (before a building is linked) group admins."""
    user_id = sender_id(update)
    if building is None:
        return await is_chat_admin(update, context)
    return await context.services.access.may_manage(context.bot, user_id, building)


def refusal(_: Translator) -> str:
    return _("Sorry, only building heads and community admins can do that.")


def not_linked(_: Translator) -> str:
    return escape(
        _(
            "This chat is not linked to a building yet. A group administrator can link it with "
            "/setup <building name>."
        )
    )


MESSAGE_BUDGET = 4000  # Telegram allows 4096 UTF-16 units; keep room for markup


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def chunk_lines(lines: list[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Join lines into messages that each fit Telegram's limit, never splitting a line's
    HTML (a single over-long line is cut at a plain-text boundary by its producer)."""
    whole = "\n".join(lines)
    if utf16_length(whole) < budget:  # the usual case: one message (a length, not one a line)
        return [whole] if lines else []
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = utf16_length(line) + 1
        if current and size + length > budget:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        chunks.append("\n".join(current))
    return chunks


async def reply_long(update: Update, lines: list[str], **kwargs: object) -> None:
    """Reply with as many messages as the lines need; markup goes on the last one."""
    chunks = chunk_lines(lines)
    for index, chunk in enumerate(chunks):
        extra = kwargs if index == len(chunks) - 1 else {}
        await reply(update, chunk, **extra)


async def answer_quietly(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answer a button press; a replayed (too old) query is not an error worth raising."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        logger.info("Could not answer a callback query: %s", exc)


async def edit_quietly(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed message; "not modified" (a double tap) is fine."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not edit a message: %s", exc)
