"""`courtyard backup`, `courtyard restore` and `courtyard status`.

Each prints its result on stdout and, on failure, one line on stderr with a non-zero exit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.backup import backup_now
from bot.clock import SystemClock
from bot.config import Settings
from bot.status import status_command
from storage.db_lock import DatabaseLocked
from storage.restore import restore
from storage.snapshot import SnapshotError


def _fail(what: str, problem: object) -> int:
    print(f"courtyard: {what}: {problem}", file=sys.stderr)
    return 1


def backup(settings: Settings, args: argparse.Namespace) -> int:
    target: Path | None = args.to
    try:
        snapshot = asyncio.run(backup_now(settings, SystemClock(), target))
    except SnapshotError as exc:
        return _fail("backup failed", exc)
    print(snapshot.path)
    return 0


def restore_backup(settings: Settings, args: argparse.Namespace) -> int:
    source: Path = args.file
    database = settings.storage.database
    try:
        result = asyncio.run(restore(source, database, SystemClock().now()))
    except DatabaseLocked as exc:
        return _fail("restore refused", f"a bot is running on {database} ({exc}); stop it first")
    except SnapshotError as exc:
        return _fail("restore failed", exc)
    migrated = (
        f", migrated from schema v{result.from_version} to v{result.to_version}"
        if result.from_version != result.to_version
        else f", schema v{result.to_version}"
    )
    print(f"restored {source} into {database}{migrated}")
    if result.replaced is not None:
        print(f"the database it replaced is kept at {result.replaced}")
    return 0


def status(settings: Settings, _args: argparse.Namespace) -> int:
    return status_command(settings, SystemClock().now())


OPERATIONS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "backup": backup,
    "restore": restore_backup,
    "status": status,
}
