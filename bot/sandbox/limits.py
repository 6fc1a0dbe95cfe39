"""Telegram's message limits, enforced on request (the emulator's strict mode).

Telegram refuses a bot's message with 429 and `retry_after` when it goes over about 30
messages a second overall, 20 a minute in one group or one a second in one private chat.
Strict mode counts every message-carrying call as it arrives, in sliding windows, and refuses
the one that would go over; refused calls do not count.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import ApiError

_MESSAGE_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
_NOT_MESSAGES = frozenset({"sendChatAction"})


def counts_as_message(method: str) -> bool:
    """Whether a Bot API method puts or changes a message in a chat (what Telegram limits)."""
    return method.startswith(_MESSAGE_PREFIXES) and method not in _NOT_MESSAGES


def _chat(params: dict[str, Any]) -> int | str | None:
    chat_id = params.get("chat_id")
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


@dataclass
class StrictLimits:
    """Sliding-window counters of accepted messages; `check` refuses one over a limit."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: int = 1
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    _overall: deque[float] = field(default_factory=deque)
    _chats: dict[int | str, deque[float]] = field(default_factory=dict)

    def check(self, method: str, params: dict[str, Any]) -> ApiError | None:
        """None when the call may go ahead (and is counted), else the 429 to answer."""
        if not counts_as_message(method):
            return None
        now = self.clock()
        waits = [_wait(self._overall, now, 1.0, self.overall_per_second)]
        chat = _chat(params)
        sent: deque[float] | None = None
        if chat is not None:
            sent = self._chats.setdefault(chat, deque())
            group = isinstance(chat, str) or chat < 0
            if group:
                waits.append(_wait(sent, now, 60.0, self.group_per_minute))
            else:
                waits.append(_wait(sent, now, 1.0, self.private_per_second))
        wait = max(waits)
        if wait > 0:
            self.refused += 1
            retry_after = max(1, math.ceil(wait))
            return ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        self._overall.append(now)
        if sent is not None:
            sent.append(now)
        return None


def _wait(sent: deque[float], now: float, window: float, limit: int) -> float:
    """Seconds until one more message fits `limit` per `window` (0: it fits now)."""
    while sent and sent[0] <= now - window:
        sent.popleft()
    if len(sent) < limit:
        return 0.0
    return sent[-limit] + window - now
