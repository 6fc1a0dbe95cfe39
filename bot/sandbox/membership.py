"""Group life: creating groups, joining and leaving, promotions, supergroup migration."""

from __future__ import annotations

from collections.abc import Iterable

from bot.sandbox.actions import deliver
from bot.sandbox.members import member_update
from bot.sandbox.models import MemberStatus, SimChat, SimUser
from bot.sandbox.state import EmulatorState

_ADMIN_STATUSES = ("administrator", "creator")


def create_group(
    state: EmulatorState,
    title: str,
    *,
    members: Iterable[SimUser],
    admins: Iterable[SimUser],
    creator: SimUser | None,
    supergroup: bool,
    bot_status: MemberStatus,
    username: str | None,
    description: str | None,
) -> SimChat:
    """A group that already exists when the test begins: no updates are produced."""
    chat = state.add_group(title, "supergroup" if supergroup else "group", username)
    chat.description = description
    for user in members:
        _set_status(chat, user, "member")
    for user in admins:
        _set_status(chat, user, "administrator")
    if creator is not None:
        _set_status(chat, creator, "creator")
    _set_status(chat, state.bot_user, bot_status)
    state.changed()
    return chat


def _set_status(chat: SimChat, user: SimUser, status: MemberStatus) -> MemberStatus:
    old_status = chat.status_of(user.id)
    chat.members[user.id] = status
    chat.member_users[user.id] = user
    return old_status


def _report_member_change(
    state: EmulatorState,
    chat: SimChat,
    actor: SimUser,
    subject: SimUser,
    old_status: MemberStatus,
    new_status: MemberStatus,
) -> None:
    """Queue my_chat_member (about the bot) or chat_member (about others, bot must be admin)."""
    payload = member_update(chat, actor, subject, old_status, new_status, state.now())
    if subject is state.bot_user:
        state.emit("my_chat_member", payload)
    elif chat.status_of(state.bot_user.id) in _ADMIN_STATUSES:
        state.emit("chat_member", payload)
    state.changed()


def _service_message(
    state: EmulatorState, chat: SimChat, actor: SimUser, **service: object
) -> None:
    message = state.store_message(chat, actor, service=dict(service))
    deliver(state, "message", message)


def add_bot(state: EmulatorState, chat: SimChat, by_user: SimUser, *, as_admin: bool) -> None:
    """``by_user`` adds the bot: my_chat_member, then the new_chat_members service message."""
    new_status: MemberStatus = "administrator" if as_admin else "member"
    old_status = _set_status(chat, state.bot_user, new_status)
    _report_member_change(state, chat, by_user, state.bot_user, old_status, new_status)
    _service_message(state, chat, by_user, new_chat_members=[state.bot_user.to_json()])


def remove_bot(state: EmulatorState, chat: SimChat, by_user: SimUser) -> None:
    """``by_user`` removes the bot (banned in supergroups, as Telegram does)."""
    new_status: MemberStatus = "kicked" if chat.type == "supergroup" else "left"
    old_status = _set_status(chat, state.bot_user, new_status)
    _report_member_change(state, chat, by_user, state.bot_user, old_status, new_status)
    _service_message(state, chat, by_user, left_chat_member=state.bot_user.to_json())


def add_member(
    state: EmulatorState, chat: SimChat, user: SimUser, by_user: SimUser | None
) -> None:
    """A user joins (or is added by ``by_user``); a new_chat_members service message follows."""
    actor = by_user or user
    old_status = _set_status(chat, user, "member")
    _report_member_change(state, chat, actor, user, old_status, "member")
    _service_message(state, chat, actor, new_chat_members=[user.to_json()])


def remove_member(
    state: EmulatorState, chat: SimChat, user: SimUser, by_user: SimUser | None
) -> None:
    """A user leaves (or ``by_user`` removes them, which bans them)."""
    actor = by_user or user
    new_status: MemberStatus = "left" if actor is user else "kicked"
    old_status = _set_status(chat, user, new_status)
    _report_member_change(state, chat, actor, user, old_status, new_status)
    _service_message(state, chat, actor, left_chat_member=user.to_json())


def change_rank(
    state: EmulatorState,
    chat: SimChat,
    user: SimUser,
    by_user: SimUser | None,
    new_status: MemberStatus,
) -> None:
    """Promote to administrator or demote to member (the bot itself included)."""
    actor = by_user or _creator(chat) or user
    old_status = _set_status(chat, user, new_status)
    _report_member_change(state, chat, actor, user, old_status, new_status)


def _creator(chat: SimChat) -> SimUser | None:
    return next(
        (chat.member_users[uid] for uid, status in chat.members.items() if status == "creator"),
        None,
    )


def migrate(state: EmulatorState, chat: SimChat, by_user: SimUser | None) -> SimChat:
    """Upgrade a basic group: service messages in both chats, members carried over."""
    if chat.type != "group" or chat.migrated_to is not None:
        raise ValueError("only a basic group that was not migrated yet can be upgraded")
    actor = by_user or _creator(chat)
    if actor is None:
        raise ValueError("pass by_user: the group has no creator to perform the upgrade")
    supergroup = state.add_group(chat.title or "", "supergroup", chat.username)
    supergroup.description = chat.description
    supergroup.migrated_from = chat.id
    for user_id, status in chat.members.items():
        _set_status(supergroup, chat.member_users[user_id], status)
    _service_message(state, chat, actor, migrate_to_chat_id=supergroup.id)
    chat.migrated_to = supergroup.id
    _service_message(state, supergroup, actor, migrate_from_chat_id=chat.id)
    return supergroup
