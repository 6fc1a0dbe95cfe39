"""ChatMember objects and membership-change payloads as python-telegram-bot parses them."""

from __future__ import annotations

from bot.sandbox.models import Json, MemberStatus, SimChat, SimUser

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def member_json(chat: SimChat, user: SimUser, status: MemberStatus | None = None) -> Json:
    """The ChatMember object of ``user`` in ``chat`` (its current status unless given)."""
    status = status or chat.status_of(user.id)
    data: Json = {"status": status, "user": user.to_json()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                **dict.fromkeys(_ADMIN_RIGHTS, True),
            }
        )
    elif status == "kicked":
        data["until_date"] = 0
    return data


def member_update(
    chat: SimChat,
    actor: SimUser,
    subject: SimUser,
    old_status: MemberStatus,
    new_status: MemberStatus,
    date: int,
) -> Json:
    """A ChatMemberUpdated payload (for ``my_chat_member`` or ``chat_member`` updates)."""
    return {
        "chat": chat.to_json(),
        "from": actor.to_json(),
        "date": date,
        "old_chat_member": member_json(chat, subject, old_status),
        "new_chat_member": member_json(chat, subject, new_status),
    }
