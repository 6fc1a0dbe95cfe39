"""The scheduled backup: once a day at `[backup] time`, and a word to the admin chat when a
backup fails or the newest good one grows older than two days (also with scheduled backups off).

Driven by the injectable clock at every tick (like the digests), so a backup missed while the
bot was down is made at the first tick after it starts, and tests move time by hand.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import JobQueue

from bot.backup import (
    LAST_GOOD_BACKUP,
    STALE_AFTER,
    decode_last_backup,
    remember_backup,
    rotate_backups,
    take_backup,
)
from bot.context import CourtyardContext
from bot.i18n import translator
from bot.metrics import BACKUPS
from bot.services import Services
from handlers.outbox import deliver_outbox
from storage.outbox import OutgoingMessage
from storage.snapshot import SnapshotError

logger = logging.getLogger(__name__)

BACKUP_JOB = "scheduled_backup"
BACKUP_TICK = timedelta(minutes=5)
RETRY_AFTER_FAILURE = timedelta(hours=1)
# bot_state keys
DONE_ON = "backup.done_on"  # local date of the last successful scheduled backup
RETRY_AT = "backup.retry_at"  # after a failure, not before this instant
WATCHING_SINCE = "backup.watching_since"  # when scheduled backups first ran here


def schedule_backups(queue: JobQueue[Any], services: Services) -> None:
    """Tick every few minutes (the tick decides from the clock whether a backup is due).

    With `[backup] time = "off"` the tick makes no backups but still warns when none has been
    made for two days (by `courtyard backup` from cron, say).
    """
    queue.run_repeating(
        scheduled_backup, interval=BACKUP_TICK, first=timedelta(minutes=1), name=BACKUP_JOB
    )


async def scheduled_backup(context: CourtyardContext) -> None:
    services = context.services
    now = services.clock.now()
    if await _backup_is_due(services, now):
        await _back_up(context, now)
    await _warn_if_stale(context, now)
    await deliver_outbox(context)


async def _backup_is_due(services: Services, now: datetime) -> bool:
    at = services.settings.backup.at
    if at is None:
        return False
    local = now.astimezone(services.settings.community.timezone)
    if local.time() < at or await services.state.get(DONE_ON) == local.date().isoformat():
        return False
    retry_at = await services.state.get(RETRY_AT)
    return not retry_at or now >= datetime.fromisoformat(retry_at)


async def _back_up(context: CourtyardContext, now: datetime) -> None:
    services = context.services
    settings = services.settings
    local_day = now.astimezone(settings.community.timezone).date().isoformat()
    try:
        snapshot = await take_backup(settings.storage.database, settings.backup.directory, now)
    except SnapshotError as exc:
        BACKUPS.labels(result="failed").inc()
        await services.state.set(RETRY_AT, (now + RETRY_AFTER_FAILURE).isoformat())
        logger.error("Scheduled backup failed: %s", exc)
        _ = translator(settings.community.language)
        await _tell_admins(
            services,
            f"backup-failed|{local_day}",
            _("⚠️ Today's database backup failed:\n<code>{reason}</code>").format(
                reason=html.escape(str(exc)[:300])
            ),
        )
        return
    BACKUPS.labels(result="ok").inc()
    await remember_backup(services.state, snapshot)
    await services.state.set(DONE_ON, local_day)
    await services.state.set(RETRY_AT, "")
    removed = await asyncio.to_thread(
        rotate_backups,
        settings.backup,
        settings.storage.database.stem,
        settings.community.timezone,
    )
    logger.info(
        "Backup written to %s (%d bytes, schema v%d); %d old backup(s) removed",
        snapshot.path,
        snapshot.size,
        snapshot.schema_version,
        len(removed),
    )


async def _warn_if_stale(context: CourtyardContext, now: datetime) -> None:
    """Once a day while the newest good backup is more than two days old (or there has been
    none for two days since scheduled backups began)."""
    services = context.services
    settings = services.settings
    last = decode_last_backup(await services.state.get(LAST_GOOD_BACKUP))
    since_text = await services.state.get(WATCHING_SINCE)
    if since_text is None:
        await services.state.set(WATCHING_SINCE, now.isoformat())
        since_text = now.isoformat()
    reference = last.at if last is not None else datetime.fromisoformat(since_text)
    if now - reference <= STALE_AFTER:
        return
    tz = settings.community.timezone
    _ = translator(settings.community.language)
    if last is None:
        text = _("⚠️ There is no backup of the database yet, two days after backups began.")
    else:
        text = _(
            "⚠️ The newest good backup of the database is from {when}, more than two days ago."
        ).format(when=last.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    await _tell_admins(services, f"backup-stale|{now.astimezone(tz).date().isoformat()}", text)


async def _tell_admins(services: Services, key: str, text: str) -> None:
    chat = services.settings.community.admin_chat_id
    if chat is None:
        logger.warning("No community.admin_chat_id to tell about: %s", key)
        return
    await services.outbox.add([OutgoingMessage(key, chat, text)])
