"""The error handler: log with traceback, tell the admin chat briefly (and not too often)."""

from __future__ import annotations

import html
import logging
from typing import Any, cast

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.domain.error_notices import OVERFLOW_KEY, WINDOW, error_key
from bot.i18n import translator
from bot.logging_setup import redact
from bot.metrics import HANDLER_ERRORS
from bot.transient import is_transient
from storage.outbox import OutgoingMessage
from storage.trouble import storage_trouble

logger = logging.getLogger(__name__)

FOLLOW_UP_JOB = "error-notice-follow-up"


def update_kind(update: object) -> str:
    """The kind of update ("message", "callback_query", …), or "no update"."""
    if not isinstance(update, Update):
        return "no update"
    return next(
        (name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "update"
    )


def describe_update(update: object) -> str:
    """Where an error happened, without any message text or personal data."""
    if not isinstance(update, Update):
        return "no update"
    chat = update.effective_chat
    where = f" in chat {chat.id}" if chat is not None else ""
    return f"update {update.update_id} ({update_kind(update)}{where})"


async def report_error(update: object, context: CourtyardContext) -> None:
    """Log the exception with its traceback and send a short notice to the admin chat."""
    error = context.error
    services = context.services
    settings = services.settings
    secrets = [settings.telegram.token]
    transient = is_transient(error)
    HANDLER_ERRORS.labels(transient=str(transient).lower()).inc()
    trouble = None if error is None else storage_trouble(error)
    if (
        isinstance(update, Update)
        and transient
        and services.transient.note(update.update_id, until_done=trouble is not None)
    ):
        # Telegram (or the database) had a bad moment: the dispatcher handles the update
        # again shortly.
        if trouble is not None:
            logger.error(
                "Cannot handle %s: %s (%s); it will be handled again",
                describe_update(update),
                trouble,
                error,
            )
            return
        logger.warning(
            "Telegram error while handling %s (%s); it will be handled again",
            describe_update(update),
            redact(str(error), secrets),
        )
        return
    logger.error("Error while handling %s", describe_update(update), exc_info=error)
    admin_chat = settings.community.admin_chat_id
    if admin_chat is None or error is None:
        return
    summary = redact(f"{type(error).__name__}: {error}", secrets)[:500]
    key = error_key(type(error).__name__, redact(str(error), secrets), update_kind(update))
    decision = services.error_notices.occurred(key, summary, services.clock.now())
    queue = cast("JobQueue[Any] | None", context.application.job_queue)
    if decision.opened is not None and queue is not None:
        queue.run_once(send_follow_up, when=WINDOW, data=decision.opened, name=FOLLOW_UP_JOB)
    if not decision.report_now:
        return
    _ = translator(settings.community.language)
    text = _("⚠️ Courtyard hit an error while handling {where}:\n<code>{summary}</code>").format(
        where=html.escape(describe_update(update)), summary=html.escape(summary)
    )
    try:
        await context.bot.send_message(admin_chat, text)
    except TelegramError as exc:
        logger.warning("Could not tell the admin chat: %s", redact(str(exc), secrets))


async def send_follow_up(context: CourtyardContext) -> None:
    """An hour after an error was reported: how often it came back meanwhile (if at all),
    queued in the outbox like every scheduled message."""
    assert context.job is not None
    key = str(context.job.data)
    services = context.services
    window = services.error_notices.close_window(key)
    admin_chat = services.settings.community.admin_chat_id
    if window is None or admin_chat is None:
        return
    _ = translator(services.settings.community.language)
    if key == OVERFLOW_KEY:
        text = _(
            "⚠️ {count} more error(s) of other kinds in the last hour; the log has the details."
        ).format(count=window.repeats)
    else:
        text = _(
            "⚠️ The same error happened {count} more time(s) in the last hour:\n"
            "<code>{summary}</code>"
        ).format(count=window.repeats, summary=html.escape(window.summary))
    stamp = int(window.started.timestamp())
    await services.outbox.add(
        [OutgoingMessage(f"error-follow-up:{stamp}:{key}", admin_chat, text)]
    )
