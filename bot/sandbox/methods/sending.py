"""Methods that post new messages: text, photo, document, poll, copies and forwards."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.media import TINY_PNG
from bot.sandbox.methods.content import (
    caption_text,
    extra_send_params,
    message_text,
    reply_markup,
    reply_target,
)
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import Json, SentMessage, SimChat, SimPoll, StoredFile
from bot.sandbox.params import Params, UploadedFile
from bot.sandbox.state import EmulatorState

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_WRONG_FILE = "wrong file identifier/HTTP URL specified"


def _post(state: EmulatorState, chat: SimChat, params: Params, **fields: Any) -> SentMessage:
    """Store a message from the bot with the reply and markup options every send shares."""
    return state.store_message(
        chat,
        state.bot_user,
        reply_to=reply_target(state, chat, params),
        reply_markup=reply_markup(params),
        extra_params=extra_send_params(params),
        **fields,
    )


@api_method("sendMessage")
async def send_message(state: EmulatorState, params: Params) -> Json:
    """Send a text message."""
    chat = state.writable_chat(params)
    text, entities, parse_mode = message_text(params)
    message = _post(
        state,
        chat,
        params,
        text=text,
        entities=entities,
        parse_mode=parse_mode,
        source=params.optional_text("text"),
    )
    return message.to_json()


def _photo_sizes(state: EmulatorState, photo: UploadedFile | str) -> list[Json]:
    if isinstance(photo, UploadedFile):
        return state.files.add_photo(photo.content)
    if photo.startswith(("http://", "https://")):
        # No network here: a URL photo becomes a placeholder image.
        return state.files.add_photo(TINY_PNG)
    sizes = state.files.photo_sizes(photo)
    if sizes is None:
        if state.files.get(photo) is not None:
            raise bad_request("can't use file of type Document as Photo")
        raise bad_request(_WRONG_FILE)
    return copy.deepcopy(sizes)


@api_method("sendPhoto")
async def send_photo(state: EmulatorState, params: Params) -> Json:
    """Send a photo given as an upload, a known file_id or a URL."""
    chat = state.writable_chat(params)
    photo = _photo_sizes(state, params.file("photo"))
    caption, entities, parse_mode = caption_text(params)
    message = _post(
        state,
        chat,
        params,
        photo=photo,
        caption=caption,
        caption_entities=entities,
        parse_mode=parse_mode,
        source=params.optional_text("caption"),
    )
    return message.to_json()


def _document_file(state: EmulatorState, document: UploadedFile | str) -> StoredFile:
    if isinstance(document, UploadedFile):
        return state.files.add(
            document.content,
            "document",
            filename=document.filename,
            mime_type=document.mime_type or "application/octet-stream",
        )
    if document.startswith(("http://", "https://")):
        filename = document.rstrip("/").rsplit("/", 1)[-1] or "file"
        return state.files.add(b"", "document", filename=filename)
    stored = state.files.get(document)
    if stored is None:
        raise bad_request(_WRONG_FILE)
    if state.files.photo_sizes(document) is not None:
        raise bad_request("can't use file of type Photo as Document")
    return stored


@api_method("sendDocument")
async def send_document(state: EmulatorState, params: Params) -> Json:
    """Send a document; its bytes and file name stay available to tests and getFile."""
    chat = state.writable_chat(params)
    document = _document_file(state, params.file("document"))
    caption, entities, parse_mode = caption_text(params)
    message = _post(
        state,
        chat,
        params,
        document=document,
        caption=caption,
        caption_entities=entities,
        parse_mode=parse_mode,
        source=params.optional_text("caption"),
    )
    return message.to_json()


def _poll_options(params: Params) -> list[str]:
    raw_options = params.json_value("options")
    if not isinstance(raw_options, list):
        raise bad_request("poll options must be an array")
    options = [
        str(option.get("text", "")) if isinstance(option, dict) else str(option)
        for option in raw_options
    ]
    if len(options) < 2:
        raise bad_request("poll must have at least 2 option")
    if len(options) > 12:
        raise bad_request("poll can't have more than 12 options")
    if any(not 1 <= len(option) <= 100 for option in options):
        raise bad_request("poll options length must not exceed 100")
    return options


@api_method("sendPoll")
async def send_poll(state: EmulatorState, params: Params) -> Json:
    """Send a regular or quiz poll."""
    chat = state.writable_chat(params)
    question = params.text("question", missing="poll question must be non-empty")
    if len(question) > 300:
        raise bad_request("poll question length must not exceed 300")
    poll_type = params.optional_text("type") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    options = _poll_options(params)
    correct = params.optional_integer("correct_option_id")
    correct_ids = params.json_value("correct_option_ids")
    if correct is None and isinstance(correct_ids, list) and correct_ids:
        correct = int(correct_ids[0])
    if poll_type == "quiz" and (correct is None or not 0 <= correct < len(options)):
        raise bad_request("wrong poll correct option id specified")
    poll = SimPoll(
        id=state.next_poll_id(),
        question=question,
        options=options,
        is_anonymous=params.flag("is_anonymous", True),
        type=poll_type,
        allows_multiple_answers=params.flag("allows_multiple_answers"),
        correct_option_id=correct if poll_type == "quiz" else None,
        is_closed=params.flag("is_closed"),
        allows_revoting=params.flag("allows_revoting", poll_type == "regular"),
        members_only=params.flag("members_only"),
    )
    message = _post(state, chat, params, poll=poll)
    state.polls[poll.id] = (poll, message)
    return message.to_json()


def _source_message(state: EmulatorState, params: Params, action: str) -> SentMessage:
    source_chat = state.chat_param(params, "from_chat_id")
    message_id = params.integer("message_id", missing="message identifier is not specified")
    message = state.message_in(source_chat, message_id)
    if message is None:
        raise bad_request(f"message to {action} not found")
    if message.service or message.poll is not None:
        raise bad_request(
            f"message can't be {action}ed" if action == "forward" else "message can't be copied"
        )
    return message


@api_method("copyMessage")
async def copy_message(state: EmulatorState, params: Params) -> Json:
    """Repost a message's content without a link to the original; returns its MessageId."""
    chat = state.writable_chat(params)
    source = _source_message(state, params, "copy")
    caption, caption_entities = source.caption, source.caption_entities
    if "caption" in params:
        caption, caption_entities, _ = caption_text(params)
    message = _post(
        state,
        chat,
        params,
        text=source.text,
        entities=copy.deepcopy(source.entities),
        caption=caption,
        caption_entities=copy.deepcopy(caption_entities),
        photo=copy.deepcopy(source.photo),
        document=source.document,
    )
    return {"message_id": message.message_id}


@api_method("forwardMessage")
async def forward_message(state: EmulatorState, params: Params) -> Json:
    """Forward a message, marking where it came from."""
    chat = state.writable_chat(params)
    source = _source_message(state, params, "forward")
    message = state.store_message(
        chat,
        state.bot_user,
        text=source.text,
        entities=copy.deepcopy(source.entities),
        caption=source.caption,
        caption_entities=copy.deepcopy(source.caption_entities),
        photo=copy.deepcopy(source.photo),
        document=source.document,
        forward_origin={
            "type": "user",
            "sender_user": source.sender.to_json(),
            "date": source.date,
        },
    )
    return message.to_json()


@api_method("sendChatAction")
async def send_chat_action(state: EmulatorState, params: Params) -> bool:
    """Accept a "typing…"-style status; nothing is stored."""
    state.writable_chat(params)
    if params.optional_text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
