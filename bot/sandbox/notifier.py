"""Waking whoever waits for the emulator's state to change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeNotifier:
    """Lets coroutines sleep until the next state change.

    ``notify`` is synchronous so that plain state-mutating code can call it; each call
    releases every current waiter and arms a fresh event for the next ones.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every coroutine currently waiting for a change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, max_seconds: float | None) -> None:
        """Sleep until the next change or until ``max_seconds`` have passed."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), max_seconds)
        except TimeoutError:
            return

    async def wait_until(
        self, predicate: Callable[[], T | bool | None], within: float, description: str
    ) -> T:
        """Re-evaluate ``predicate`` after every change until it returns something truthy.

        Raises AssertionError naming ``description`` when ``within`` seconds pass first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            result = predicate()
            if result:
                return result  # type: ignore[return-value]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {within:g}s waiting for {description}")
            await self.wait(remaining)
