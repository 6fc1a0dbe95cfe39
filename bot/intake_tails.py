"""The staff part of a request's intake, finished after its update.

A group's updates are handled in order. A new request's group card is what the group sees;
sending its staff cards after that (one per staff member, each a round trip to Telegram and
to the database) used to hold up every later message of the group. Now the update is done
once the card is recorded, and routing goes on as a *tail* of its own:

- a later update of the same group that may act on a request (a button press, an edit, a
  reply, a command: anything but a plain new message) waits for the group's tails first, and
  an update from a private chat (a staff card's buttons) waits for every tail;
- a plain message does not wait; should it touch the request (an urgent duplicate counts
  itself in), the card refresh waits for that request's tail (`settle_request`);
- a tail retries passing Telegram errors a few times; what is still undone (and whatever a
  crash cut short) is finished by `handlers.request_jobs`: at the next start for requests
  left over by the previous process, and by the `finish_intakes` job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class IntakeTails:
    """Running tails, by group chat and by request."""

    def __init__(self) -> None:
        self._by_chat: dict[int, set[asyncio.Task[None]]] = {}
        self._by_request: dict[int, asyncio.Task[None]] = {}

    def start(self, chat_id: int, request_id: int, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` once the group's earlier tails are done: a group's requests reach
        their staff in order, and at most one staff card of a group is on its way at a time
        (with the group's current update's message, two: what a crash can send twice)."""
        earlier = list(self._by_chat.get(chat_id, ()))

        async def after_earlier() -> None:
            await self._wait(earlier)
            await work

        task = asyncio.create_task(after_earlier(), name=f"intake-tail-{request_id}")
        self._by_chat.setdefault(chat_id, set()).add(task)
        self._by_request[request_id] = task

        def finished(done: asyncio.Task[None]) -> None:
            tails = self._by_chat.get(chat_id)
            if tails is not None:
                tails.discard(done)
                if not tails:
                    del self._by_chat[chat_id]
            if self._by_request.get(request_id) is done:
                del self._by_request[request_id]
            if not done.cancelled() and done.exception() is not None:
                logger.error("Routing request #%d failed", request_id, exc_info=done.exception())

        task.add_done_callback(finished)

    def running(self, request_id: int) -> bool:
        return request_id in self._by_request

    @property
    def count(self) -> int:
        return len(self._by_request)

    async def settle_chat(self, chat_id: int) -> None:
        """Wait for the tails a group's earlier updates left."""
        await self._wait(list(self._by_chat.get(chat_id, ())))

    async def settle_all(self) -> None:
        await self._wait(list(self._by_request.values()))

    async def settle_request(self, request_id: int) -> None:
        """Wait for the request's tail (unless this is it)."""
        task = self._by_request.get(request_id)
        if task is not None and task is not asyncio.current_task():
            await self._wait([task])

    @staticmethod
    async def _wait(tasks: list[asyncio.Task[None]]) -> None:
        me = asyncio.current_task()
        tasks = [task for task in tasks if task is not me]
        if tasks:
            # A tail's failure is its own (logged when it ends); the waiter goes on.
            await asyncio.gather(*tasks, return_exceptions=True)
