"""The emulator's records: users, chats, messages, files, polls, callback queries, API calls.

Each record knows how to render itself as the Bot API JSON that python-telegram-bot parses.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.sandbox.errors import ApiError

Json = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]
PRESENT_STATUSES: frozenset[str] = frozenset({"creator", "administrator", "member"})


@dataclass(eq=False)
class SimUser:
    """A simulated Telegram account (a resident, a staff member, or the bot itself)."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started_bot: bool = False
    blocked_bot: bool = False

    def __repr__(self) -> str:
        handle = f" @{self.username}" if self.username else ""
        return f"<SimUser {self.id} {self.full_name!r}{handle}>"

    @property
    def full_name(self) -> str:
        """First and last name joined like Telegram clients show them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_json(self) -> Json:
        """The ``User`` object as it appears in messages and updates."""
        data: Json = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(eq=False)
class SimChat:
    """A private chat, basic group or supergroup, with its members and message history."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    user: SimUser | None = None
    description: str | None = None
    members: dict[int, MemberStatus] = field(default_factory=dict)
    member_users: dict[int, SimUser] = field(default_factory=dict)
    history: dict[int, SentMessage] = field(default_factory=dict)
    last_message_id: int = 0
    migrated_to: int | None = None
    migrated_from: int | None = None

    def __repr__(self) -> str:
        name = self.title if self.is_group else (self.user.full_name if self.user else "")
        return f"<SimChat {self.type} {self.id} {name!r}>"

    @property
    def is_group(self) -> bool:
        """True for basic groups and supergroups."""
        return self.type != "private"

    def next_message_id(self) -> int:
        """Allocate the next message id of this chat."""
        self.last_message_id += 1
        return self.last_message_id

    def status_of(self, user_id: int) -> MemberStatus:
        """The membership status of a user; private chats count both sides as members."""
        if self.type == "private":
            return "member"
        return self.members.get(user_id, "left")

    def is_present(self, user_id: int) -> bool:
        """True when the user is currently in the chat (creator, admin or member)."""
        return self.status_of(user_id) in PRESENT_STATUSES

    def to_json(self) -> Json:
        """The short ``Chat`` object embedded in messages."""
        data: Json = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data.update(
                {k: v for k, v in self.user.to_json().items() if k in _PRIVATE_CHAT_FIELDS}
            )
        else:
            data["title"] = self.title
            if self.username:
                data["username"] = self.username
        return data


_PRIVATE_CHAT_FIELDS = ("first_name", "last_name", "username")


@dataclass
class StoredFile:
    """Bytes the emulator keeps for a file id, downloadable through getFile."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None


@dataclass
class MessageEdit:
    """One earlier state of a message, kept when it is edited."""

    text: str | None
    caption: str | None
    reply_markup: Json | None
    date: int


@dataclass
class SimPoll:
    """A poll sent by the bot and the votes users cast on it."""

    id: str
    question: str
    options: list[str]
    is_anonymous: bool
    type: str
    allows_multiple_answers: bool
    correct_option_id: int | None = None
    is_closed: bool = False
    allows_revoting: bool = True
    members_only: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)

    def to_json(self) -> Json:
        """The ``Poll`` object with current vote counts."""
        counts = [0] * len(self.options)
        for option_ids in self.votes.values():
            for option_id in option_ids:
                counts[option_id] += 1
        data: Json = {
            "id": self.id,
            "question": self.question,
            "options": [
                {"text": text, "voter_count": count, "persistent_id": str(index)}
                for index, (text, count) in enumerate(zip(self.options, counts, strict=True))
            ],
            "total_voter_count": sum(1 for option_ids in self.votes.values() if option_ids),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": self.members_only,
        }
        if self.correct_option_id is not None:
            data["correct_option_id"] = self.correct_option_id
        return data


@dataclass(eq=False)
class SentMessage:
    """A message in a chat, sent by the bot or by a simulated user, in its current state.

    ``text``/``caption`` hold what users see (HTML already turned into entities); ``source``
    keeps the string exactly as the bot sent it, and ``edits`` the earlier states.
    """

    message_id: int
    chat: SimChat
    sender: SimUser
    date: int
    text: str | None = None
    entities: list[Json] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Json] = field(default_factory=list)
    source: str | None = None
    parse_mode: str | None = None
    photo: list[Json] | None = None
    document: StoredFile | None = None
    poll: SimPoll | None = None
    reply_markup: Json | None = None
    reply_to: int | None = None
    edit_date: int | None = None
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False
    pinned: bool = False
    service: Json = field(default_factory=dict)
    forward_origin: Json | None = None
    extra_params: Json = field(default_factory=dict)

    def __repr__(self) -> str:
        flags = "".join(f" {flag}" for flag in ("deleted", "pinned") if getattr(self, flag))
        what = self.content or next(iter(self.service), "") or ("poll" if self.poll else "")
        return (
            f"<SentMessage {self.message_id} in {self.chat.id} from {self.sender.first_name!r}:"
            f" {what!r}{flags}>"
        )

    @property
    def from_bot(self) -> bool:
        """True when the emulated bot sent this message."""
        return self.sender.is_bot

    @property
    def content(self) -> str:
        """The visible text or caption ("" for messages with neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[Json]:
        """All inline keyboard buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every inline button, in keyboard order."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button(self, text_contains: str) -> Json:
        """The first inline button whose label contains ``text_contains``."""
        for candidate in self.buttons:
            if text_contains in candidate["text"]:
                return candidate
        labels = [b["text"] for b in self.buttons]
        raise AssertionError(f"no button containing {text_contains!r}; buttons: {labels}")

    def to_json(self, *, with_reply: bool = True) -> Json:
        """The ``Message`` object as the Bot API returns and delivers it."""
        data: Json = {
            "message_id": self.message_id,
            "from": self.sender.to_json(),
            "chat": self.chat.to_json(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.forward_origin is not None:
            data["forward_origin"] = copy.deepcopy(self.forward_origin)
        if with_reply and self.reply_to is not None:
            replied = self.chat.history.get(self.reply_to)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = replied.to_json(with_reply=False)
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = copy.deepcopy(self.entities)
        if self.photo is not None:
            data["photo"] = copy.deepcopy(self.photo)
        if self.document is not None:
            data["document"] = document_json(self.document)
        if self.poll is not None:
            data["poll"] = self.poll.to_json()
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = copy.deepcopy(self.reply_markup)
        data.update(copy.deepcopy(self.service))
        return data


def document_json(stored: StoredFile) -> Json:
    """The ``Document`` object for a stored file."""
    data: Json = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.filename:
        data["file_name"] = stored.filename
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class CallbackQueryRecord:
    """A button press and, once the bot answered it, the answer."""

    id: str
    user: SimUser
    message: SentMessage
    data: str
    answer: CallbackAnswer | None = None


@dataclass
class ApiCall:
    """One request the bot made, with its decoded parameters and outcome."""

    method: str
    params: Json
    time: float
    result: Any = None
    error: ApiError | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.error is None


@dataclass
class DeliveredUpdate:
    """An update handed to the bot, by getUpdates or a webhook POST."""

    update_id: int
    kind: str
    via: Literal["getUpdates", "webhook"]
    update: Json
