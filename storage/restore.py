"""Put a backup back in place of the database, keeping the database it replaces."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.database import Database
from storage.db_lock import database_lock
from storage.migrations import MigrationError
from storage.snapshot import (
    STAMP_FORMAT,
    SnapshotError,
    copy_database,
    fsync_directory,
    match_owner_and_mode,
    verify,
)

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` did."""

    database: Path
    from_version: int
    to_version: int
    replaced: Path | None  # where the database that was there before now is


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _settle(database: Path) -> None:
    """Fold the -wal file into the database file, so the file alone is the whole database.

    Needs the database to be idle: any other connection (a `courtyard status`, a backup)
    makes this fail instead of losing what that connection sees.
    """
    try:
        connection = sqlite3.connect(database, isolation_level=None, timeout=5)
        with contextlib.closing(connection):
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.Error as exc:
        raise SnapshotError(f"{database}: cannot set the current database aside ({exc})") from None
    if str(mode).lower() != "delete":
        raise SnapshotError(f"{database}: in use by another program; stop it and try again")


async def _migrate(staging: Path) -> tuple[int, int]:
    database = Database(staging)
    await database.open(migrate=False)
    try:
        before = await database.schema_version()
        await database.migrate()
        after = await database.schema_version()
        # The bot switches it back to WAL when it opens it.
        await database.connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        await database.close()
    return before, after


async def restore(source: Path, database: Path, now: datetime) -> RestoreResult:
    """Replace `database` by the backup `source`, migrated to the current schema.

    Refuses (`DatabaseLocked`) while a bot runs on `database`, and (`SnapshotError`) when the
    backup is damaged or not a Courtyard database. The old database is renamed to
    `<database>.replaced-<time>` beside it; nothing is deleted.
    """
    await asyncio.to_thread(_check_source, source, database)
    with database_lock(database):
        staging = database.with_name(database.name + ".restoring")
        try:
            await asyncio.to_thread(_stage, source, staging)
            from_version, to_version = await _migrate(staging)
            await asyncio.to_thread(verify, staging, expected_version=to_version)
        except (sqlite3.Error, MigrationError, SnapshotError, OSError) as exc:
            _remove_with_side_files(staging)
            if isinstance(exc, SnapshotError):
                raise
            raise SnapshotError(f"{source}: cannot restore ({exc})") from None
        replaced = await asyncio.to_thread(_swap_in, staging, database, now)
    return RestoreResult(database, from_version, to_version, replaced)


def _check_source(source: Path, database: Path) -> None:
    if source.resolve() == database.resolve():
        raise SnapshotError(f"{source}: that is the database itself")
    verify(source)


def _stage(source: Path, staging: Path) -> None:
    _remove_with_side_files(staging)
    copy_database(source, staging)


def _swap_in(staging: Path, database: Path, now: datetime) -> Path | None:
    """Set the current database aside (renamed, complete) and move the staged one in."""
    replaced: Path | None = None
    if database.exists():
        match_owner_and_mode(staging, database)
        _settle(database)
        stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
        replaced = database.with_name(f"{database.name}.replaced-{stamp}")
        os.rename(database, replaced)
    try:
        for suffix in _SIDE_FILES:
            # Left over from the old database they would be read as part of the new one.
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(staging, database)
    except OSError:
        if replaced is not None and not database.exists():
            os.rename(replaced, database)
        raise
    fsync_directory(database.parent)
    return replaced
