"""The scheduled backup, driven by the test clock: once a day at its time, rotated, and the
admin chat told (through the outbox) when it fails or the last good one is too old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.backup import LAST_GOOD_BACKUP, decode_last_backup
from bot.clock import FakeClock
from bot.sandbox import BotApiEmulator
from handlers.backups import BACKUP_JOB
from storage.snapshot import list_backups, verify
from tests.e2e.harness import RunningBot, running_bot, settings_for

# 02:00 in Shanghai on Tuesday 24 November 2026.
START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


async def _tick(bot: RunningBot) -> None:
    """Run the backup job now (its real interval is five minutes; the clock here is fake).

    Its own schedule is paused, so that a slow test never sees a tick it did not ask for.
    """
    job = next(j for j in bot.application.job_queue.jobs() if j.name == BACKUP_JOB)
    job.enabled = False
    await job.run(bot.application)


def _copies(directory: Path) -> list[datetime]:
    return [taken_at for _, taken_at in list_backups(directory, "courtyard")]


async def test_scheduled_backup_follows_the_test_clock_rotates_and_warns(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    admin = emulator.create_user("Ada", language_code="en")
    emulator.user_starts_bot(admin)
    directory = tmp_path / "backups"
    settings = settings_for(
        emulator,
        tmp_path / "courtyard.db",
        community={"language": "en", "admins": [admin.id], "admin_chat_id": admin.id},
        backup={"directory": str(directory), "time": "03:30", "keep_daily": 2, "keep_weekly": 0},
    )
    clock = FakeClock(START)
    async with running_bot(emulator, settings, clock) as bot:
        await _tick(bot)
        assert _copies(directory) == []  # 02:00: not yet

        clock.set(START + timedelta(hours=1, minutes=31))  # 03:31
        await _tick(bot)
        assert _copies(directory) == [clock.now().replace(microsecond=0)]
        copy = list_backups(directory, "courtyard")[0][0]
        assert verify(copy) == await bot.services.database.schema_version()
        last = decode_last_backup(await bot.services.state.get(LAST_GOOD_BACKUP))
        assert last is not None
        assert last.path == str(copy)
        await _tick(bot)
        assert len(_copies(directory)) == 1  # once a day

        for _ in range(3):
            clock.advance(timedelta(days=1))
            await _tick(bot)
        days = _copies(directory)
        assert days == [clock.now() - timedelta(days=1), clock.now()]  # keep_daily = 2

        # The backup directory becomes unusable: the next backup fails.
        directory.rename(tmp_path / "backups.moved")
        directory.write_text("a file where the directory was", encoding="utf-8")
        clock.advance(timedelta(days=1))
        await _tick(bot)
        failed = await emulator.wait_for_message(admin, containing="backup failed")
        assert "cannot create backup directory" in failed.content
        await _tick(bot)  # retried after an hour at the earliest; told once a day
        assert len([m for m in emulator.messages(admin) if "backup failed" in m.content]) == 1
        assert not [m for m in emulator.messages(admin) if "more than two days" in m.content]

        clock.advance(timedelta(days=1, hours=1))  # the last good one is now 2 days 1 h old
        await _tick(bot)
        stale = await emulator.wait_for_message(admin, containing="more than two days ago")
        assert "2026-11-27 03:31" in stale.content
        await _tick(bot)
        assert len([m for m in emulator.messages(admin) if "more than two" in m.content]) == 1
        sent = [c for c in emulator.calls("sendMessage") if c.params["chat_id"] == admin.id]
        assert all(c.ok for c in sent)
        assert await bot.services.outbox.known("backup-stale|2026-11-29")  # keyed by local day


async def test_no_backup_for_two_days_is_reported_even_with_scheduled_backups_off(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    admin = emulator.create_user("Ada", language_code="en")
    emulator.user_starts_bot(admin)
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory", encoding="utf-8")
    settings = settings_for(
        emulator,
        tmp_path / "courtyard.db",
        community={"language": "en", "admin_chat_id": admin.id},
        backup={"directory": str(blocked / "sub")},
    )
    clock = FakeClock(START)
    async with running_bot(emulator, settings, clock) as bot:
        await _tick(bot)  # 02:00: nothing due, but the watch begins
        clock.advance(timedelta(days=2, minutes=1))
        await _tick(bot)
        await emulator.wait_for_message(admin, containing="no backup of the database yet")

    # Scheduled backups off: none is made, but two days without one are still reported.
    off = settings_for(
        emulator,
        tmp_path / "other.db",
        community={"language": "en", "admin_chat_id": admin.id},
        backup={"time": "off", "directory": str(tmp_path / "other-backups")},
    )
    clock = FakeClock(START)
    async with running_bot(emulator, off, clock) as bot:
        await _tick(bot)
        clock.advance(timedelta(days=2, hours=2))  # 04:00, two days on
        await _tick(bot)
        await emulator.wait_for_message(admin, containing="no backup of the database yet", count=2)
        assert _copies(tmp_path / "other-backups") == []
