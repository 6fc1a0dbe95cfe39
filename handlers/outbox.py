"""Sending the outbox: retries with backoff, flood control, and a fallback for blocked users."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.context import CourtyardContext
from bot.handling import current_update_id
from bot.metrics import OUTBOX_SENDS
from storage.outbox import OutboxEntry, OutgoingMessage

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
# Retries go on through long outages, but a reminder a day late helps nobody.
GIVE_UP_AFTER = timedelta(hours=24)
# Messages handed to the pacer at once: enough to keep it busy at Telegram's overall limit
# while round trips take a while.
MAX_IN_FLIGHT = 64
# On shutdown, messages still waiting for their turn after this long are left for the restart.
STOP_GRACE = 5.0


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … up to 10 minutes."""
    return min(timedelta(seconds=5 * 2 ** min(attempts, 10)), MAX_BACKOFF)


async def deliver_outbox(context: CourtyardContext) -> None:
    """Send what is due; each message is marked sent only when Telegram confirms it."""
    services = context.services
    run = services.outbox_run
    if run.lock.locked():
        return
    async with run.lock:
        expired = await services.outbox.expire(services.clock.now() - GIVE_UP_AFTER)
        if expired:
            logger.error(
                "Gave up on %d outbox message(s) unsent for a day: %s",
                len(expired),
                ", ".join(expired[:10]),
            )
        await _drain(context)


async def _drain(context: CourtyardContext) -> None:
    """Keep the paced path (`bot.pacing`) supplied until nothing is due.

    Each chat has at most one message on its way, so a chat's messages leave in order; the
    pacer decides when each one leaves. Sending many at once keeps the overall rate near
    Telegram's limit, where one at a time would wait for every round trip.
    """
    services = context.services
    in_flight: dict[asyncio.Task[None], int] = {}
    # Called while handling an update (to send at once what it queued), only what is due now
    # goes: the chat's next updates wait for this one.
    refills = 1 if current_update_id() is not None else None
    stopping_since: float | None = None
    try:
        while True:
            if (
                len(in_flight) <= MAX_IN_FLIGHT // 2
                and context.application.running
                and refills != 0
            ):
                refills = None if refills is None else refills - 1
                busy = set(in_flight.values())
                for entry in await services.outbox.due(limit=MAX_IN_FLIGHT + len(busy)):
                    if entry.chat_id in busy or len(in_flight) >= MAX_IN_FLIGHT:
                        continue
                    busy.add(entry.chat_id)
                    in_flight[asyncio.create_task(_send(context, entry))] = entry.chat_id
            if not in_flight:
                return
            done, _pending = await asyncio.wait(
                in_flight, timeout=1.0, return_when=asyncio.FIRST_COMPLETED
            )
            if not context.application.running:
                stopping_since = stopping_since or time.monotonic()
                if time.monotonic() - stopping_since > STOP_GRACE:
                    # Shutting down: what still waits for its turn (a group's minute) is
                    # sent after the restart; nothing is marked sent that was not.
                    for task in in_flight:
                        task.cancel()
                    return
            for task in done:
                del in_flight[task]
                task.result()  # an unexpected error ends the run (after the others finish)
    finally:
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)


async def _send(context: CourtyardContext, entry: OutboxEntry) -> None:
    services = context.services
    markup = (
        InlineKeyboardMarkup.de_json(entry.reply_markup, context.bot)
        if entry.reply_markup
        else None
    )
    try:
        if entry.photo is not None:
            await context.bot.send_photo(
                entry.chat_id,
                entry.photo,
                caption=entry.text or None,
                reply_markup=markup,
                reply_to_message_id=entry.reply_to_message_id,
            )
        else:
            await context.bot.send_message(
                entry.chat_id,
                entry.text,
                reply_markup=markup,
                reply_to_message_id=entry.reply_to_message_id,
            )
    except ChatMigrated as exc:
        # The group became a supergroup: move the chat's link and everything queued for it.
        await services.buildings.migrate_chat(entry.chat_id, exc.new_chat_id)
        await services.outbox.redirect(entry.chat_id, exc.new_chat_id)
        OUTBOX_SENDS.labels(result="migrated").inc()
    except RetryAfter as exc:
        retry_after = exc.retry_after
        delay = (
            retry_after
            if isinstance(retry_after, timedelta)
            else timedelta(seconds=float(retry_after))
        )
        await services.outbox.retry_later(entry.id, delay + timedelta(seconds=1), str(exc))
        OUTBOX_SENDS.labels(result="retry_after").inc()
    except Forbidden as exc:
        # Blocked, or never started: retrying cannot help; mention them where they read.
        await services.outbox.mark_failed(entry.id, str(exc))
        OUTBOX_SENDS.labels(result="forbidden").inc()
        if entry.chat_id > 0:
            await services.people.mark_blocked(entry.chat_id)
        if entry.fallback_chat_id is not None and entry.fallback_text:
            await services.outbox.add(
                [
                    OutgoingMessage(
                        f"{entry.dedup_key}|fallback", entry.fallback_chat_id, entry.fallback_text
                    )
                ]
            )
    except BadRequest as exc:
        logger.warning("Outbox message %s was refused: %s", entry.dedup_key, exc)
        await services.outbox.mark_failed(entry.id, str(exc))
        OUTBOX_SENDS.labels(result="refused").inc()
    except (NetworkError, TelegramError) as exc:
        # 5xx, timeouts, connection trouble: the message stays queued (`expire` ends that
        # after a day).
        await services.outbox.retry_later(entry.id, backoff(entry.attempts), str(exc))
        OUTBOX_SENDS.labels(result="network").inc()
    else:
        await services.outbox.mark_sent(entry)
        OUTBOX_SENDS.labels(result="sent").inc()


async def kick_outbox(context: CourtyardContext) -> None:
    """Send right away instead of waiting for the next tick."""
    await deliver_outbox(context)
