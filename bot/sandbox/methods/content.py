"""Validating what the bot sends: text with parse_mode, reply markup, reply targets."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.html_check import HtmlParseError, parse_html
from bot.sandbox.models import Json, SentMessage, SimChat
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState
from bot.sandbox.text import Entity, strip_with_entities, utf16_len

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
_PARSE_MODES = {"html", "markdown", "markdownv2"}
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "callback_game",
    "pay",
    "copy_text",
)


def formatted_text(
    params: Params, *, field: str, entities_field: str, parse_mode_field: str = "parse_mode"
) -> tuple[str, list[Entity], str | None]:
    """(plain text, entities, parse_mode) of a text or caption parameter.

    HTML is validated and converted like Telegram does; Markdown modes are accepted as they
    are (their text is kept unparsed).
    """
    raw = params.optional_text(field) or ""
    parse_mode = params.optional_text(parse_mode_field)
    if parse_mode is not None and parse_mode.lower() not in _PARSE_MODES:
        raise bad_request("unsupported parse_mode")
    if parse_mode is not None and parse_mode.lower() == "html":
        try:
            text, entities = parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    else:
        text, entities = raw, list(params.json_value(entities_field) or [])
    text, entities = strip_with_entities(text, entities)
    return text, entities, parse_mode


def message_text(params: Params) -> tuple[str, list[Entity], str | None]:
    """The ``text`` of sendMessage/editMessageText, with Telegram's emptiness and length rules."""
    text, entities, parse_mode = formatted_text(params, field="text", entities_field="entities")
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MESSAGE_LIMIT:
        raise bad_request("message is too long")
    return text, entities, parse_mode


def caption_text(params: Params) -> tuple[str | None, list[Entity], str | None]:
    """The optional ``caption`` of media messages (None when absent or blank)."""
    text, entities, parse_mode = formatted_text(
        params, field="caption", entities_field="caption_entities"
    )
    if utf16_len(text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return (text or None), entities, parse_mode


def reply_markup(params: Params) -> Json | None:
    """The parsed ``reply_markup``, validated the way Telegram validates inline keyboards."""
    markup = params.json_value("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif not ({"keyboard", "remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = [action for action in _BUTTON_ACTIONS if action in button]
            if len(actions) != 1:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def inline_markup_of(markup: Json | None) -> Json | None:
    """The part of a stored reply markup that a Message shows (only inline keyboards)."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def reply_target(state: EmulatorState, chat: SimChat, params: Params) -> int | None:
    """The message id a send replies to, from reply_parameters or reply_to_message_id."""
    reply = params.json_value("reply_parameters")
    allow_missing = params.flag("allow_sending_without_reply")
    if isinstance(reply, dict):
        target_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        target_chat_ref = reply.get("chat_id")
        if target_chat_ref is not None and state.find_chat(target_chat_ref) is not chat:
            raise bad_request("the sandbox only supports replies within the same chat")
    else:
        target_id = params.optional_integer("reply_to_message_id")
    if target_id is None:
        return None
    if state.message_in(chat, int(target_id)) is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return int(target_id)


def editable_message(state: EmulatorState, params: Params) -> SentMessage:
    """The bot's message that an edit call targets, or the error Telegram gives."""
    if "inline_message_id" in params:
        raise bad_request("inline messages are not supported by the sandbox")
    chat = state.chat_param(params)
    message_id = params.integer("message_id", missing="message identifier is not specified")
    message = state.message_in(chat, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def extra_send_params(params: Params) -> Json:
    """Send options the emulator does not act on but keeps for assertions."""
    names = (
        "link_preview_options",
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "message_thread_id",
    )
    return {name: params.values[name] for name in names if name in params.values}
