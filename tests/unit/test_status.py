"""`courtyard status`: what it reports, when it asks for attention, and that it stays cheap
and read-only."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backup import remember_backup
from bot.clock import FakeClock, to_timestamp
from bot.config import load_settings
from bot.status import age, collect_status
from storage import ops_queries
from storage.database import Database
from storage.inbox import StoredUpdate, UpdateInbox
from storage.outbox import OutboxRepository, OutgoingMessage
from storage.snapshot import take_snapshot
from storage.state import StateRepository

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\ndatabase = "c.db"\n', encoding="utf-8")
    return config


def _status(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "status", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


async def _database(tmp_path: Path) -> Database:
    database = Database(tmp_path / "c.db")
    await database.open()
    return database


async def _with_fresh_backup(database: Database, tmp_path: Path, now: datetime) -> None:
    snapshot = take_snapshot(database.path, tmp_path / "backups", now)
    await remember_backup(StateRepository(database), snapshot)


async def test_status_reflects_a_stuck_outbox_and_exits_non_zero(tmp_path: Path) -> None:
    config = _config(tmp_path)
    database = await _database(tmp_path)
    now = datetime.now(UTC)
    await _with_fresh_backup(database, tmp_path, now)
    healthy = _status(config)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.strip().splitlines()[-1] == "OK"

    clock = FakeClock(now - timedelta(hours=2, minutes=5))
    await OutboxRepository(database, clock).add(
        [
            OutgoingMessage("digest|1", 4242, "您有 2 个待处理的报修"),
            OutgoingMessage("digest|2", 4243, "You have 1 open request"),
        ]
    )
    await database.close()
    stuck = _status(config)
    assert stuck.returncode == 1
    lines = stuck.stdout.strip().splitlines()
    outbox = next(line for line in lines if line.startswith("outbox"))
    assert "2 message(s) waiting, oldest 2 h 5 min" in outbox
    assert lines[-1].startswith("ATTENTION: ")
    assert "outbox is stuck" in lines[-1]
    # Read-only: no message text leaks into the report.
    assert "报修" not in stuck.stdout


async def test_status_lists_every_figure(tmp_path: Path) -> None:
    database = await _database(tmp_path)
    clock = FakeClock(NOW - timedelta(minutes=30))
    inbox = UpdateInbox(database, clock)
    await inbox.store([StoredUpdate(1, "{}"), StoredUpdate(2, "{}")])
    await inbox.mark_handled(1)
    outbox = OutboxRepository(database, clock)
    await outbox.add([OutgoingMessage("a", 1, "x"), OutgoingMessage("b", 2, "y")])
    due = await outbox.due()
    await outbox.mark_failed(due[0].id, "Forbidden: bot was blocked by the user")
    created = to_timestamp(NOW - timedelta(days=5))
    for status in ("new", "in_progress", "resolved", "closed"):
        await database.execute(
            "INSERT INTO requests (category, urgent, description, status, created_at, "
            "updated_at) VALUES ('water', 0, 'x', ?, ?, ?)",
            (status, created, created),
        )
    await database.execute(
        "INSERT INTO requests (category, urgent, description, status, created_at, updated_at) "
        "VALUES ('water', 0, 'fresh', 'new', ?, ?)",
        (to_timestamp(NOW), to_timestamp(NOW)),
    )
    await _with_fresh_backup(database, tmp_path, NOW - timedelta(days=3))
    await database.close()

    settings = load_settings(_config(tmp_path))
    report = collect_status(settings, NOW)
    text = "\n".join(report.lines)
    assert "schema v" in text
    assert "1 update(s) waiting, oldest 30 min" in text
    assert "1 message(s) waiting, oldest 30 min" in text
    assert "1 failed in the last day" in text
    assert "3 open, 2 overdue" in text  # 5 days old: past the 72 h to resolve
    assert "last received 30 min ago" in text
    assert "last good 3 d 0 h ago" in text
    assert sorted(report.attention) == sorted(
        [
            "an update has waited 30 min to be handled",
            "the newest backup is 3 d 0 h old",
        ]
    )


def test_status_without_database_or_backup_needs_attention(tmp_path: Path) -> None:
    result = _status(_config(tmp_path))
    assert result.returncode == 1
    assert "does not exist" in result.stdout
    assert not (tmp_path / "c.db").exists()  # status creates nothing


async def test_status_is_read_only(tmp_path: Path) -> None:
    database = await _database(tmp_path)
    await database.close()
    path = tmp_path / "c.db"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    report = collect_status(load_settings(_config(tmp_path)), NOW)
    assert "there is no backup" in report.attention
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", sorted(ops_queries.ALL))
async def test_status_queries_use_an_index(name: str, tmp_path: Path) -> None:
    database = await _database(tmp_path)
    await database.close()
    sql, params = ops_queries.ALL[name]
    with contextlib.closing(sqlite3.connect(tmp_path / "c.db")) as connection:
        plan = [str(row[3]) for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    full_scans = [step for step in plan if step.startswith("SCAN") and "INDEX" not in step]
    assert plan
    assert full_scans == [], plan


def test_age_reads_naturally() -> None:
    assert age(timedelta(seconds=42)) == "42 s"
    assert age(timedelta(minutes=12, seconds=5)) == "12 min"
    assert age(timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert age(timedelta(days=2, hours=4, minutes=59)) == "2 d 4 h"
    assert age(timedelta(seconds=-5)) == "0 s"
