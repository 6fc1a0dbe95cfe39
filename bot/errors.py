"""The error handler: log with traceback, tell the admin chat briefly."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import CourtyardContext
from bot.i18n import translator
from bot.logging_setup import redact
from bot.metrics import HANDLER_ERRORS
from bot.transient import is_transient

logger = logging.getLogger(__name__)


def describe_update(update: object) -> str:
    """Where an error happened, without any message text or personal data."""
    if not isinstance(update, Update):
        return "no update"
    kind = next(
        (name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "update"
    )
    chat = update.effective_chat
    where = f" in chat {chat.id}" if chat is not None else ""
    return f"update {update.update_id} ({kind}{where})"


async def report_error(update: object, context: CourtyardContext) -> None:
    """Log the exception with its traceback and send a short notice to the admin chat."""
    error = context.error
    settings = context.services.settings
    secrets = [settings.telegram.token]
    transient = is_transient(error)
    HANDLER_ERRORS.labels(transient=str(transient).lower()).inc()
    if (
        isinstance(update, Update)
        and transient
        and context.services.transient.note(update.update_id)
    ):
        # Telegram had a bad moment: the dispatcher handles the update again shortly.
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
    _ = translator(settings.community.language)
    summary = redact(f"{type(error).__name__}: {error}", secrets)[:500]
    text = _("⚠️ Courtyard hit an error while handling {where}:\n<code>{summary}</code>").format(
        where=html.escape(describe_update(update)), summary=html.escape(summary)
    )
    try:
        await context.bot.send_message(admin_chat, text)
    except TelegramError as exc:
        logger.warning("Could not tell the admin chat: %s", redact(str(exc), secrets))
