"""Sending the outbox: retries with backoff, flood control, and a fallback for blocked users."""

from __future__ import annotations

import logging
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
from bot.metrics import OUTBOX_SENDS
from storage.outbox import OutboxEntry, OutgoingMessage

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
# Retries go on through long outages, but a reminder a day late helps nobody.
GIVE_UP_AFTER = timedelta(hours=24)
MAX_ROUNDS_PER_TICK = 5


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … up to 10 minutes."""
    return min(timedelta(seconds=5 * 2 ** min(attempts, 10)), MAX_BACKOFF)


async def deliver_outbox(context: CourtyardContext) -> None:
    """Send what is due; each message is marked sent only when Telegram confirms it."""
    services = context.services
    pacer = services.pacer
    if pacer.lock.locked():
        return
    async with pacer.lock:
        expired = await services.outbox.expire(services.clock.now() - GIVE_UP_AFTER)
        if expired:
            logger.error(
                "Gave up on %d outbox message(s) unsent for a day: %s",
                len(expired),
                ", ".join(expired[:10]),
            )
        # A chat's next message becomes due once the one before it has left, so look again
        # after each round (a few rounds: the rest waits for the next tick).
        for _round in range(MAX_ROUNDS_PER_TICK):
            ready = [e for e in await services.outbox.due() if pacer.may_send(e.chat_id)]
            if not ready:
                return
            # `due` gives at most one message per chat, so `ready` holds each chat once.
            for entry in ready:
                await pacer.wait_turn()
                await _send(context, entry)


async def _send(context: CourtyardContext, entry: OutboxEntry) -> None:
    services = context.services
    services.pacer.sent(entry.chat_id)  # attempts count against the rate, not only successes
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
        await services.outbox.mark_sent(entry.id)
        OUTBOX_SENDS.labels(result="sent").inc()


async def kick_outbox(context: CourtyardContext) -> None:
    """Send right away instead of waiting for the next tick."""
    await deliver_outbox(context)
