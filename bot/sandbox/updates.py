"""The bot's update queue with Telegram's getUpdates semantics."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Literal

from bot.sandbox.errors import ApiError
from bot.sandbox.models import DeliveredUpdate, Json
from bot.sandbox.notifier import ChangeNotifier

# Telegram leaves these out unless allowed_updates names them explicitly.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_UPDATE_ID = 700_000_001
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def update_kind(update: Json) -> str:
    """The update type of an Update object, e.g. "message" or "callback_query"."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates, confirmed by offsets, filtered by the current allowed_updates.

    Like Telegram, allowed_updates applies when an update is created: an update of a type the
    bot did not ask for is never queued.
    """

    def __init__(self, notifier: ChangeNotifier) -> None:
        self._notifier = notifier
        self._pending: list[Json] = []
        self._next_update_id = FIRST_UPDATE_ID
        self._poll_generation = 0
        self.allowed_updates: list[str] | None = None
        self.delivered: list[DeliveredUpdate] = []
        self.filtered_out: list[Json] = []

    def allows(self, kind: str) -> bool:
        """Whether an update of this type would be queued right now."""
        if not self.allowed_updates:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self.allowed_updates

    def push(self, kind: str, payload: Json) -> Json | None:
        """Queue an update (or record it as filtered out); returns the queued Update."""
        update: Json = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        if not self.allows(kind):
            self.filtered_out.append(update)
            return None
        self._pending.append(update)
        self._notifier.notify()
        return update

    @property
    def pending_count(self) -> int:
        """Number of updates not yet confirmed."""
        return len(self._pending)

    def pending(self) -> list[Json]:
        """Copies of the unconfirmed updates, oldest first."""
        return copy.deepcopy(self._pending)

    def first(self) -> Json | None:
        """The oldest unconfirmed update, if any."""
        return self._pending[0] if self._pending else None

    def drop_pending(self) -> None:
        """Forget every unconfirmed update (drop_pending_updates)."""
        self._pending.clear()
        self._notifier.notify()

    def confirm(self, offset: int) -> None:
        """Apply a getUpdates offset: positive confirms lower ids, negative keeps the last -N."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def acknowledge(self, update_id: int) -> None:
        """Remove an update a webhook accepted, and log its delivery."""
        for index, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[index]
                self._log_delivery(update, "webhook")
                break
        self._notifier.notify()

    async def poll(
        self,
        *,
        offset: int | None,
        limit: int,
        wait_seconds: float,
        stopping: asyncio.Event,
        client_connected: Callable[[], bool],
    ) -> list[Json]:
        """getUpdates: confirm by offset, then return at once or wait up to ``wait_seconds``.

        A newer poll terminates a waiting one with 409, as Telegram does when two bot
        instances poll at the same time.
        """
        self._poll_generation += 1
        generation = self._poll_generation
        self._notifier.notify()
        if offset:
            self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            batch = self._pending[:limit]
            remaining = deadline - loop.time()
            if batch or stopping.is_set() or remaining <= 0:
                break
            await self._notifier.wait(remaining)
            if not client_connected():
                return []
        for update in batch:
            self._log_delivery(update, "getUpdates")
        return copy.deepcopy(batch)

    def _log_delivery(self, update: Json, via: Literal["getUpdates", "webhook"]) -> None:
        self.delivered.append(
            DeliveredUpdate(update["update_id"], update_kind(update), via, copy.deepcopy(update))
        )
