"""Reading chats and their members, and leaving groups."""

from __future__ import annotations

from bot.sandbox.errors import bad_request
from bot.sandbox.members import member_json, member_update
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import Json, SimChat
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState

_GROUP_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_invite_users",
)
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _full_info(state: EmulatorState, chat: SimChat) -> Json:
    info: Json = {
        **chat.to_json(),
        "accent_color_id": abs(chat.id) % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_NO_GIFTS),
    }
    if chat.is_group:
        info["permissions"] = dict.fromkeys(_GROUP_PERMISSIONS, True)
        if chat.description:
            info["description"] = chat.description
        if chat.migrated_from is not None:
            info["has_visible_history"] = True
    pinned = [m for m in chat.history.values() if m.pinned and not m.deleted]
    if pinned:
        info["pinned_message"] = pinned[-1].to_json(with_reply=False)
    return info


def _member_chat(state: EmulatorState, params: Params) -> SimChat:
    chat = state.chat_param(params)
    if chat.migrated_to is not None:
        state.check_bot_can_write(chat)
    if chat.is_group and not chat.is_present(state.bot_user.id):
        state.check_bot_can_write(chat)
    return chat


@api_method("getChat")
async def get_chat(state: EmulatorState, params: Params) -> Json:
    """The ChatFullInfo of a chat."""
    return _full_info(state, state.chat_param(params))


@api_method("getChatMember")
async def get_chat_member(state: EmulatorState, params: Params) -> Json:
    """A user's ChatMember object in a chat."""
    chat = _member_chat(state, params)
    user = state.users.get(params.integer("user_id", missing="user_id is empty"))
    if user is None:
        raise bad_request("user not found")
    return member_json(chat, user)


@api_method("getChatAdministrators")
async def get_chat_administrators(state: EmulatorState, params: Params) -> list[Json]:
    """The creator and administrators of a group (bots included)."""
    chat = _member_chat(state, params)
    if not chat.is_group:
        return []
    return [
        member_json(chat, state.users[user_id])
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


@api_method("getChatMemberCount")
async def get_chat_member_count(state: EmulatorState, params: Params) -> int:
    """How many users (the bot included) are in the chat."""
    chat = _member_chat(state, params)
    if not chat.is_group:
        return 2
    return sum(1 for user_id in chat.members if chat.is_present(user_id))


@api_method("leaveChat")
async def leave_chat(state: EmulatorState, params: Params) -> bool:
    """The bot leaves a group; a my_chat_member update reports it."""
    chat = state.chat_param(params)
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    state.check_bot_can_write(chat)
    old_status = chat.status_of(state.bot_user.id)
    chat.members[state.bot_user.id] = "left"
    state.emit(
        "my_chat_member",
        member_update(chat, state.bot_user, state.bot_user, old_status, "left", state.now()),
    )
    return True
