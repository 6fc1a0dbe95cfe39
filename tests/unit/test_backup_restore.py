"""`courtyard backup` and `courtyard restore`: consistent copies of a live database, checked,
and put back only when no bot runs on the database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backup import LAST_GOOD_BACKUP, decode_last_backup, rotate_backups
from bot.clock import SystemClock
from bot.config import BackupSettings
from bot.domain.community import CATEGORY_KEYS
from storage.database import Database
from storage.db_lock import DatabaseLocked, database_lock
from storage.migrations import MIGRATIONS
from storage.requests import NewRequest, RequestRepository
from storage.restore import restore
from storage.snapshot import (
    SnapshotError,
    backup_name,
    list_backups,
    take_snapshot,
    taken_at_of,
    verify,
)
from tests.data.schema_fixtures import make_fixture

ROOT = Path(__file__).resolve().parents[2]
NEWEST = MIGRATIONS[-1].version


def _courtyard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


async def _courtyard_async(*args: str) -> tuple[int, str, str]:
    """The CLI in a child process, without blocking this event loop (which keeps writing)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _config(tmp_path: Path, database: str = "live.db", extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase = "{database}"\n[backup]\ndirectory = "copies"\n{extra}',
        encoding="utf-8",
    )
    return config


def _names(directory: Path) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir())


def _requests(path: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(
            "SELECT r.id, r.category, r.description, r.status, count(e.id) FROM requests r "
            "LEFT JOIN request_events e ON e.request_id = r.id GROUP BY r.id ORDER BY r.id"
        ).fetchall()


async def test_backup_while_requests_are_written_restores_the_moment_of_the_backup(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    database = Database(tmp_path / "live.db")
    await database.open()
    repository = RequestRepository(database, SystemClock())
    written = 0
    stop = asyncio.Event()

    async def write_requests() -> None:
        nonlocal written
        while not stop.is_set():
            # One transaction writes the request, its supporter and its history line.
            await repository.create(
                NewRequest(
                    building_id=None,
                    chat_id=None,
                    source_message_id=None,
                    reporter_id=5000 + written % 7,
                    category=CATEGORY_KEYS[written % len(CATEGORY_KEYS)],
                    urgent=written % 5 == 0,
                    location=None,
                    description=f"报修 {written}: 3单元的灯坏了",
                )
            )
            written += 1
            await asyncio.sleep(0)

    async def wait_for(count: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while written < count:
            assert loop.time() < deadline, "the writer stalled"
            await asyncio.sleep(0.01)

    writer = asyncio.create_task(write_requests())
    try:
        await wait_for(20)
        before_backup = written
        code, out, err = await _courtyard_async("backup", "--config", str(config))
        assert code == 0, err
        after_backup = written
        await wait_for(after_backup + 20)
    finally:
        stop.set()
        await writer
    await database.close()

    copy = Path(out.strip())
    if not copy.is_absolute():
        copy = ROOT / copy
    assert copy.parent == tmp_path / "copies"
    assert taken_at_of(copy.name, "live") is not None
    snapshot = _requests(copy)
    # A moment in the middle of the writing, and a whole one: every request with its history.
    assert before_backup <= len(snapshot) <= after_backup
    assert [row[0] for row in snapshot] == list(range(1, len(snapshot) + 1))
    assert all(row[4] == 1 for row in snapshot)
    live = _requests(tmp_path / "live.db")
    assert len(live) >= len(snapshot) + 20
    assert live[: len(snapshot)] == snapshot  # the backup is the live database of that moment

    code, out, err = await _courtyard_async("restore", str(copy), "--config", str(config))
    assert code == 0, err
    assert _requests(tmp_path / "live.db") == snapshot
    replaced = [name for name in _names(tmp_path) if name.startswith("live.db.replaced-")]
    assert len(replaced) == 1
    assert _requests(tmp_path / replaced[0]) == live  # nothing was thrown away
    assert "kept at" in out


def test_backup_is_verified_named_with_its_time_and_remembered(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert _courtyard("migrate", "--config", str(config)).returncode == 0
    result = _courtyard("backup", "--config", str(config))
    assert result.returncode == 0, result.stderr
    copy = Path(result.stdout.strip())
    assert [path.name for path, _ in list_backups(tmp_path / "copies", "live")] == [copy.name]
    assert verify(tmp_path / "copies" / copy.name) == NEWEST
    with contextlib.closing(sqlite3.connect(tmp_path / "live.db")) as connection:
        (value,) = connection.execute(
            "SELECT value FROM bot_state WHERE key = ?", (LAST_GOOD_BACKUP,)
        ).fetchone()
    last = decode_last_backup(value)
    assert last is not None
    assert Path(last.path).name == copy.name
    assert abs(last.at - datetime.now(UTC)) < timedelta(minutes=5)


def test_backup_failure_is_one_line_and_non_zero(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert _courtyard("migrate", "--config", str(config)).returncode == 0
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    result = _courtyard("backup", "--config", str(config), "--to", str(blocker / "sub"))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("courtyard: backup failed: ")
    missing = _courtyard("backup", "--config", str(_config(tmp_path, "nothing-here.db")))
    assert missing.returncode == 1
    assert "database not found" in missing.stderr
    assert not list(tmp_path.rglob("*.partial"))


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page + 100, min(len(data), 3 * page), 7):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


async def test_verify_refuses_damaged_foreign_and_newer_files(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    database = Database(good)
    await database.open()
    await database.close()
    assert verify(good) == NEWEST

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(good.read_bytes())
    _damage(damaged)
    with pytest.raises(SnapshotError, match=r"integrity check failed|not a readable"):
        verify(damaged)

    text = tmp_path / "notes.db"
    text.write_text("not a database at all " * 100, encoding="utf-8")
    with pytest.raises(SnapshotError, match="not a readable SQLite database"):
        verify(text)

    foreign = tmp_path / "foreign.db"
    with contextlib.closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(SnapshotError, match="not a Courtyard database"):
        verify(foreign)

    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    with contextlib.closing(sqlite3.connect(newer)) as connection:
        connection.execute(f"PRAGMA user_version = {NEWEST + 1}")
    with pytest.raises(SnapshotError, match="newer than this Courtyard"):
        verify(newer)


async def test_restore_refuses_while_a_bot_holds_the_lock_and_changes_nothing(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live.db"
    database = Database(live)
    await database.open()
    await database.close()
    copy = take_snapshot(live, tmp_path / "copies", datetime.now(UTC)).path
    before = live.read_bytes()
    with database_lock(live):
        with pytest.raises(DatabaseLocked, match=str(os.getpid())):
            await restore(copy, live, datetime.now(UTC))
        result = _courtyard("restore", str(copy), "--config", str(_config(tmp_path)))
    assert result.returncode == 1
    assert result.stderr.startswith("courtyard: restore refused: a bot is running on")
    assert len(result.stderr.strip().splitlines()) == 1
    assert live.read_bytes() == before
    assert not [name for name in _names(tmp_path) if ".replaced-" in name or ".restoring" in name]


async def test_restore_refuses_a_damaged_backup_and_keeps_the_database(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    database = Database(live)
    await database.open()
    await database.execute("INSERT INTO bot_state (key, value) VALUES ('mark', 'live')")
    await database.close()
    copy = take_snapshot(live, tmp_path / "copies", datetime.now(UTC)).path
    _damage(copy)
    result = _courtyard("restore", str(copy), "--config", str(_config(tmp_path)))
    assert result.returncode == 1
    assert result.stderr.startswith("courtyard: restore failed: ")
    with contextlib.closing(sqlite3.connect(live)) as connection:
        assert connection.execute("SELECT value FROM bot_state WHERE key='mark'").fetchone() == (
            "live",
        )


async def test_restore_migrates_an_older_backup(tmp_path: Path) -> None:
    old = tmp_path / "from-2025.db"
    make_fixture.load(make_fixture.fixture_path(5).read_text(encoding="utf-8"), old)
    live = tmp_path / "live.db"
    database = Database(live)
    await database.open()
    await database.close()
    result = await restore(old, live, datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert (result.from_version, result.to_version) == (5, NEWEST)
    assert result.replaced == tmp_path / "live.db.replaced-20261201T030000Z"
    assert verify(live) == NEWEST
    assert verify(result.replaced) == NEWEST
    with contextlib.closing(sqlite3.connect(live)) as connection:
        (question,) = connection.execute("SELECT question FROM polls WHERE id = 1").fetchone()
    assert question == "空地改成小花园？"
    assert not [name for name in _names(tmp_path) if name.startswith("live.db-")]  # no old WAL
    assert verify(old) == 5  # the backup itself is left as it was


def test_rotation_keeps_recent_days_and_weeks_and_always_the_newest(tmp_path: Path) -> None:
    directory = tmp_path / "copies"
    directory.mkdir()
    start = datetime(2026, 10, 1, 19, 30, tzinfo=UTC)  # 03:30 in Shanghai
    for day in range(40):
        (directory / backup_name("live", start + timedelta(days=day))).write_bytes(b"x")
    (directory / "notes.txt").write_text("ours, not a backup", encoding="utf-8")
    (directory / "live-20261001T000000Z.db.partial").write_bytes(b"x")
    settings = BackupSettings(directory=directory, keep_daily=3, keep_weekly=2)
    removed = rotate_backups(settings, "live", UTC)
    kept = [taken_at for _, taken_at in list_backups(directory, "live")]
    newest = start + timedelta(days=39)
    assert newest in kept
    assert kept[-3:] == [newest - timedelta(days=2), newest - timedelta(days=1), newest]
    assert len(kept) <= 3 + 2
    assert len(removed) == 40 - len(kept)
    assert (directory / "notes.txt").exists()
    assert (directory / "live-20261001T000000Z.db.partial").exists()
    # However few copies the settings keep, the newest stays.
    rotate_backups(BackupSettings(directory=directory, keep_daily=1, keep_weekly=0), "live", UTC)
    assert [taken_at for _, taken_at in list_backups(directory, "live")] == [newest]


async def test_copies_are_exactly_as_private_as_the_database(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    database = Database(live)
    await database.open()
    await database.close()
    live.chmod(0o600)
    copy = take_snapshot(live, tmp_path / "copies", datetime.now(UTC)).path
    assert copy.stat().st_mode & 0o777 == 0o600
    live.chmod(0o640)
    await restore(copy, live, datetime.now(UTC))
    assert live.stat().st_mode & 0o777 == 0o640


async def test_restore_onto_a_new_machine_needs_no_database(tmp_path: Path) -> None:
    old = tmp_path / "copy.db"
    make_fixture.load(make_fixture.fixture_path(8).read_text(encoding="utf-8"), old)
    target = tmp_path / "fresh" / "courtyard.db"
    result = await restore(old, target, datetime.now(UTC))
    assert result.replaced is None
    assert verify(target) == NEWEST
    assert _names(target.parent) == ["courtyard.db", "courtyard.db.lock"]
