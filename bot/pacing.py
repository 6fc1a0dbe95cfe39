"""Pacing of outgoing private messages (Telegram allows about one a second per chat)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

PRIVATE_CHAT_GAP = 1.0  # seconds between messages to one person


@dataclass
class OutboxPacer:
    """One sender at a time, evenly spaced sends, and about one message a second per person.

    The rate limiter lets short bursts through; a Monday-morning digest to hundreds of staff
    is one long burst, so the outbox spaces its own sends evenly under the overall limit.
    """

    overall_per_second: float = 30.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_sent: dict[int, float] = field(default_factory=dict)
    last_any: float = 0.0

    async def wait_turn(self) -> None:
        """Sleep until the next send keeps within the overall rate."""
        gap = 1.0 / self.overall_per_second
        delay = self.last_any + gap - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def may_send(self, chat_id: int) -> bool:
        if chat_id < 0:  # groups: the rate limiter paces them (20 a minute)
            return True
        return time.monotonic() - self.last_sent.get(chat_id, 0.0) >= PRIVATE_CHAT_GAP

    def sent(self, chat_id: int) -> None:
        now = time.monotonic()
        self.last_sent[chat_id] = now
        self.last_any = now
