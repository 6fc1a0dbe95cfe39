"""A database that cannot be written (locked by another process, read-only, a full disk):
the bot says so in a clear log line, leaves the updates unacknowledged at Telegram instead of
dropping them, and handles every one of them once the database works again."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, eventually, running_bot, settings_for

TROUBLES = {
    "locked": "the database is locked by another process",
    "read-only": "the database is read-only",
    "disk full": "the disk is full",
}


@contextlib.asynccontextmanager
async def trouble(kind: str, bot: RunningBot, path: Path) -> AsyncIterator[None]:
    """Real SQLite failures: another process holding the write lock, the bot's connection
    made read-only, or its database not allowed to grow (as on a full disk)."""
    connection = bot.services.database.connection
    if kind == "locked":
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    elif kind == "read-only":
        await connection.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            await connection.execute("PRAGMA query_only = OFF")
    else:
        async with connection.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await connection.execute(f"PRAGMA max_page_count = {int(row[0])}")
        try:
            yield
        finally:
            await connection.execute("PRAGMA max_page_count = 1073741823")


@pytest.mark.parametrize("kind", list(TROUBLES))
async def test_updates_wait_at_telegram_until_the_database_works_again(
    emulator: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO)
    database = tmp_path / "c.db"
    users = [emulator.create_user(f"Resident {n}") for n in range(30)]
    async with running_bot(emulator, settings_for(emulator, database)) as bot:
        async with trouble(kind, bot, database):
            for user in users:
                emulator.user_starts_bot(user)

            async def said_so() -> bool:
                return any(
                    record.levelno >= logging.ERROR and TROUBLES[kind] in record.getMessage()
                    for record in caplog.records
                )

            await eventually(said_so, timeout=30, description=f"a log line: {TROUBLES[kind]}")
            # Nothing that could not be stored was confirmed to Telegram.
            assert emulator.pending_update_count > 0
        ids = {user.id for user in users}

        async def everyone_answered() -> bool:
            return ids <= {int(c.params["chat_id"]) for c in emulator.calls("sendMessage") if c.ok}

        await eventually(everyone_answered, timeout=60, description="a reply to every /start")
        await bot.settle(timeout=30)
    replies = Counter(int(c.params["chat_id"]) for c in emulator.calls("sendMessage") if c.ok)
    assert all(replies[user_id] == 1 for user_id in ids)  # none dropped, none twice
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL").fetchone() == (
            0,
        )
        assert conn.execute("SELECT count(*) FROM inbox").fetchone() == (30,)
