"""The one paced path every outgoing message takes: Telegram's limits (about 30 messages a
second overall, 20 a minute in one group, one a second in one private chat) and its
`retry_after`.

python-telegram-bot's `AIORateLimiter` uses leaky buckets that let a full bucket out at once
on top of the steady rate (measured: 49-53 messages in a second, 39 in a minute to one group).
Here every message waits for its moment by the times messages really left: at least one
overall gap after the previous message, its chat's own gap or window, and any flood wait.
Replies to updates go before background work (the outbox) at the shared gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.handling import current_update_id

logger = logging.getLogger(__name__)

ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
ChatKey = int | str | None

# Bot API methods that put a message in a chat or change one; Telegram counts these.
_MESSAGE_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
_NOT_MESSAGES = frozenset({"sendChatAction"})
# Stale per-chat history is dropped once this many chats are remembered.
_CHAT_HISTORY_LIMIT = 5000


def is_message(endpoint: str) -> bool:
    """Whether a Bot API method counts against Telegram's message limits."""
    return endpoint.startswith(_MESSAGE_PREFIXES) and endpoint not in _NOT_MESSAGES


def chat_key(data: dict[str, Any]) -> ChatKey:
    """The chat a request goes to: an int id, an @username (a channel or supergroup), or None
    (an inline message edit, which has no chat)."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)
    return str(chat_id)


def is_group(chat: ChatKey) -> bool:
    return isinstance(chat, str) or (isinstance(chat, int) and chat < 0)


@dataclass(frozen=True)
class SendLimits:
    """Telegram's limits and the margin kept under them.

    Telegram counts messages as they arrive; they leave here a few milliseconds unevenly, so
    every gap and window is stretched by `safety` (a fraction).
    """

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    private_per_second: float = 1.0
    safety: float = 0.04

    @property
    def overall_gap(self) -> float:
        return (1 + self.safety) / self.overall_per_second

    @property
    def private_gap(self) -> float:
        return (1 + self.safety) / self.private_per_second

    @property
    def group_burst(self) -> int:
        """How many messages a group window holds (at least one)."""
        return max(1, int(self.group_per_minute))

    @property
    def group_window(self) -> float:
        """Seconds within which at most `group_burst` messages go to one group."""
        return 60.0 * (1 + self.safety) * self.group_burst / self.group_per_minute


@dataclass
class OutboxRun:
    """One outbox run at a time (a tick that finds one running leaves the work to it)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class _Gate:
    """One waiter at a time; urgent waiters first, first come first served within a rank."""

    def __init__(self) -> None:
        self._busy = False
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, *, urgent: bool) -> AsyncIterator[None]:
        if self._busy:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._queue, (0 if urgent else 1, next(self._order), waiter))
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._release()  # handed the turn just as we were cancelled
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._queue:
            _rank, _order, waiter = heapq.heappop(self._queue)
            if not waiter.done():
                waiter.set_result(None)  # the turn passes on; the gate stays busy
                return
        self._busy = False


class SendPacer:
    """Decides when each message may leave, from the moments earlier messages left."""

    def __init__(
        self,
        limits: SendLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._gate = _Gate()
        self._last_any = float("-inf")
        self._resume_at = float("-inf")
        self._private_last: dict[ChatKey, float] = {}
        self._group_sent: dict[ChatKey, deque[float]] = {}
        self._chat_locks: dict[ChatKey, tuple[asyncio.Lock, int]] = {}

    def hold(self, seconds: float) -> None:
        """Telegram asked for a pause (429 `retry_after`): nothing leaves before it ends."""
        self._resume_at = max(self._resume_at, self._clock() + seconds)

    @property
    def holding(self) -> float:
        """Seconds left of the current flood wait (0 when none)."""
        return max(0.0, self._resume_at - self._clock())

    def _chat_ready(self, chat: ChatKey) -> float:
        if chat is None:
            return float("-inf")
        if is_group(chat):
            sent = self._group_sent.get(chat)
            if sent is None or len(sent) < self.limits.group_burst:
                return float("-inf")
            return sent[0] + self.limits.group_window
        return self._private_last.get(chat, float("-inf")) + self.limits.private_gap

    def _ready(self, chat: ChatKey) -> float:
        return max(
            self._last_any + self.limits.overall_gap, self._resume_at, self._chat_ready(chat)
        )

    def _record(self, chat: ChatKey, now: float) -> None:
        self._last_any = now
        if chat is None:
            return
        if is_group(chat):
            sent = self._group_sent.setdefault(chat, deque(maxlen=self.limits.group_burst))
            sent.append(now)
        else:
            self._private_last[chat] = now
        if len(self._private_last) + len(self._group_sent) > _CHAT_HISTORY_LIMIT:
            self._forget_stale(now)

    def _forget_stale(self, now: float) -> None:
        horizon = max(self.limits.private_gap, self.limits.group_window)
        for chat in [c for c, at in self._private_last.items() if now - at > horizon]:
            del self._private_last[chat]
        for chat in [c for c, sent in self._group_sent.items() if now - sent[-1] > horizon]:
            del self._group_sent[chat]

    async def _sleep_until(self, moment: Callable[[], float]) -> None:
        # Re-read the moment after each sleep: a flood wait may have begun meanwhile.
        while (wait := moment() - self._clock()) > 0:
            await self._sleep(wait)

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat: ChatKey) -> AsyncIterator[None]:
        """Messages to one chat take their turns in the order they were asked for."""
        lock, users = self._chat_locks.get(chat, (asyncio.Lock(), 0))
        self._chat_locks[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[chat]
            if users <= 1:
                del self._chat_locks[chat]
            else:
                self._chat_locks[chat] = (lock, users - 1)

    async def turn(self, chat: ChatKey, *, urgent: bool = False) -> None:
        """Wait until a message to `chat` may leave, and count it as gone."""
        async with self._chat_turn(chat):
            # Wait for the chat's own limit first, so a chat that must wait does not hold up
            # the others at the gate.
            await self._sleep_until(lambda: self._chat_ready(chat))
            async with self._gate.turn(urgent=urgent):
                await self._sleep_until(lambda: self._ready(chat))
                self._record(chat, self._clock())


def retry_after_seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PacedRateLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's rate limiter hook, pacing every message through one `SendPacer`.

    A 429 holds every send for its `retry_after`, then the message is tried again (up to
    `max_retries` times, or the `rate_limit_args` given to the call).
    """

    def __init__(self, limits: SendLimits | None = None, *, max_retries: int = 3) -> None:
        self.pacer = SendPacer(limits or SendLimits())
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        if not is_message(endpoint):
            return await callback(*args, **kwargs)
        chat = chat_key(data)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        urgent = current_update_id() is not None  # a reply to an update, not a job's work
        attempt = 0
        while True:
            await self.pacer.turn(chat, urgent=urgent)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.pacer.hold(wait)
                if attempt >= retries:
                    logger.warning(
                        "Telegram asked to wait %.0f s; %s to %s given up after %d retries",
                        wait,
                        endpoint,
                        chat,
                        retries,
                    )
                    raise
                logger.info("Telegram asked to wait %.0f s before %s to %s", wait, endpoint, chat)
                attempt += 1
