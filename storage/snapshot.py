"""Consistent copies of a live database, and checks that a copy is a usable Courtyard database.

`VACUUM INTO` reads the database in one read transaction, so the copy is the state of one
moment even while the bot keeps writing (WAL readers never block writers), and it is compact
and self-contained (no -wal file to forget). A file copy of a live database could catch a
write half-done and is never used.

Everything here is blocking: call it in a worker thread from async code.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.migrations import MIGRATIONS

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
PARTIAL_SUFFIX = ".partial"
# Tables every Courtyard database has had since version 1.
_CORE_TABLES = frozenset({"inbox", "bot_state", "people", "chats"})


class SnapshotError(Exception):
    """A backup or restore check failed; the message is one line for the operator."""


@dataclass(frozen=True)
class Snapshot:
    """A verified copy of the database."""

    path: Path
    taken_at: datetime
    schema_version: int
    size: int


def newest_known_version() -> int:
    return MIGRATIONS[-1].version


def backup_name(stem: str, taken_at: datetime) -> str:
    """`courtyard-20261124T033000Z.db`: UTC, so names sort in time order everywhere."""
    return f"{stem}-{taken_at.astimezone(UTC).strftime(STAMP_FORMAT)}.db"


def backup_pattern(stem: str) -> re.Pattern[str]:
    """Matches the names `backup_name` gives (with a `-N` suffix for same-second copies)."""
    return re.compile(rf"^{re.escape(stem)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?\.db$")


def taken_at_of(name: str, stem: str) -> datetime | None:
    """The time in a backup's name, or None when the file is not one of ours."""
    match = backup_pattern(stem).match(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)


def list_backups(directory: Path, stem: str) -> list[tuple[Path, datetime]]:
    """Our finished backups in `directory`, oldest first (partial files are not listed)."""
    if not directory.is_dir():
        return []
    pattern = backup_pattern(stem)
    found = []
    for entry in directory.iterdir():
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        taken_at = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
        found.append((taken_at, int(match.group(2) or 0), entry))
    return [(entry, taken_at) for taken_at, _, entry in sorted(found)]


def _connect_read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("PRAGMA busy_timeout = 5000")
    return connection


def schema_version_of(path: Path) -> int:
    """`PRAGMA user_version` of a database file (read-only)."""
    with contextlib.closing(_connect_read_only(path)) as connection:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])


def verify(path: Path, *, expected_version: int | None = None) -> int:
    """Check that `path` is an intact Courtyard database; returns its schema version.

    Raises `SnapshotError` naming what is wrong: not SQLite, damaged (integrity_check),
    not a Courtyard database, or a schema this Courtyard does not know.
    """
    if not path.is_file():
        raise SnapshotError(f"{path}: no such file")
    try:
        with contextlib.closing(_connect_read_only(path)) as connection:
            problems = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                str(row[0])
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"{path}: not a readable SQLite database ({exc})") from None
    if problems != ["ok"]:
        raise SnapshotError(f"{path}: integrity check failed: {'; '.join(problems[:3])}")
    if version < 1 or not tables >= _CORE_TABLES:
        raise SnapshotError(f"{path}: not a Courtyard database (schema version {version})")
    if version > newest_known_version():
        raise SnapshotError(
            f"{path}: schema version {version} is newer than this Courtyard knows "
            f"({newest_known_version()}); upgrade Courtyard first"
        )
    if expected_version is not None and version != expected_version:
        raise SnapshotError(
            f"{path}: copy has schema version {version}, the database {expected_version}"
        )
    return version


def _free_name(directory: Path, stem: str, taken_at: datetime) -> Path:
    target = directory / backup_name(stem, taken_at)
    counter = 1
    while target.exists() or target.with_name(target.name + PARTIAL_SUFFIX).exists():
        target = directory / backup_name(stem, taken_at).replace(".db", f"-{counter}.db")
        counter += 1
    return target


def take_snapshot(database: Path, directory: Path, taken_at: datetime) -> Snapshot:
    """Copy the live `database` into `directory` under a timestamped name and verify it.

    The copy is written as `<name>.partial`, checked, synced, and only then renamed, so a
    file with a backup's name is always a complete, verified copy.
    """
    if not database.is_file():
        raise SnapshotError(f"{database}: database not found")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SnapshotError(f"{directory}: cannot create backup directory ({exc})") from None
    target = _free_name(directory, database.stem, taken_at)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        with contextlib.closing(_connect_read_only(database)) as source:
            source_version = int(source.execute("PRAGMA user_version").fetchone()[0])
            # Bound parameter: the path may contain quotes.
            source.execute("VACUUM INTO ?", (str(partial),))
        version = verify(partial, expected_version=source_version)
        match_owner_and_mode(partial, database)
        _fsync(partial)
        os.replace(partial, target)
        fsync_directory(directory)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise SnapshotError(f"{database}: backup failed ({exc})") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SnapshotError(f"{target}: cannot write backup ({exc.strerror or exc})") from None
    except SnapshotError:
        partial.unlink(missing_ok=True)
        raise
    return Snapshot(target, taken_at, version, target.stat().st_size)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of `source` (live or not) at `target`, which must not exist."""
    with contextlib.closing(_connect_read_only(source)) as connection:
        connection.execute("VACUUM INTO ?", (str(target),))
    _fsync(target)


def match_owner_and_mode(path: Path, like: Path) -> None:
    """Give a copy the permissions (and, when run as root, the owner) of the database.

    A backup holds what the database holds, so it is exactly as readable; and a file that root
    restored or backed up stays usable by the service account.
    """
    reference = like.stat()
    os.chmod(path, reference.st_mode & 0o777)
    if os.geteuid() == 0:
        os.chown(path, reference.st_uid, reference.st_gid)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_directory(directory: Path) -> None:
    """Make the rename durable too (a crash right after must not lose the new name)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
