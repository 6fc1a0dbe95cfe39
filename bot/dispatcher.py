"""Hands stored updates to the Application in per-chat order and marks each handled after."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable

from telegram import Chat, Update

from bot.handling import handling_update
from bot.intake_tails import IntakeTails
from bot.logging_setup import tagged
from bot.metrics import UPDATES_HANDLED
from bot.transient import TransientFailures
from storage.inbox import UpdateInbox
from storage.journal import Journal, update_scope
from storage.trouble import storage_trouble

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_MEMBER,
]


class Backoff:
    """Exponential delays for retrying a failing connection: 1, 2, 4 … 30 s."""

    def __init__(self, initial: float = 1.0, maximum: float = 30.0) -> None:
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial


def update_kind(update: Update) -> str:
    """`message`, `callback_query`, … (a bounded set: fit for a metric label)."""
    kinds = (kind for kind in ALLOWED_UPDATES if getattr(update, kind, None) is not None)
    return next(kinds, "other")


def plain_group_message(update: Update) -> bool:
    """A new text or caption in a group that is no command and no reply: it cannot act on a
    request's routing still going on (`bot.intake_tails`), so it need not wait for it."""
    message = update.message
    if message is None or message.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return False
    text = message.text or message.caption or ""
    return text != "" and not text.startswith("/") and message.reply_to_message is None


def update_key(update: Update) -> int:
    """Updates of one chat (or one user) are handled in order; others run in parallel."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


class UpdateDispatcher:
    """Hands stored updates to the Application and marks each handled afterwards."""

    def __init__(
        self,
        process: Callable[[Update], Awaitable[None]],
        inbox: UpdateInbox,
        *,
        journal: Journal | None = None,
        transient: TransientFailures | None = None,
        tails: IntakeTails | None = None,
        concurrency: int = 8,
    ) -> None:
        self._process = process
        self._inbox = inbox
        self._journal = journal
        self._tails = tails or IntakeTails()
        # Updates received just now (not replayed from the inbox) whose first attempt is due.
        self._first_seen: set[int] = set()
        self._transient = transient or TransientFailures()
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[int, deque[Update]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}

    @property
    def pending(self) -> int:
        """Updates submitted and not yet handled, and requests still being routed after
        theirs (`bot.intake_tails`)."""
        return sum(len(queue) for queue in self._queues.values()) + self._tails.count

    def submit(self, update: Update, *, first_seen: bool = False) -> None:
        """Queue an update behind its chat's earlier ones. `first_seen`: it was just stored
        in the inbox as new, so nothing was done for it yet (not a replay)."""
        if first_seen:
            self._first_seen.add(update.update_id)
            if self._journal is not None:
                self._journal.begin_fresh(update_scope(update.update_id))
        key = update_key(update)
        self._queues.setdefault(key, deque()).append(update)
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"updates-{key}")

    async def _work(self, key: int) -> None:
        queue = self._queues[key]
        try:
            while queue:
                update = queue[0]
                chat = update.effective_chat
                await self._after_tails(key, update)
                with tagged(update.update_id, None if chat is None else chat.id):
                    await self._handle_with_retries(update)
                queue.popleft()
        finally:
            del self._queues[key]
            del self._workers[key]

    async def _after_tails(self, key: int, update: Update) -> None:
        """Keep the order that matters while a request is routed after its update: a group's
        update that may act on it waits for the group's tails; a button pressed anywhere
        else (a staff card's) for every tail. A plain new group message goes ahead, and so
        does a private message (what it starts on a request begins with a button)."""
        if plain_group_message(update):
            return
        chat = update.effective_chat
        if chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP):
            await self._tails.settle_chat(key)
        elif update.callback_query is not None:
            await self._tails.settle_all()

    async def _handle_with_retries(self, update: Update) -> None:
        started = time.perf_counter()
        first_seen = update.update_id in self._first_seen
        for attempt in itertools.count():
            async with self._slots:
                failed = await self._handle(update, again=attempt > 0 or not first_seen)
            if not failed:
                break
            delay = self._transient.delay(update.update_id, attempt)
            if delay is None:
                logger.error(
                    "Update %s still failed after %d tries; giving up",
                    update.update_id,
                    len(self._transient.delays) + 1,
                )
                break
            # The chat's later updates wait: they may depend on this one.
            await asyncio.sleep(delay)
        await self._mark_handled(update.update_id)
        self._first_seen.discard(update.update_id)
        if self._journal is not None:
            self._journal.forget_scope(update_scope(update.update_id))  # its rows are gone
        self._transient.forget(update.update_id)
        kind = update_kind(update)
        UPDATES_HANDLED.labels(kind=kind).inc()
        # One line per update: which, where (the line's tag), how long; never text or sender.
        logger.info(
            "Handled update %s (%s) in %.0f ms",
            update.update_id,
            kind,
            (time.perf_counter() - started) * 1000,
        )

    async def _mark_handled(self, update_id: int) -> None:
        """Record the update as handled, waiting out a database that cannot be written: the
        chat's later updates wait too, and until it is recorded a restart handles it again."""
        backoff = Backoff()
        while True:
            try:
                await self._inbox.mark_handled(update_id)
                return
            except sqlite3.Error as exc:
                delay = backoff.next_delay()
                logger.error(
                    "Cannot record update %s as handled: %s (%s); trying again in %.0f s",
                    update_id,
                    storage_trouble(exc),
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _handle(self, update: Update, *, again: bool) -> bool:
        """Process the update; True if it failed for a passing reason (worth another try)."""
        try:
            with handling_update(update.update_id, again=again):
                await self._process(update)
        except Exception:
            # Application.process_update routes handler errors to the error handler;
            # anything reaching here is a bug in the plumbing, not worth a retry loop.
            logger.exception("Update %s could not be processed", update.update_id)
            return False
        return self._transient.take(update.update_id)

    async def drain(self) -> None:
        """Wait until every submitted update has been handled, and what they left running
        (`bot.intake_tails`) is done."""
        while self._workers or self._tails.count:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
            await self._tails.settle_all()
