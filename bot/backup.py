"""Backups: take one, remember the last good one, rotate old ones, restore one.

Used by `courtyard backup` / `courtyard restore` and by the bot's scheduled backup job.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from bot.clock import Clock
from bot.config import BackupSettings, Settings
from bot.domain.retention import backups_to_keep
from storage.database import Database
from storage.snapshot import Snapshot, list_backups, take_snapshot
from storage.state import StateRepository

logger = logging.getLogger(__name__)

LAST_GOOD_BACKUP = "backup.last_good"
# The admin chat hears about it when the newest good backup is older than this.
STALE_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class LastBackup:
    """The newest backup known to be good (written and verified)."""

    at: datetime
    path: str


def encode_last_backup(snapshot: Snapshot) -> str:
    return json.dumps({"at": snapshot.taken_at.isoformat(), "path": str(snapshot.path)})


def decode_last_backup(value: str | None) -> LastBackup | None:
    if not value:
        return None
    try:
        data = json.loads(value)
        return LastBackup(datetime.fromisoformat(data["at"]), str(data["path"]))
    except (ValueError, KeyError, TypeError):
        return None


async def take_backup(database: Path, directory: Path, now: datetime) -> Snapshot:
    """A verified copy of the live database (the copying runs in a worker thread)."""
    return await asyncio.to_thread(take_snapshot, database, directory, now)


async def remember_backup(state: StateRepository, snapshot: Snapshot) -> None:
    """Note the backup in the database, for `courtyard status` and the staleness warning."""
    await state.set(LAST_GOOD_BACKUP, encode_last_backup(snapshot))


def rotate_backups(settings: BackupSettings, stem: str, tz: tzinfo) -> list[Path]:
    """Delete backups beyond what `[backup]` keeps; returns the deleted paths.

    Only files named like our backups are considered, and the newest is always kept.
    """
    backups = list_backups(settings.directory, stem)
    keep = backups_to_keep(backups, tz, daily=settings.keep_daily, weekly=settings.keep_weekly)
    removed = []
    for path, _ in backups:
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


async def backup_now(settings: Settings, clock: Clock, to: Path | None = None) -> Snapshot:
    """`courtyard backup`: copy, verify, remember; rotate when writing to `[backup]`'s
    directory. Raises `SnapshotError` when the copy could not be made or checked."""
    database_path = settings.storage.database
    snapshot = await take_backup(database_path, to or settings.backup.directory, clock.now())
    database = Database(database_path)
    await database.open(migrate=False)
    try:
        await remember_backup(StateRepository(database), snapshot)
    except sqlite3.Error as exc:
        # The copy is good; only the note for `status` is missing.
        logger.warning("Backup made, but it could not be noted in the database: %s", exc)
    finally:
        await database.close()
    if to is None:
        removed = rotate_backups(settings.backup, database_path.stem, settings.community.timezone)
        for path in removed:
            logger.info("Removed old backup %s", path)
    return snapshot
