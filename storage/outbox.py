"""The durable outbox: reminders and escalations survive crashes and Telegram errors."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.clock import Clock, to_timestamp
from storage.database import Database

# Neither sent nor given up on.
_PENDING = "sent_at IS NULL AND failed_at IS NULL"


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to write to the outbox (not yet stored)."""

    dedup_key: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    fallback_chat_id: int | None = None
    fallback_text: str | None = None
    photo: bytes | None = None  # a picture, with `text` as its caption


@dataclass(frozen=True)
class OutboxEntry:
    """A stored message waiting to be sent."""

    id: int
    dedup_key: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    fallback_chat_id: int | None
    fallback_text: str | None
    attempts: int
    photo: bytes | None = None


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        id=int(row["id"]),
        dedup_key=str(row["dedup_key"]),
        chat_id=int(row["chat_id"]),
        text=str(row["text"]),
        reply_markup=None if row["reply_markup"] is None else json.loads(row["reply_markup"]),
        reply_to_message_id=row["reply_to_message_id"],
        fallback_chat_id=row["fallback_chat_id"],
        fallback_text=row["fallback_text"],
        attempts=int(row["attempts"]),
        photo=None if row["photo"] is None else bytes(row["photo"]),
    )


_INSERT = (
    "INSERT INTO outbox (dedup_key, chat_id, text, reply_markup, reply_to_message_id, "
    "fallback_chat_id, fallback_text, created_at, next_attempt_at, photo) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING"
)


def _values(message: OutgoingMessage, now: datetime) -> tuple[object, ...]:
    return (
        message.dedup_key,
        message.chat_id,
        message.text,
        None if message.reply_markup is None else json.dumps(message.reply_markup),
        message.reply_to_message_id,
        message.fallback_chat_id,
        message.fallback_text,
        to_timestamp(now),
        to_timestamp(now),
        message.photo,
    )


async def enqueue(conn: aiosqlite.Connection, message: OutgoingMessage, now: datetime) -> bool:
    """Add a message inside the caller's transaction; False if its key was queued before."""
    cursor = await conn.execute(_INSERT, _values(message, now))
    return cursor.rowcount == 1


def enqueue_on_thread(conn: sqlite3.Connection, message: OutgoingMessage, now: datetime) -> bool:
    """`enqueue` for work that runs on the database thread (`Database.write`), where a batch
    of messages costs one round trip instead of one each."""
    return conn.execute(_INSERT, _values(message, now)).rowcount == 1


class OutboxRepository:
    """Reads and writes `outbox`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(self, messages: list[OutgoingMessage]) -> int:
        """Queue messages in one transaction; returns how many were new."""
        async with self._db.transaction() as conn:
            added = 0
            for message in messages:
                added += await enqueue(conn, message, self._clock.now())
            return added

    async def add_or_fold(self, batch: str, message: OutgoingMessage) -> bool:
        """Queue `message` as one of `batch` (its dedup key `batch|…`), or give its text to
        the batch's message still waiting to be sent (many events, one message: a group may
        take only 20 a minute). True if it was queued as a new message."""
        low, high = f"{batch}|", f"{batch}}}"  # '}' sorts right after '|': a key range
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT id FROM outbox WHERE dedup_key >= ? AND dedup_key < ? AND {_PENDING} "
                "ORDER BY id LIMIT 1",
                (low, high),
            ) as cursor:
                waiting = await cursor.fetchone()
            if waiting is None:
                return await enqueue(conn, message, self._clock.now())
            await conn.execute(
                "UPDATE outbox SET text = ? WHERE id = ?", (message.text, int(waiting[0]))
            )
            return False

    async def known(self, dedup_key: str) -> bool:
        value = await self._db.fetch_value(
            "SELECT 1 FROM outbox WHERE dedup_key = ?", (dedup_key,)
        )
        return value is not None

    async def due(self, limit: int = 50) -> list[OutboxEntry]:
        """Messages whose time has come, each only once every earlier message to the same
        chat has left (a report in three parts never arrives as part 2, 3, 1)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox o WHERE o.sent_at IS NULL AND o.failed_at IS NULL "
            "AND o.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox e "
            "WHERE e.chat_id = o.chat_id AND e.id < o.id AND e.sent_at IS NULL "
            "AND e.failed_at IS NULL) ORDER BY o.next_attempt_at, o.id LIMIT ?",
            (to_timestamp(self._clock.now()), limit),
        )
        return [_entry(row) for row in rows]

    async def expire(self, written_before: datetime) -> list[str]:
        """Give up on unsent messages written before `written_before`; their keys."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT dedup_key FROM outbox WHERE {_PENDING} AND created_at < ?",
                (to_timestamp(written_before),),
            ) as cursor:
                keys = [str(row[0]) for row in await cursor.fetchall()]
            if keys:
                await conn.execute(
                    "UPDATE outbox SET failed_at = ?, last_error = coalesce(last_error, '') "
                    f"|| ' (expired)' WHERE {_PENDING} AND created_at < ?",
                    (to_timestamp(self._clock.now()), to_timestamp(written_before)),
                )
            return keys

    async def prune(self, finished_before: datetime) -> int:
        """Delete messages sent or given up on before `finished_before`; how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM outbox WHERE coalesce(sent_at, failed_at) < ?",
                (to_timestamp(finished_before),),
            )
            return cursor.rowcount

    async def pending_count(self) -> int:
        return int(await self._db.fetch_value(f"SELECT count(*) FROM outbox WHERE {_PENDING}"))

    async def mark_sent(self, entry: OutboxEntry) -> bool:
        """Record the message as sent; False (and it goes again) when its text was changed
        while it was on its way (`add_or_fold`), so the newer text is not lost."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ? AND text = ?",
                (to_timestamp(self._clock.now()), entry.id, entry.text),
            )
            if cursor.rowcount == 1:
                return True
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (entry.id,)
            )
            return False

    async def retry_later(self, entry_id: int, delay: timedelta, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ? "
            "WHERE id = ?",
            (to_timestamp(self._clock.now() + delay), error[:300], entry_id),
        )

    async def mark_failed(self, entry_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ? "
            "WHERE id = ?",
            (to_timestamp(self._clock.now()), error[:300], entry_id),
        )

    async def redirect(self, old_chat_id: int, new_chat_id: int) -> None:
        """Unsent messages for a group that became a supergroup go to its new id, now."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET chat_id = ?, next_attempt_at = ? "
                f"WHERE chat_id = ? AND {_PENDING}",
                (new_chat_id, to_timestamp(self._clock.now()), old_chat_id),
            )
            await conn.execute(
                "UPDATE outbox SET fallback_chat_id = ? "
                f"WHERE fallback_chat_id = ? AND {_PENDING}",
                (new_chat_id, old_chat_id),
            )
