"""JSON views of the emulator's records for the driver API, and the command menu a user sees."""

from __future__ import annotations

from bot.sandbox.models import Json, SentMessage, SimChat, SimUser
from bot.sandbox.state import EmulatorState

FILES_PATH = "/sandbox/files"


def user_view(user: SimUser) -> Json:
    """A user as Telegram describes them, plus whether they started or blocked the bot."""
    return {**user.to_json(), "started_bot": user.started_bot, "blocked_bot": user.blocked_bot}


def chat_view(chat: SimChat) -> Json:
    """A chat with its members' statuses (groups) or its user (private chats)."""
    data: Json = {**chat.to_json(), "message_count": len(chat.history)}
    if chat.is_group:
        data["members"] = {str(user_id): status for user_id, status in chat.members.items()}
    if chat.migrated_to is not None:
        data["migrated_to"] = chat.migrated_to
    return data


def file_url(file_id: str) -> str:
    """Where the page and scripts download a file's bytes."""
    return f"{FILES_PATH}/{file_id}"


def message_view(message: SentMessage) -> Json:
    """The Message JSON plus what a client shows: deleted, pinned, edited, file links."""
    data = message.to_json()
    data.update(
        {
            "from_bot": message.from_bot,
            "deleted": message.deleted,
            "pinned": message.pinned,
            "edits": len(message.edits),
        }
    )
    if message.photo:
        data["photo_url"] = file_url(message.photo[-1]["file_id"])
    if message.document is not None:
        data["document_url"] = file_url(message.document.file_id)
    return data


def command_menu(state: EmulatorState, chat: SimChat, user: SimUser) -> list[Json]:
    """The commands Telegram's menu shows ``user`` in ``chat``: the most specific scope the
    bot set a list for, in the user's language when there is one."""
    for scope in _scopes(chat, user):
        for language in (user.language_code or "", ""):
            commands = state.commands.get((scope, language))
            if commands:
                return list(commands)
    return []


def _scopes(chat: SimChat, user: SimUser) -> list[str]:
    if not chat.is_group:
        return [f"chat;chat_id={chat.id}", "all_private_chats", "default"]
    admin = chat.status_of(user.id) in ("administrator", "creator")
    scopes = [f"chat_member;chat_id={chat.id};user_id={user.id}"]
    if admin:
        scopes.append(f"chat_administrators;chat_id={chat.id}")
    scopes.append(f"chat;chat_id={chat.id}")
    if admin:
        scopes.append("all_chat_administrators")
    return [*scopes, "all_group_chats", "default"]
