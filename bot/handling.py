"""Which update, or which piece of work, the code running now belongs to.

The dispatcher enters `handling_update` around each attempt at an update; code that sends
one particular message (a request's card, a poll) enters `sending_as` around the send. The
journaling rate limiter (`bot.send_journal`) reads the scope to send each message once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from storage.journal import JournalRecord, update_scope


def _this_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


@dataclass
class SendScope:
    """Messages sent within one scope are told apart by where they go and (for an update's
    replies) by their text; the n-th such message of an attempt is the n-th of any other.

    A scope belongs to the task that entered it: a job scheduled from a handler inherits the
    handler's context variables, yet its messages are not the update's."""

    key: str
    by_content: bool
    update_id: int | None = None
    # Handling this update again (after a crash, or a retry after a passing error): the
    # first attempt may have done part of the work.
    again: bool = True
    task: asyncio.Task[object] | None = field(default_factory=_this_task)
    # Records of what was sent, left for the caller to write with its own next write (see
    # `sending_as`) instead of in a transaction of their own.
    defer_records: bool = False
    pending: list[JournalRecord] = field(default_factory=list)
    _seen: Counter[str] = field(default_factory=Counter)

    def next_step(self, base: str) -> str:
        count = self._seen[base]
        self._seen[base] += 1
        return f"{base}#{count}"


_scope: ContextVar[SendScope | None] = ContextVar("courtyard_send_scope", default=None)
_update: ContextVar[SendScope | None] = ContextVar("courtyard_update", default=None)


def _owned(scope: SendScope | None) -> SendScope | None:
    return scope if scope is not None and scope.task is _this_task() else None


@contextmanager
def handling_update(update_id: int, *, again: bool = True) -> Iterator[None]:
    """One attempt at handling an update (a fresh count of its messages). `again=False`
    only for the first attempt at an update just received: nothing was done for it yet."""
    scope = SendScope(update_scope(update_id), by_content=True, update_id=update_id, again=again)
    scope_token = _scope.set(scope)
    update_token = _update.set(scope)
    try:
        yield
    finally:
        _update.reset(update_token)
        _scope.reset(scope_token)


@contextmanager
def sending_as(key: str, *, defer_records: bool = False) -> Iterator[SendScope]:
    """Messages sent inside are one piece of work (e.g. `request:12:card`), sent once
    whoever does the work and however often: a replay and a job never both send it.

    `defer_records`: the journal records of what was sent are left in the scope's `pending`
    for the caller to write in the transaction that records the send's result anyway (the
    card's id) — one round trip instead of two — with `bot.send_journal.write_with_records`,
    right after the send, so that the window a crash can repeat a message in stays as short.
    """
    scope = SendScope(key, by_content=False, defer_records=defer_records)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> SendScope | None:
    return _owned(_scope.get())


def current_update_id() -> int | None:
    """The update this task is handling, or None (a job)."""
    scope = _owned(_update.get())
    return None if scope is None else scope.update_id


def handling_again() -> bool:
    """Whether this attempt at an update may follow one that did part of its work (a
    replay after a crash, a retry). Work that "changed nothing" is then finished anyway,
    e.g. a card edit the first attempt never made. Outside an update: True (be thorough)."""
    scope = _owned(_update.get())
    return True if scope is None else scope.again
