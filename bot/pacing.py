"""Pacing of outgoing private messages (Telegram allows about one a second per chat)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

PRIVATE_CHAT_GAP = 1.0  # seconds between messages to one person


@dataclass
class OutboxPacer:
    """Keeps private chats at about one message a second, and one sender at a time."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_sent: dict[int, float] = field(default_factory=dict)

    def may_send(self, chat_id: int) -> bool:
        if chat_id < 0:  # groups: the rate limiter paces them (20 a minute)
            return True
        return time.monotonic() - self.last_sent.get(chat_id, 0.0) >= PRIVATE_CHAT_GAP

    def sent(self, chat_id: int) -> None:
        self.last_sent[chat_id] = time.monotonic()
