"""`courtyard status`: a few lines about the bot's health, read-only, for people and monitors.

Exit status 0 when all is well, 1 when something needs attention (an update waiting too long,
a stuck outbox, no recent backup), so `courtyard status` can itself be a monitoring check.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.backup import LAST_GOOD_BACKUP, STALE_AFTER, LastBackup, decode_last_backup
from bot.clock import from_timestamp
from bot.config import Settings
from bot.domain.sla import RequestTimes, SlaOverrides, SlaPolicy, Urgency, sla_state
from storage import ops_queries as q
from storage.buildings import name_key
from storage.db_lock import lock_path_for
from storage.migrations import MIGRATIONS
from storage.snapshot import list_backups

# An update not handled within this is stuck (handlers normally take well under a second).
INBOX_LATE = timedelta(minutes=5)
# Outgoing messages retry with up to 10 minutes of backoff; an hour unsent means trouble.
OUTBOX_STUCK = timedelta(hours=1)


@dataclass
class StatusReport:
    """What `courtyard status` prints, and what needs attention."""

    lines: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)

    def add(self, label: str, text: str) -> None:
        self.lines.append(f"{label:<10} {text}")


def age(delta: timedelta) -> str:
    """`45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min"


def _size(path: Path) -> str:
    """The database with its -wal file, in B / KB / MB / GB."""
    files = (path, Path(f"{path}-wal"))
    size = float(sum(file.stat().st_size for file in files if file.exists()))
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def bot_process(database: Path) -> int | None:
    """The pid of a bot running on this database (from its lock file), if alive."""
    try:
        pid = int(lock_path_for(database).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, owned by another user (the service account)
    return pid


def collect_status(settings: Settings, now: datetime) -> StatusReport:
    """Read the database (read-only) and describe it."""
    report = StatusReport()
    path = settings.storage.database
    if not path.exists():
        report.add("database", f"{path}: does not exist")
        report.attention.append("no database")
        return report
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            connection.execute("PRAGMA busy_timeout = 5000")
            _describe(connection, settings, now, report)
    except sqlite3.Error as exc:
        # E.g. a database from before the outbox existed: `courtyard migrate` first.
        report.add("error", f"cannot read {path}: {exc}")
        report.attention.append("the database cannot be read")
    return report


def _describe(
    connection: sqlite3.Connection, settings: Settings, now: datetime, report: StatusReport
) -> None:
    path = settings.storage.database
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    newest = MIGRATIONS[-1].version
    pending = "" if version == newest else f" ({newest - version} migration(s) pending)"
    report.add("database", f"{path}: {_size(path)}, schema v{version}{pending}")
    pid = bot_process(path)
    report.add("bot", f"running (pid {pid})" if pid else "not running on this machine")

    waiting, oldest = connection.execute(q.INBOX_WAITING).fetchone()
    text = f"{waiting} update(s) waiting"
    if waiting:
        late = now - from_timestamp(int(oldest))
        text += f", oldest {age(late)}"
        if late > INBOX_LATE:
            report.attention.append(f"an update has waited {age(late)} to be handled")
    report.add("inbox", text)

    waiting, oldest = connection.execute(q.OUTBOX_WAITING).fetchone()
    text = f"{waiting} message(s) waiting"
    if waiting:
        late = now - from_timestamp(int(oldest))
        text += f", oldest {age(late)}"
        if late > OUTBOX_STUCK:
            report.attention.append(f"the outbox is stuck: a message has waited {age(late)}")
    report.add("outbox", text)

    day_ago = int((now - timedelta(days=1)).timestamp())
    (failed,) = connection.execute(q.FAILED_SENDS_SINCE, (day_ago,)).fetchone()
    report.add("sends", f"{failed} failed in the last day")

    open_count, overdue = _requests(connection, settings, now)
    report.add("requests", f"{open_count} open, {overdue} overdue")

    row = connection.execute(q.LAST_UPDATE).fetchone()
    report.add(
        "updates",
        "none received in the last days"
        if row is None
        else f"last received {age(now - from_timestamp(int(row[0])))} ago",
    )
    _backup_line(connection, settings, now, report)


def _requests(
    connection: sqlite3.Connection, settings: Settings, now: datetime
) -> tuple[int, int]:
    keys = {str(key): int(id_) for id_, key in connection.execute(q.BUILDING_KEYS)}
    overrides: dict[int, SlaOverrides] = {}
    for declaration in settings.buildings:
        building_id = keys.get(name_key(declaration.name))
        if building_id is not None and (declaration.sla.by_urgency or declaration.sla.by_category):
            overrides[building_id] = declaration.sla
    policy: SlaPolicy = replace(settings.sla, building_overrides=overrides)
    open_count = overdue = 0
    for building_id, category, urgent, created, responded, reopened in connection.execute(
        q.OPEN_REQUESTS
    ):
        open_count += 1
        times = RequestTimes(
            created_at=from_timestamp(created),
            responded_at=None if responded is None else from_timestamp(responded),
            reopened_at=None if reopened is None else from_timestamp(reopened),
        )
        urgency = Urgency.URGENT if urgent else Urgency.NORMAL
        deadlines = policy.deadlines_for(str(category), urgency, building_id or 0, times)
        overdue += sla_state(times, deadlines, now).is_overdue
    return open_count, overdue


def _backup_line(
    connection: sqlite3.Connection, settings: Settings, now: datetime, report: StatusReport
) -> None:
    row = connection.execute(q.STATE_VALUE, (LAST_GOOD_BACKUP,)).fetchone()
    last = decode_last_backup(None if row is None else str(row[0]))
    # Backups that could not be noted in the database still count.
    found = list_backups(settings.backup.directory, settings.storage.database.stem)
    if found and (last is None or found[-1][1] > last.at):
        last = LastBackup(found[-1][1], str(found[-1][0]))
    if last is None:
        report.add("backup", "none yet (run `courtyard backup`)")
        report.attention.append("there is no backup")
        return
    ago = now - last.at
    report.add("backup", f"last good {age(ago)} ago: {last.path}")
    if ago > STALE_AFTER:
        report.attention.append(f"the newest backup is {age(ago)} old")


def status_command(settings: Settings, now: datetime) -> int:
    report = collect_status(settings, now)
    for line in report.lines:
        print(line)
    if report.attention:
        print("ATTENTION: " + "; ".join(report.attention))
        return 1
    print("OK")
    return 0
