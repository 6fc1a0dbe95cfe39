"""The test-facing side of the emulator: stage a building's chats, act as residents, assert.

Typical use::

    async with BotApiEmulator() as emulator:
        alice = emulator.create_user("Alice", username="alice")
        emulator.user_starts_bot(alice)
        ... run the bot with base_url=emulator.base_url ...
        reply = await emulator.wait_for_message(alice, containing="欢迎")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from types import TracebackType

from aiohttp import web

from bot.sandbox import actions, membership
from bot.sandbox.actions import ChatRef, MessageRef
from bot.sandbox.driver_reading import EmulatorReading
from bot.sandbox.faults import FaultKind, FaultPlan, FaultRule
from bot.sandbox.limits import StrictLimits
from bot.sandbox.models import Json, MemberStatus, SimChat, SimUser
from bot.sandbox.server import ApiServer
from bot.sandbox.state import EmulatorState

DEFAULT_TOKEN = "123456:TEST-TOKEN"


class BotApiEmulator(EmulatorReading):
    """A local Bot API server plus the controls a test needs to drive and inspect it.

    All methods must be called from the event loop the server runs on.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "courtyard_test_bot",
        bot_name: str = "Courtyard",
        privacy_mode: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = EmulatorState(
            token=token,
            bot_username=bot_username,
            bot_name=bot_name,
            privacy_mode=privacy_mode,
            clock=clock,
        )
        self.faults = FaultPlan()
        self._server = ApiServer(self.state, self.faults, host, port)

    # -- lifecycle ------------------------------------------------------------------------------

    def add_routes(self, setup: Callable[[web.Application], None]) -> None:
        """Serve more routes beside the Bot API (call before :meth:`start`); the driver API
        and the sandbox page are mounted this way."""
        self._server.route_setups.append(setup)

    async def start(self) -> None:
        """Start serving on the configured host and port."""
        self.state.stopping.clear()
        await self._server.start()

    async def stop(self) -> None:
        """Release stalled requests and long polls, stop the webhook and close the server."""
        self.state.stopping.set()
        self.state.changed()
        await self.state.webhook.stop()
        await self._server.stop()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        """The bot token the server accepts."""
        return self.state.token

    @property
    def bot_user(self) -> SimUser:
        """The emulated bot's own account."""
        return self.state.bot_user

    @property
    def root_url(self) -> str:
        """``http://host:port`` of the server (the driver API and page live under it)."""
        return self._server.root_url

    @property
    def base_url(self) -> str:
        """Pass as ``base_url`` to python-telegram-bot (it appends the token and method)."""
        return f"{self._server.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass as ``base_file_url`` to python-telegram-bot for file downloads."""
        return f"{self._server.root_url}/file/bot"

    @property
    def privacy_mode(self) -> bool:
        """Whether group messages not addressed to the bot are withheld from it."""
        return self.state.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, enabled: bool) -> None:
        self.state.privacy_mode = enabled

    # -- people and chats -----------------------------------------------------------------------

    def create_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh",
    ) -> SimUser:
        """A new Telegram account that has not talked to the bot yet."""
        return self.state.add_user(
            {
                "first_name": first_name,
                "username": username,
                "last_name": last_name,
                "language_code": language_code,
            }
        )

    def create_group(
        self,
        title: str,
        *,
        members: Iterable[SimUser] = (),
        admins: Iterable[SimUser] = (),
        creator: SimUser | None = None,
        supergroup: bool = False,
        bot_is_admin: bool = False,
        bot_is_member: bool = True,
        username: str | None = None,
        description: str | None = None,
    ) -> SimChat:
        """A group as it already exists when the test starts (no updates are queued).

        The bot is a plain member unless ``bot_is_admin``; pass ``bot_is_member=False`` and
        call :meth:`add_bot_to_group` to test the joining flow.
        """
        bot_status: MemberStatus = (
            "administrator" if bot_is_admin else "member" if bot_is_member else "left"
        )
        return membership.create_group(
            self.state,
            title,
            members=members,
            admins=admins,
            creator=creator,
            supergroup=supergroup,
            bot_status=bot_status,
            username=username,
            description=description,
        )

    def private_chat(self, user: SimUser) -> SimChat:
        """The private chat between ``user`` and the bot (chat id == user id)."""
        return self.state.private_chat(user)

    def chat(self, chat_id: int) -> SimChat:
        """A known chat by id (e.g. the supergroup an id migrated to)."""
        chat = self.state.find_chat(chat_id)
        if chat is None:
            raise KeyError(f"no chat {chat_id}")
        return chat

    # -- what users do --------------------------------------------------------------------------

    def user_starts_bot(self, user: SimUser, payload: str | None = None) -> Json:
        """``user`` presses Start ("/start" or the deep link "/start payload"); returns it."""
        return actions.start_bot(self.state, user, payload).to_json()

    def block_bot(self, user: SimUser) -> None:
        """``user`` blocks the bot: later sends to them fail with 403."""
        actions.block_bot(self.state, user)

    def unblock_bot(self, user: SimUser) -> None:
        """``user`` unblocks the bot."""
        actions.unblock_bot(self.state, user)

    def send_message(
        self,
        user: SimUser,
        chat: ChatRef,
        text: str | None = None,
        *,
        reply_to: MessageRef | int | None = None,
        photo: bool | bytes = False,
        caption: str | None = None,
        document: tuple[str, bytes] | None = None,
    ) -> Json:
        """``user`` writes in ``chat`` (a SimChat, or a SimUser meaning their private chat).

        Text gets Telegram's entities (commands, mentions, URLs, hashtags). ``photo=True``
        sends a tiny PNG (or pass the bytes); ``document=(filename, bytes)`` a file; both use
        ``caption``. In groups the update reaches the bot only as privacy mode allows.
        Returns the Message JSON.
        """
        return actions.post_user_message(
            self.state,
            user,
            chat,
            text,
            reply_to=reply_to,
            photo=photo,
            caption=caption,
            document=document,
        ).to_json()

    def edit_message(self, user: SimUser, message: MessageRef, new_text: str) -> Json:
        """``user`` edits their own message (text or caption); queues ``edited_message``."""
        return actions.edit_user_message(self.state, user, message, new_text).to_json()

    def press_button(
        self,
        user: SimUser,
        message: MessageRef,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        stale: bool = False,
    ) -> str:
        """``user`` taps an inline button (by callback_data or label); returns the query id.

        Raises ValueError when the message, as currently stored, has no such button, unless
        ``stale``: then ``callback_data`` is sent anyway, like an outdated client or a forged
        request would.
        """
        return actions.press_button(
            self.state, user, message, callback_data, button_text, stale=stale
        )

    def vote_poll(self, user: SimUser, message: MessageRef, option_ids: Iterable[int]) -> None:
        """``user`` votes on the bot's poll; queues ``poll`` (+ ``poll_answer`` if public)."""
        actions.vote_poll(self.state, user, message, list(option_ids))

    # -- group life -----------------------------------------------------------------------------

    def add_bot_to_group(self, chat: SimChat, by_user: SimUser, *, as_admin: bool = False) -> None:
        """``by_user`` adds the bot: queues ``my_chat_member`` and a new_chat_members message."""
        membership.add_bot(self.state, chat, by_user, as_admin=as_admin)

    def remove_bot_from_group(self, chat: SimChat, by_user: SimUser) -> None:
        """``by_user`` removes the bot: queues ``my_chat_member`` and a left_chat_member message
        (the bot is banned from supergroups, merely gone from basic groups)."""
        membership.remove_bot(self.state, chat, by_user)

    def add_member(self, chat: SimChat, user: SimUser, *, by_user: SimUser | None = None) -> None:
        """``user`` joins; ``chat_member`` is queued only if the bot is admin and asked for it."""
        membership.add_member(self.state, chat, user, by_user)

    def remove_member(
        self, chat: SimChat, user: SimUser, *, by_user: SimUser | None = None
    ) -> None:
        """``user`` leaves (or is removed by ``by_user``)."""
        membership.remove_member(self.state, chat, user, by_user)

    def promote(self, chat: SimChat, user: SimUser, *, by_user: SimUser | None = None) -> None:
        """Make ``user`` (or the bot, via :attr:`bot_user`) an administrator."""
        membership.change_rank(self.state, chat, user, by_user, "administrator")

    def demote(self, chat: SimChat, user: SimUser, *, by_user: SimUser | None = None) -> None:
        """Turn an administrator back into a plain member."""
        membership.change_rank(self.state, chat, user, by_user, "member")

    def migrate_to_supergroup(self, chat: SimChat, *, by_user: SimUser | None = None) -> SimChat:
        """Upgrade a basic group; returns the new supergroup (id like -100…)."""
        return membership.migrate(self.state, chat, by_user)

    # -- fault injection ------------------------------------------------------------------------

    def inject_fault(
        self,
        method: str,
        *,
        kind: FaultKind,
        times: int = 1,
        retry_after: int = 1,
        chat_id: int | str | None = None,
        delay: float | None = None,
    ) -> FaultRule:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail without effect.

        ``flood`` answers 429 with ``retry_after``; ``server_error`` 500; ``bad_gateway`` 502;
        ``timeout`` stalls until the emulator stops (or ``delay`` seconds), beyond any client
        timeout. ``chat_id`` limits the fault to calls addressed to that chat.
        """
        return self.faults.add(
            method, kind, times=times, retry_after=retry_after, chat_id=chat_id, delay=delay
        )

    def enforce_limits(
        self,
        *,
        overall_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int = 1,
    ) -> StrictLimits:
        """Strict mode: answer 429 with ``retry_after`` to any message over Telegram's
        limits (counted as calls arrive; see :mod:`bot.sandbox.limits`)."""
        limits = StrictLimits(overall_per_second, group_per_minute, private_per_second)
        self._server.limits = limits
        return limits

    def relax_limits(self) -> None:
        """Leave strict mode."""
        self._server.limits = None

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every call of ``method`` ("*" = any); the call still takes effect afterwards,
        even if the client gave up (as on a slow real server). 0 removes the latency."""
        self.faults.set_latency(method, seconds)

    def clear_faults(self) -> None:
        """Remove pending faults and latencies."""
        self.faults.clear()
