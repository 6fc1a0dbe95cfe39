"""What a test reads from the emulator, and how it waits for the bot (a part of
:class:`bot.sandbox.driver.BotApiEmulator`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.sandbox import actions
from bot.sandbox.actions import ChatRef, MessageRef
from bot.sandbox.methods import canonical_name
from bot.sandbox.methods.bot_info import scope_key
from bot.sandbox.models import (
    ApiCall,
    CallbackAnswer,
    DeliveredUpdate,
    Json,
    SentMessage,
)
from bot.sandbox.state import EmulatorState

T = TypeVar("T")


class EmulatorReading:
    """Reading chats, calls and settings, and waiting for conditions; needs ``state``."""

    state: EmulatorState

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """The bot's answer to a button press, or None while unanswered."""
        return self.state.callback_queries[query_id].answer

    async def wait_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> CallbackAnswer:
        """Wait until the bot answers the callback query ``query_id``."""
        return await self.wait_for(
            lambda: self.callback_answer(query_id),
            timeout=timeout,
            description=f"an answer to callback query {query_id}",
        )

    # -- reading what happened ------------------------------------------------------------------

    def history(self, chat: ChatRef) -> list[SentMessage]:
        """Every message in a chat, from users and the bot, service messages included."""
        return list(actions.chat_of(self.state, chat).history.values())

    def messages(self, chat: ChatRef) -> list[SentMessage]:
        """What the bot sent to a chat, in order; deleted ones stay, flagged ``deleted``.

        Service messages (e.g. "pinned a message") are left out.
        """
        return [m for m in self.history(chat) if m.from_bot and not m.service]

    def last_message(self, chat: ChatRef) -> SentMessage | None:
        """The bot's most recent message in a chat that is not deleted."""
        visible = [m for m in self.messages(chat) if not m.deleted]
        return visible[-1] if visible else None

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """API calls the bot made, optionally only those of one method (any spelling)."""
        if method is None:
            return list(self.state.calls)
        name = canonical_name(method)
        return [call for call in self.state.calls if call.method == name]

    def commands(self, scope: Json | None = None, language_code: str | None = None) -> list[Json]:
        """The command list set for a BotCommandScope dict (default scope when None)."""
        return list(self.state.commands.get((scope_key(scope), language_code or ""), []))

    def description(self, language_code: str | None = None) -> str | None:
        """What setMyDescription stored for a language."""
        return self.state.descriptions.get(("description", language_code or ""))

    def short_description(self, language_code: str | None = None) -> str | None:
        """What setMyShortDescription stored for a language."""
        return self.state.descriptions.get(("short_description", language_code or ""))

    def file_bytes(self, file_id: str) -> bytes:
        """The content behind a file_id (documents and photos alike)."""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.content

    @property
    def pending_update_count(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return self.state.updates.pending_count

    def pending_updates(self) -> list[Json]:
        """Copies of the queued, unconfirmed updates."""
        return self.state.updates.pending()

    @property
    def updates_delivered(self) -> list[DeliveredUpdate]:
        """Every hand-over of an update to the bot, in order; repeats mean re-delivery."""
        return list(self.state.updates.delivered)

    @property
    def updates_filtered_out(self) -> list[Json]:
        """Updates dropped because allowed_updates did not include their type."""
        return list(self.state.updates.filtered_out)

    @property
    def webhook_url(self) -> str:
        """The webhook URL currently set ("" when polling)."""
        return self.state.webhook.url

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
        description: str | None = None,
    ) -> T:
        """Wait until ``predicate()`` returns something truthy, and return it.

        The predicate is re-evaluated after every API call and state change; on timeout an
        AssertionError names ``description`` (or the predicate).
        """
        what = description or str(getattr(predicate, "__name__", repr(predicate)))
        return await self.state.notifier.wait_until(predicate, timeout, what)

    async def wait_for_message(
        self,
        chat: ChatRef,
        *,
        containing: str | None = None,
        count: int | None = None,
        after: MessageRef | int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> SentMessage:
        """Wait for the bot's (non-deleted) message in ``chat`` and return the latest match.

        ``containing`` filters on the visible text or caption, ``after`` keeps only messages
        newer than a message (or message id), and ``count`` waits until that many match.
        """
        if after is None:
            threshold = 0
        elif isinstance(after, int):
            threshold = after
        else:
            threshold = actions.resolve_message(self.state, after).message_id

        def matching() -> list[SentMessage]:
            return [
                m
                for m in self.messages(chat)
                if not m.deleted
                and m.message_id > threshold
                and (containing is None or containing in m.content)
            ]

        def satisfied() -> SentMessage | None:
            found = matching()
            if len(found) >= (count or 1):
                return found[-1]
            return None

        wanted = [f"{count or 1} bot message(s) in chat {actions.chat_of(self.state, chat).id}"]
        if containing is not None:
            wanted.append(f"containing {containing!r}")
        if threshold:
            wanted.append(f"after message {threshold}")
        try:
            return await self.wait_for(satisfied, timeout, " ".join(wanted))
        except AssertionError as error:
            seen = [m.content for m in self.messages(chat) if not m.deleted]
            raise AssertionError(f"{error}; the bot's messages there: {seen}") from None

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> ApiCall:
        """Wait until the bot has completed ``count`` calls of ``method``; returns the last."""

        def done() -> ApiCall | None:
            finished = [c for c in self.calls(method) if c.result is not None or c.error]
            return finished[count - 1] if len(finished) >= count else None

        return await self.wait_for(done, timeout, f"{count} call(s) of {method}")

    async def wait_for_updates_consumed(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> None:
        """Wait until the bot has confirmed every queued update."""
        await self.wait_for(
            lambda: self.pending_update_count == 0, timeout, "all updates to be confirmed"
        )
