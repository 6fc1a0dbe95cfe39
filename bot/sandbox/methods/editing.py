"""Methods that change or remove existing messages: edits, deletion, pins, stopping polls."""

from __future__ import annotations

from bot.sandbox.errors import NOT_MODIFIED, bad_request
from bot.sandbox.methods.content import (
    caption_text,
    editable_message,
    inline_markup_of,
    message_text,
    reply_markup,
)
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import Json, MessageEdit, SentMessage, SimChat
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState


def _remember_previous(state: EmulatorState, message: SentMessage) -> None:
    message.edits.append(
        MessageEdit(message.text, message.caption, message.reply_markup, message.edit_date or 0)
    )
    message.edit_date = state.now()
    state.changed()


def _target(state: EmulatorState, params: Params) -> SentMessage:
    message = editable_message(state, params)
    state.check_bot_can_write(message.chat)
    return message


@api_method("editMessageText")
async def edit_message_text(state: EmulatorState, params: Params) -> Json:
    """Replace a text message's text; like Telegram, omitting reply_markup removes buttons."""
    message = _target(state, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities, parse_mode = message_text(params)
    markup = reply_markup(params)
    if (
        text == message.text
        and entities == message.entities
        and inline_markup_of(markup) == inline_markup_of(message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    _remember_previous(state, message)
    message.text, message.entities, message.parse_mode = text, entities, parse_mode
    message.source = params.optional_text("text")
    message.reply_markup = markup
    return message.to_json()


@api_method("editMessageCaption")
async def edit_message_caption(state: EmulatorState, params: Params) -> Json:
    """Replace a media message's caption (and its buttons, which are dropped if omitted)."""
    message = _target(state, params)
    if message.photo is None and message.document is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities, parse_mode = caption_text(params)
    markup = reply_markup(params)
    if (
        caption == message.caption
        and entities == message.caption_entities
        and inline_markup_of(markup) == inline_markup_of(message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    _remember_previous(state, message)
    message.caption, message.caption_entities, message.parse_mode = caption, entities, parse_mode
    message.source = params.optional_text("caption")
    message.reply_markup = markup
    return message.to_json()


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: EmulatorState, params: Params) -> Json:
    """Replace (or, without reply_markup, remove) a message's inline keyboard."""
    message = _target(state, params)
    markup = reply_markup(params)
    if inline_markup_of(markup) == inline_markup_of(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    _remember_previous(state, message)
    message.reply_markup = markup
    return message.to_json()


def _bot_is_admin(state: EmulatorState, chat: SimChat) -> bool:
    return chat.status_of(state.bot_user.id) in ("administrator", "creator")


def _delete(state: EmulatorState, chat: SimChat, message_id: int) -> None:
    message = state.message_in(chat, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    if chat.is_group and not message.from_bot and not _bot_is_admin(state, chat):
        raise bad_request("message can't be deleted")
    message.deleted = True
    state.changed()


@api_method("deleteMessage")
async def delete_message(state: EmulatorState, params: Params) -> bool:
    """Delete a message; others' messages in groups need the bot to be an admin."""
    chat = state.chat_param(params)
    _delete(
        state, chat, params.integer("message_id", missing="message identifier is not specified")
    )
    return True


@api_method("deleteMessages")
async def delete_messages(state: EmulatorState, params: Params) -> bool:
    """Delete several messages, skipping those that cannot be deleted, like Telegram."""
    chat = state.chat_param(params)
    message_ids = params.json_value("message_ids")
    if not isinstance(message_ids, list) or not message_ids:
        raise bad_request("message identifiers are not specified")
    for message_id in message_ids:
        message = state.message_in(chat, int(message_id))
        if message is not None and (
            message.from_bot or not chat.is_group or _bot_is_admin(state, chat)
        ):
            message.deleted = True
    state.changed()
    return True


def _check_pin_rights(state: EmulatorState, chat: SimChat) -> None:
    state.check_bot_can_write(chat)
    if chat.is_group and not _bot_is_admin(state, chat):
        raise bad_request("not enough rights to manage pinned messages in the chat")


@api_method("pinChatMessage")
async def pin_chat_message(state: EmulatorState, params: Params) -> bool:
    """Pin a message and post the "pinned a message" service message."""
    chat = state.chat_param(params)
    _check_pin_rights(state, chat)
    message_id = params.integer("message_id", missing="message identifier is not specified")
    message = state.message_in(chat, message_id)
    if message is None:
        raise bad_request("message to pin not found")
    message.pinned = True
    state.store_message(
        chat, state.bot_user, service={"pinned_message": message.to_json(with_reply=False)}
    )
    return True


@api_method("unpinChatMessage")
async def unpin_chat_message(state: EmulatorState, params: Params) -> bool:
    """Unpin the given message, or the most recently pinned one."""
    chat = state.chat_param(params)
    _check_pin_rights(state, chat)
    message_id = params.optional_integer("message_id")
    pinned = [m for m in chat.history.values() if m.pinned and not m.deleted]
    if message_id is not None:
        pinned = [m for m in pinned if m.message_id == message_id]
        if not pinned:
            raise bad_request("message to unpin not found")
    if pinned:
        pinned[-1].pinned = False
        state.changed()
    return True


@api_method("unpinAllChatMessages")
async def unpin_all_chat_messages(state: EmulatorState, params: Params) -> bool:
    """Unpin every message of a chat."""
    chat = state.chat_param(params)
    _check_pin_rights(state, chat)
    for message in chat.history.values():
        message.pinned = False
    state.changed()
    return True


@api_method("stopPoll")
async def stop_poll(state: EmulatorState, params: Params) -> Json:
    """Close a poll the bot sent and return its final state."""
    chat = state.chat_param(params)
    message_id = params.integer("message_id", missing="message identifier is not specified")
    message = state.message_in(chat, message_id)
    if message is None or message.poll is None or not message.from_bot:
        raise bad_request("message with poll to stop not found")
    if message.poll.is_closed:
        raise bad_request("poll has already been closed")
    markup = reply_markup(params)
    message.poll.is_closed = True
    if markup is not None:
        message.reply_markup = markup
    state.changed()
    return message.poll.to_json()
