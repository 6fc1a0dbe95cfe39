"""What simulated users do: write, edit, press buttons, vote, start and block the bot."""

from __future__ import annotations

from typing import Any

from bot.sandbox.media import TINY_PNG
from bot.sandbox.members import member_update
from bot.sandbox.models import CallbackQueryRecord, Json, SentMessage, SimChat, SimUser
from bot.sandbox.state import EmulatorState
from bot.sandbox.text import detect_entities, entity_text

MessageRef = SentMessage | Json
ChatRef = SimChat | SimUser


def chat_of(state: EmulatorState, target: ChatRef) -> SimChat:
    """A chat, or the private chat with a user when given a user."""
    return state.private_chat(target) if isinstance(target, SimUser) else target


def resolve_message(state: EmulatorState, ref: MessageRef) -> SentMessage:
    """The stored message a test refers to by record or by Message JSON."""
    if isinstance(ref, SentMessage):
        return ref
    chat = state.chats.get(int(ref["chat"]["id"]))
    message = None if chat is None else chat.history.get(int(ref["message_id"]))
    if message is None:
        raise ValueError(f"unknown message {ref.get('message_id')} in chat {ref.get('chat')}")
    return message


def delivers_to_bot(state: EmulatorState, message: SentMessage) -> bool:
    """Whether Telegram would hand this message to the bot (privacy mode rules in groups)."""
    chat = message.chat
    bot = state.bot_user
    if not chat.is_group:
        return True
    if not chat.is_present(bot.id):
        return bool(message.service.get("left_chat_member", {}).get("id") == bot.id)
    if message.service or not state.privacy_mode:
        return True
    if chat.status_of(bot.id) in ("administrator", "creator"):
        return True
    if message.reply_to is not None:
        replied = chat.history.get(message.reply_to)
        if replied is not None and replied.from_bot:
            return True
    return _addresses_bot(message, (bot.username or "").lower())


def _addresses_bot(message: SentMessage, bot_username: str) -> bool:
    text = message.text if message.text is not None else (message.caption or "")
    entities = message.entities if message.text is not None else message.caption_entities
    for entity in entities:
        fragment = entity_text(text, entity).lower()
        if entity["type"] == "bot_command" and entity["offset"] == 0:
            _, _, addressee = fragment.partition("@")
            if addressee in ("", bot_username):
                return True
        if entity["type"] == "mention" and fragment == f"@{bot_username}":
            return True
    return False


def deliver(state: EmulatorState, kind: str, message: SentMessage) -> None:
    """Queue a message-type update if the bot would receive it."""
    if delivers_to_bot(state, message):
        state.emit(kind, message.to_json())


def post_user_message(
    state: EmulatorState,
    user: SimUser,
    target: ChatRef,
    text: str | None = None,
    *,
    reply_to: MessageRef | int | None = None,
    photo: bool | bytes = False,
    caption: str | None = None,
    document: tuple[str, bytes] | None = None,
) -> SentMessage:
    """Store a message a user writes and deliver it to the bot when Telegram would."""
    chat = chat_of(state, target)
    _check_user_can_write(state, user, chat)
    fields: dict[str, Any] = {}
    if photo is not False or document is not None:
        if text is not None:
            raise ValueError("a photo or document message has a caption, not a text")
        fields["caption"] = caption
        fields["caption_entities"] = detect_entities(caption or "")
        if photo is not False:
            fields["photo"] = state.files.add_photo(TINY_PNG if photo is True else photo)
        if document is not None:
            filename, content = document
            fields["document"] = state.files.add(content, "document", filename=filename)
    else:
        if not text:
            raise ValueError("a text message needs non-empty text")
        fields["text"] = text
        fields["entities"] = detect_entities(text)
    if reply_to is not None:
        fields["reply_to"] = (
            reply_to if isinstance(reply_to, int) else _message_id(state, reply_to)
        )
    message = state.store_message(chat, user, **fields)
    deliver(state, "message", message)
    return message


def _message_id(state: EmulatorState, ref: MessageRef) -> int:
    return resolve_message(state, ref).message_id


def _check_user_can_write(state: EmulatorState, user: SimUser, chat: SimChat) -> None:
    if chat.type == "private":
        if chat.id != user.id:
            raise ValueError(f"{user.full_name} cannot write in another user's private chat")
        if user.blocked_bot:
            raise ValueError(f"{user.full_name} blocked the bot; call unblock_bot() first")
        user.started_bot = True
    elif not chat.is_present(user.id):
        raise ValueError(f"{user.full_name} is not a member of {chat.title!r}")
    if chat.migrated_to is not None:
        raise ValueError(f"{chat.title!r} was upgraded to supergroup {chat.migrated_to}")


def start_bot(state: EmulatorState, user: SimUser, payload: str | None) -> SentMessage:
    """The user opens the bot and presses Start (optionally through a deep link)."""
    if user.blocked_bot:
        unblock_bot(state, user)
    user.started_bot = True
    text = "/start" if payload is None else f"/start {payload}"
    return post_user_message(state, user, user, text)


def block_bot(state: EmulatorState, user: SimUser) -> None:
    """The user blocks the bot; the bot gets a my_chat_member update (member → kicked)."""
    if user.blocked_bot:
        return
    user.blocked_bot = True
    chat = state.private_chat(user)
    state.emit(
        "my_chat_member",
        member_update(chat, user, state.bot_user, "member", "kicked", state.now()),
    )


def unblock_bot(state: EmulatorState, user: SimUser) -> None:
    """The user unblocks the bot; the bot gets a my_chat_member update (kicked → member)."""
    if not user.blocked_bot:
        return
    user.blocked_bot = False
    chat = state.private_chat(user)
    state.emit(
        "my_chat_member",
        member_update(chat, user, state.bot_user, "kicked", "member", state.now()),
    )


def edit_user_message(
    state: EmulatorState, user: SimUser, ref: MessageRef, new_text: str
) -> SentMessage:
    """The author edits a text message (or a caption); queues an ``edited_message`` update."""
    message = resolve_message(state, ref)
    if message.sender is not user:
        raise ValueError("users can only edit their own messages")
    if message.deleted:
        raise ValueError("the message was deleted")
    if message.text is not None:
        message.text, message.entities = new_text, detect_entities(new_text)
    else:
        message.caption, message.caption_entities = new_text, detect_entities(new_text)
    message.edit_date = state.now()
    state.changed()
    deliver(state, "edited_message", message)
    return message


def chat_instance(chat: SimChat) -> str:
    """A stable opaque identifier of a chat, as sent with callback queries."""
    return str((abs(chat.id) * 2_654_435_761) % 10**19)


def press_button(
    state: EmulatorState,
    user: SimUser,
    ref: MessageRef,
    callback_data: str | None,
    button_text: str | None,
    *,
    stale: bool = False,
) -> str:
    """The user taps an inline button of one of the bot's messages; returns the query id.

    `stale` presses `callback_data` even though the message no longer shows that button,
    as an old client (or a forged request) can.
    """
    message = resolve_message(state, ref)
    if message.deleted or not message.from_bot:
        raise ValueError("only buttons of the bot's existing messages can be pressed")
    if message.chat.is_group and not message.chat.is_present(user.id):
        raise ValueError(f"{user.full_name} is not in {message.chat.title!r}")
    if button_text is not None:
        callback_data = message.button(button_text).get("callback_data")
    if callback_data is None or (not stale and callback_data not in message.callback_data):
        raise ValueError(
            f"message {message.message_id} has no button with callback_data "
            f"{callback_data!r}; it has {message.callback_data}"
        )
    query_id = state.next_callback_id()
    state.callback_queries[query_id] = CallbackQueryRecord(query_id, user, message, callback_data)
    state.emit(
        "callback_query",
        {
            "id": query_id,
            "from": user.to_json(),
            "message": message.to_json(),
            "chat_instance": chat_instance(message.chat),
            "data": callback_data,
        },
    )
    return query_id


def vote_poll(state: EmulatorState, user: SimUser, ref: MessageRef, option_ids: list[int]) -> None:
    """The user votes (or, with no options, retracts the vote) on one of the bot's polls."""
    message = resolve_message(state, ref)
    poll = message.poll
    if poll is None or message.deleted:
        raise ValueError("that message has no poll")
    if poll.is_closed:
        raise ValueError("the poll is closed")
    if len(option_ids) > 1 and not poll.allows_multiple_answers:
        raise ValueError("the poll allows a single answer")
    if any(not 0 <= option < len(poll.options) for option in option_ids):
        raise ValueError(f"option ids must be in range(0, {len(poll.options)})")
    if poll.votes.get(user.id) and not poll.allows_revoting:
        raise ValueError("the poll does not allow changing a vote")
    poll.votes[user.id] = list(option_ids)
    state.emit("poll", poll.to_json())
    if not poll.is_anonymous:
        state.emit(
            "poll_answer",
            {
                "poll_id": poll.id,
                "user": user.to_json(),
                "option_ids": list(option_ids),
                "option_persistent_ids": [str(option) for option in option_ids],
            },
        )


def pin_message(state: EmulatorState, user: SimUser, ref: MessageRef) -> SentMessage:
    """A group administrator pins a message: the "pinned a message" service message is
    posted (and delivered to the bot); returns it."""
    message = resolve_message(state, ref)
    chat = message.chat
    if message.deleted or not chat.is_group:
        raise ValueError("only existing group messages can be pinned")
    if chat.status_of(user.id) not in ("administrator", "creator"):
        raise ValueError(f"{user.full_name} is not an administrator of {chat.title!r}")
    message.pinned = True
    service = state.store_message(
        chat, user, service={"pinned_message": message.to_json(with_reply=False)}
    )
    deliver(state, "message", service)
    return service
