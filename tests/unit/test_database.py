"""The database: pragmas, atomic migrations, serialized write transactions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrations import MIGRATIONS, Migration, MigrationError, split_statements


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    await db.open()
    try:
        assert await db.schema_version() == max(m.version for m in MIGRATIONS)
        assert (await db.fetch_value("PRAGMA journal_mode")) == "wal"
        assert (await db.fetch_value("PRAGMA foreign_keys")) == 1
        assert (await db.fetch_value("PRAGMA busy_timeout")) == 5000
    finally:
        await db.close()


async def test_failing_migration_rolls_back_with_its_version(tmp_path: Path) -> None:
    steps = (
        Migration(1, "one", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "two", "CREATE TABLE b (y INTEGER);\nINSERT INTO nowhere VALUES (1);"),
    )
    db = Database(tmp_path / "c.db", migrations=steps)
    with pytest.raises(MigrationError, match="migration 2"):
        await db.open()
    assert await db.schema_version() == 1
    tables = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
    assert "a" in tables
    assert "b" not in tables
    await db.close()


async def test_newer_database_than_code_is_refused(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    await db.open()
    await db.connection.execute("PRAGMA user_version = 999")
    await db.close()
    again = Database(tmp_path / "c.db")
    with pytest.raises(MigrationError, match="newer"):
        await again.open()
    await again.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    await db.open()

    async def insert_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO bot_state (key, value) VALUES ('k', 'v')")
            raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError):
            await insert_then_fail()
        assert await db.fetch_value("SELECT count(*) FROM bot_state") == 0
    finally:
        await db.close()


async def test_concurrent_transactions_do_not_interleave(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    await db.open()

    async def increment(n: int) -> None:
        async with db.transaction() as conn:
            async with conn.execute(
                "SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM bot_state"
            ) as cur:
                row = await cur.fetchone()
            assert row is not None
            await asyncio.sleep(0)  # let others try to sneak in
            await conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?)", (f"k{n}", str(row[0] + 1))
            )

    try:
        await asyncio.gather(*(increment(n) for n in range(50)))
        values = sorted(int(r[0]) for r in await db.fetch_all("SELECT value FROM bot_state"))
        assert values == list(range(1, 51))
    finally:
        await db.close()


def test_split_statements_keeps_triggers_whole() -> None:
    script = """
    CREATE TABLE t (x INTEGER); -- comment
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET x = 1; UPDATE t SET x = 2;
    END;
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")


def test_split_statements_rejects_unfinished_sql() -> None:
    with pytest.raises(MigrationError):
        split_statements("CREATE TABLE t (x INTEGER)")


async def test_mapped_job_reads_map_the_file_until_the_last_block_ends(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    await db.open()

    async def job_mmap_size() -> int:
        async with db.job_reads():
            return int(await db.fetch_value("PRAGMA mmap_size"))

    try:
        assert await job_mmap_size() == 0
        async with db.mapped_job_reads():
            assert await job_mmap_size() > 0
            assert await db.fetch_value("PRAGMA mmap_size") == 0  # commands' reads: as before
            async with db.mapped_job_reads():  # a second job, overlapping
                assert await job_mmap_size() > 0
            assert await job_mmap_size() > 0
        assert await job_mmap_size() == 0
    finally:
        await db.close()
