"""Send each message once, even when an update is handled again.

Every Bot API request passes through the rate limiter, so that is where a send is checked
against the journal (`storage.journal`) and recorded the moment Telegram confirms it. Inside
an update's scope (`bot.handling`) a message is known by its method, chat, text and how many
such messages came before it in this attempt; inside a named scope (a request's card) by its
method, chat and order alone. Outside any scope (jobs, the outbox) nothing changes.

What remains: a crash between Telegram's answer and the journal's record (a few
milliseconds), and a send that Telegram carried out but whose answer was lost (a timeout).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.handling import SendScope, current_scope
from bot.instrumentation import CountingRateLimiter
from bot.pacing import SendLimits
from storage.journal import Journal

logger = logging.getLogger(__name__)

T = TypeVar("T")
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]


def _chat_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _content(data: dict[str, Any]) -> str:
    text = data.get("text") or data.get("caption") or ""
    return hashlib.sha256(str(text).encode()).hexdigest()[:16]


def _essentials(message: JSONDict) -> JSONDict:
    """What a handler may use of a sent message; no names or texts are kept."""
    chat = message.get("chat") or {}
    return {
        "message_id": message.get("message_id"),
        "date": message.get("date"),
        "chat": {"id": chat.get("id"), "type": chat.get("type")},
    }


def essentials(result: Result) -> Result:
    if isinstance(result, dict):
        return _essentials(result)
    if isinstance(result, list):
        return [_essentials(item) for item in result]
    return result


class JournalingRateLimiter(CountingRateLimiter):
    """The paced rate limiter, plus: a message already sent in this scope is not sent again."""

    def __init__(
        self, journal: Journal, limits: SendLimits | None = None, *, max_retries: int = 3
    ) -> None:
        super().__init__(limits, max_retries=max_retries)
        self._journal = journal

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        scope = current_scope()
        if scope is None or endpoint not in SENDING_METHODS:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        chat_id = _chat_id(data)
        base = f"{endpoint}:{chat_id}"
        if scope.by_content:
            base += f":{_content(data)}"
        step = scope.next_step(base)
        sent = await self._journal.recorded(scope.key, step)
        if sent is not None:
            logger.info("Not sending %s to %s again (%s)", endpoint, chat_id, scope.key)
            result: Result = sent
            return result
        result = await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
        record = self._journal.prepare(scope.key, step, essentials(result), chat_id=chat_id)
        if scope.defer_records:
            scope.pending.append(record)  # the caller writes it (`write_with_records`)
        else:
            await self._journal.write([record])
        return result


async def write_with_records(
    journal: Journal,
    scope: SendScope,
    write: Callable[..., Awaitable[T]],
) -> T:
    """`write(journal=records)`: the caller's next write, which must write the scope's
    pending journal records in its own transaction (`storage.journal.recording`). Should it
    fail, the records are still written on their own before the error goes on: a message
    Telegram took is never left unrecorded because of what came after it."""
    records, scope.pending = list(scope.pending), []
    try:
        result = await write(journal=records)
    except BaseException:
        if records:
            with contextlib.suppress(Exception):
                await journal.write(records)
        raise
    journal.written(records)
    return result
