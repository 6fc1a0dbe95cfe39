"""Everything the emulated Telegram knows, plus the rules for who may write where."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from bot.sandbox.errors import bad_request, forbidden
from bot.sandbox.media import FileStore
from bot.sandbox.models import (
    ApiCall,
    CallbackQueryRecord,
    ChatType,
    Json,
    SentMessage,
    SimChat,
    SimPoll,
    SimUser,
)
from bot.sandbox.notifier import ChangeNotifier
from bot.sandbox.params import Params
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookPusher

FIRST_USER_ID = 6_100_000_001
FIRST_GROUP_ID = -4_100_000_001
FIRST_SUPERGROUP_ID = -1_002_100_000_001


class EmulatorState:
    """Users, chats, messages, files, queued updates and the log of API calls."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_name: str,
        privacy_mode: bool,
        clock: Callable[[], float],
    ) -> None:
        bot_id_text = token.split(":", 1)[0]
        if not bot_id_text.isdigit():
            raise ValueError(f"a bot token starts with the bot's numeric id, got {token!r}")
        self.token = token
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.bot_user = SimUser(int(bot_id_text), bot_name, bot_username, is_bot=True)
        self.notifier = ChangeNotifier()
        self.stopping = asyncio.Event()
        self.updates = UpdateQueue(self.notifier)
        self.webhook = WebhookPusher(self.updates, self.notifier, clock)
        self.files = FileStore()
        self.users: dict[int, SimUser] = {self.bot_user.id: self.bot_user}
        self.chats: dict[int, SimChat] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.polls: dict[str, tuple[SimPoll, SentMessage]] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.calls: list[ApiCall] = []
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(FIRST_GROUP_ID, -1)
        self._supergroup_ids = itertools.count(FIRST_SUPERGROUP_ID, -1)
        self._callback_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)

    def now(self) -> int:
        """The current time in whole seconds, as in Telegram's ``date`` fields."""
        return int(self.clock())

    def changed(self) -> None:
        """Wake everything waiting for a state change."""
        self.notifier.notify()

    # -- identities ---------------------------------------------------------------------------

    def add_user(self, user_fields: dict[str, Any]) -> SimUser:
        """Register a new simulated user with the next free id."""
        user = SimUser(id=next(self._user_ids), **user_fields)
        self.users[user.id] = user
        return user

    def add_group(self, title: str, chat_type: ChatType, username: str | None) -> SimChat:
        """Register a new, empty group or supergroup."""
        ids = self._supergroup_ids if chat_type == "supergroup" else self._group_ids
        chat = SimChat(id=next(ids), type=chat_type, title=title, username=username)
        self.chats[chat.id] = chat
        return chat

    def private_chat(self, user: SimUser) -> SimChat:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = SimChat(id=user.id, type="private", user=user)
            self.chats[user.id] = chat
        return chat

    def next_callback_id(self) -> str:
        """A fresh callback query id (Telegram uses long decimal strings)."""
        return str(4_500_000_000_000_000_000 + next(self._callback_ids))

    def next_poll_id(self) -> str:
        """A fresh poll id."""
        return str(5_300_000_000_000_000_000 + next(self._poll_ids))

    # -- resolving chats in API calls -----------------------------------------------------------

    def find_chat(self, chat_ref: int | str) -> SimChat | None:
        """A chat by numeric id or public @username, creating private chats on demand."""
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            username = chat_ref[1:].lower()
            return next(
                (c for c in self.chats.values() if (c.username or "").lower() == username),
                None,
            )
        try:
            chat_id = int(chat_ref)
        except ValueError:
            return None
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.users and chat_id != self.bot_user.id:
            chat = self.private_chat(self.users[chat_id])
        return chat

    def chat_param(self, params: Params, name: str = "chat_id") -> SimChat:
        """The chat a call names, or 400 "chat not found"."""
        chat_ref = params.text(name, missing=f"{name} is empty")
        chat = self.find_chat(chat_ref)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, params: Params, name: str = "chat_id") -> SimChat:
        """The chat a call writes to, after Telegram's access checks."""
        chat = self.chat_param(params, name)
        self.check_bot_can_write(chat)
        return chat

    def check_bot_can_write(self, chat: SimChat) -> None:
        """Raise the error Telegram gives when the bot may not post into ``chat``."""
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            assert chat.user is not None
            if chat.user.blocked_bot:
                raise forbidden("bot was blocked by the user")
            if not chat.user.started_bot:
                raise forbidden("bot can't initiate conversation with a user")
            return
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        status = chat.status_of(self.bot_user.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if status == "left":
            raise forbidden(f"bot is not a member of the {kind}")

    def message_in(self, chat: SimChat, message_id: int) -> SentMessage | None:
        """A message of ``chat`` that has not been deleted."""
        message = chat.history.get(message_id)
        return None if message is None or message.deleted else message

    # -- messages and updates -------------------------------------------------------------------

    def store_message(self, chat: SimChat, sender: SimUser, **fields: Any) -> SentMessage:
        """Create the next message of ``chat`` and keep it in its history."""
        message = SentMessage(
            message_id=chat.next_message_id(), chat=chat, sender=sender, date=self.now(), **fields
        )
        chat.history[message.message_id] = message
        self.changed()
        return message

    def emit(self, kind: str, payload: Json) -> Json | None:
        """Queue an update for the bot (unless allowed_updates filters it out)."""
        update = self.updates.push(kind, payload)
        self.changed()
        return update
