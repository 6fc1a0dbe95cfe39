"""One aiosqlite connection per process, with serialized `BEGIN IMMEDIATE` writes.

Long scheduled jobs read through a second connection (`job_reads`): aiosqlite runs each
connection on its own thread, so a job's reads never queue in front of a command's, and WAL
lets them read while the writer writes.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import aiosqlite

from storage.migrations import MIGRATIONS, Migration, apply_migrations

logger = logging.getLogger(__name__)

Params = Sequence[Any]
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

# Set inside a job's task (never a command's): its reads go to the job connection.
_JOB_READS: ContextVar[bool] = ContextVar("courtyard_job_reads", default=False)

# Tables whose changes are counted (`Database.generation`), so that what is read from them on
# every update can be cached and known stale the moment any write changes them; each with the
# column that keys its rows for `Database.row_generation`.
WATCHED_TABLES = {"buildings": "id", "chats": "id", "people": "id", "roles": "person_id"}
_CHANGED_FUNCTION = "courtyard_table_changed"
# Rows are counted in this many buckets per table (a change to a row stales its bucket).
ROW_BUCKETS = 4096


class Database:
    """The process-wide SQLite connection.

    Reads go straight to the connection. Writes go through `transaction()`, which holds an
    async lock so that two coroutines never interleave statements inside one transaction.

    Every statement awaited on an aiosqlite connection is a round trip to its thread (about
    0.1 ms of CPU each, and a wait). `fetch_*`, `execute` and `write` do all their work in
    one round trip: on the hot path (every update) that is most of the cost.
    """

    def __init__(self, path: Path | str, *, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self._migrations = migrations
        self._connection: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._mapped_jobs = 0  # jobs inside `mapped_job_reads`
        self._job_connection: aiosqlite.Connection | None = None
        self._job_connection_lock = asyncio.Lock()
        self._generations = dict.fromkeys(WATCHED_TABLES, 0)
        self._row_generations = {table: [0] * ROW_BUCKETS for table in WATCHED_TABLES}

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("database is not open")
        return self._connection

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    async def open(self, *, migrate: bool = True) -> None:
        """Connect, configure the connection, and bring the schema up to date."""
        if self._connection is not None:
            return
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        connection = await aiosqlite.connect(self.path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA busy_timeout = 5000")
        await connection.execute("PRAGMA synchronous = NORMAL")
        # Deleted rows (a /forgetme, pruned messages) are overwritten, not left in free pages.
        await connection.execute("PRAGMA secure_delete = ON")
        self._connection = connection
        await connection.create_function(_CHANGED_FUNCTION, -1, self._note_change)
        if migrate:
            await self.migrate()
        else:
            await self._watch_tables()

    async def close(self) -> None:
        """Close the connections (idempotent)."""
        if self._job_connection is not None:
            job_connection, self._job_connection = self._job_connection, None
            await job_connection.close()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    @asynccontextmanager
    async def job_reads(self) -> AsyncIterator[None]:
        """Within this block (in this task only), reads use the job connection."""
        if str(self.path) != ":memory:":
            await self._open_job_connection()
        token = _JOB_READS.set(True)
        try:
            yield
        finally:
            _JOB_READS.reset(token)

    # How much of the file the job connection maps in `mapped_job_reads` (SQLite reads the
    # rest of a larger file as usual).
    JOB_MAP_BYTES = 1 << 30

    @asynccontextmanager
    async def mapped_job_reads(self) -> AsyncIterator[None]:
        """Within this block (every task's job reads), the job connection reads the file
        through a memory map: a job that reads pages from all over a large database (the
        district's digest: 140,000 requests' rows) spends about a third less CPU on it than
        with a copy of every page. Mapped pages count in the process's RSS until the block
        ends (they are the page cache's, not the process's own)."""
        if str(self.path) == ":memory:":
            yield
            return
        await self._open_job_connection()
        self._mapped_jobs += 1
        try:
            if self._mapped_jobs == 1 and self._job_connection is not None:
                await self._job_connection.execute(f"PRAGMA mmap_size = {self.JOB_MAP_BYTES}")
            yield
        finally:
            self._mapped_jobs -= 1
            if self._mapped_jobs == 0 and self._job_connection is not None:
                await self._job_connection.execute("PRAGMA mmap_size = 0")

    async def _open_job_connection(self) -> None:
        async with self._job_connection_lock:
            if self._job_connection is not None or self._connection is None:
                return
            connection = await aiosqlite.connect(self.path, isolation_level=None)
            connection.row_factory = sqlite3.Row
            await connection.execute("PRAGMA busy_timeout = 5000")
            await connection.execute("PRAGMA query_only = ON")
            self._job_connection = connection

    @property
    def _reader(self) -> aiosqlite.Connection:
        if _JOB_READS.get() and self._job_connection is not None:
            return self._job_connection
        return self.connection

    async def migrate(self) -> list[int]:
        """Apply pending migrations; returns the versions applied."""
        async with self._write_lock:
            applied = await apply_migrations(self.connection, self._migrations)
        await self._watch_tables()
        return applied

    def generation(self, *tables: str) -> int:
        """How many times rows of these tables (of `WATCHED_TABLES`) were inserted, updated or
        deleted through this connection: a value read while this stays the same is current.

        Counted by TEMP triggers (this connection's own, never in the file) calling back into
        Python on the database thread, so a write by any code path counts. Other processes
        do not write these tables while the bot runs (`courtyard restore` refuses to)."""
        return sum(self._generations[table] for table in tables)

    def row_generation(self, table: str, key: int) -> int:
        """Like `generation`, for the rows of `table` whose key column (`WATCHED_TABLES`) is
        `key` (and the few that share its bucket)."""
        return self._row_generations[table][key % ROW_BUCKETS]

    def _note_change(self, table: str, *keys: object) -> None:
        # On the database thread, inside the write; the GIL keeps each increment whole.
        self._generations[table] += 1
        buckets = self._row_generations[table]
        for key in keys:
            if isinstance(key, int):
                buckets[key % ROW_BUCKETS] += 1
            else:  # not an integer key: every bucket is stale
                for bucket in range(ROW_BUCKETS):
                    buckets[bucket] += 1

    async def _watch_tables(self) -> None:
        await _run_on(self.connection, _create_watch_triggers)
        for table in WATCHED_TABLES:  # a migration may have rewritten them
            self._note_change(table, None)

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database and truncate it, so bytes deleted
        before are gone from the log file too. False if a reader kept it from finishing."""
        async with (
            self._write_lock,
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor,
        ):
            row = await cursor.fetchone()
        return row is not None and int(row[0]) == 0

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
        async with self._write_lock:
            connection = self.connection
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                await connection.execute("COMMIT")
            except BaseException:
                # SQLite ends the transaction itself on some errors (a full disk): then there
                # is nothing to roll back, and the original error is the one to report.
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                # Other tasks read on this connection between this transaction's statements,
                # so a value cached meanwhile may be one that was just rolled back.
                self._forget_uncommitted()
                raise

    def _forget_uncommitted(self) -> None:
        for table in WATCHED_TABLES:
            self._note_change(table, None)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` with the plain sqlite3 connection on the database thread, in one round
        trip. For reads; writes go through `write` or `transaction`."""
        return await _run_on(self.connection, work)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """A write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error) doing `work`
        with the plain sqlite3 connection, all in one round trip to the database thread."""
        async with self._write_lock:
            return await self.run(partial(_in_transaction, work))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; returns lastrowid."""
        return await self.write(partial(execute_statement, sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return await self.read(partial(_fetch_one, sql, params))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self.read(partial(_fetch_all, sql, params))

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Several reads in one round trip: `work` on the connection this task reads from (a
        job's own, or the main one)."""
        return await _run_on(self._reader, work)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


async def _run_on(connection: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work` on the connection's database thread, in one round trip."""
    # aiosqlite's own way of running a call on its thread (what each of its methods uses).
    result = await connection._execute(work, connection._conn)  # type: ignore[no-untyped-call]
    return cast(T, result)


def _create_watch_triggers(connection: sqlite3.Connection) -> None:
    existing = {
        str(row[0])
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table, key in WATCHED_TABLES.items():
        if table not in existing:
            continue  # not created yet (an empty file opened without migrating)
        for operation, keys in (
            ("INSERT", f"NEW.{key}"),
            ("UPDATE", f"OLD.{key}, NEW.{key}"),
            ("DELETE", f"OLD.{key}"),
        ):
            connection.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS watch_{table}_{operation.lower()} "
                f"AFTER {operation} ON main.{table} "
                f"BEGIN SELECT {_CHANGED_FUNCTION}('{table}', {keys}); END"
            )


def _in_transaction(work: Callable[[sqlite3.Connection], T], connection: sqlite3.Connection) -> T:
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result


def execute_statement(sql: str, params: Params, connection: sqlite3.Connection) -> int:
    """One statement (for `Database.write`); returns lastrowid."""
    return connection.execute(sql, params).lastrowid or 0


def _fetch_one(sql: str, params: Params, connection: sqlite3.Connection) -> sqlite3.Row | None:
    cursor = connection.execute(sql, params)
    try:
        row: sqlite3.Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


def _fetch_all(sql: str, params: Params, connection: sqlite3.Connection) -> list[sqlite3.Row]:
    return connection.execute(sql, params).fetchall()


class ReadCache(Generic[K, V]):
    """Values read from watched tables, each kept with the stamp (generations, see
    `Database.generation`) taken before it was read: an entry is good while the stamp is."""

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._entries: dict[K, tuple[object, V]] = {}

    def get(self, key: K, stamp: object) -> tuple[bool, V | None]:
        """(found, value): found only when read under the same stamp."""
        entry = self._entries.get(key)
        if entry is None or entry[0] != stamp:
            return False, None
        return True, entry[1]

    def put(self, key: K, stamp: object, value: V) -> None:
        if len(self._entries) >= self._limit:
            self._entries.clear()  # what fits is plenty; anything beyond starts over
        self._entries[key] = (stamp, value)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def placeholders(values: Iterable[object]) -> str:
    """`?, ?, ?` for an IN (...) clause."""
    return ", ".join("?" for _ in values)
