"""Logging: one line per event, tagged with the update and chat being handled, as text or
JSON, and never the bot token or message contents."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO


@dataclass(frozen=True)
class UpdateTag:
    """Which update (and chat) a log line belongs to."""

    update_id: int
    chat_id: int | None


# Loggers of Courtyard's own code (module names), which alone log at DEBUG when asked.
OWN_LOGGERS = ("bot", "handlers", "storage", "courtyard")

# Set by the dispatcher around the handling of one update; tasks started meanwhile inherit it.
CURRENT_UPDATE: ContextVar[UpdateTag | None] = ContextVar("courtyard_update", default=None)


@contextlib.contextmanager
def tagged(update_id: int, chat_id: int | None) -> Iterator[None]:
    """Tag every log line written inside the block with this update and chat."""
    token = CURRENT_UPDATE.set(UpdateTag(update_id, chat_id))
    try:
        yield
    finally:
        CURRENT_UPDATE.reset(token)


class RedactingFilter(logging.Filter):
    """Replaces secrets (the bot token) in every record with a placeholder."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = redact(message, self._secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later; pre-format them redacted.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info), self._secrets)
            record.exc_info = None
        return True


class UpdateTagFilter(logging.Filter):
    """Adds `update_id` and `chat_id` (None outside an update) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        tag = CURRENT_UPDATE.get()
        record.update_id = None if tag is None else tag.update_id
        record.chat_id = None if tag is None else tag.chat_id
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [update 12 chat -100…]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        update_id = getattr(record, "update_id", None)
        if update_id is None:
            return line
        chat_id = getattr(record, "chat_id", None)
        head, newline, rest = line.partition("\n")
        return f"{head} [update {update_id} chat {chat_id}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, update_id, chat_id, error."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            data["update_id"] = update_id
            data["chat_id"] = getattr(record, "chat_id", None)
        if record.exc_text:
            data["error"] = record.exc_text
        elif record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<token>")
    return text


def configure_logging(
    level: str, secrets: list[str], *, log_format: str = "text", stream: IO[str] | None = None
) -> None:
    """Log to stderr at `level`, with secrets redacted from every handler's output."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RedactingFilter(secrets))
    handler.addFilter(UpdateTagFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # DEBUG is for Courtyard's own modules. Libraries log what passes through them at DEBUG
    # (python-telegram-bot whole updates and API parameters, aiosqlite query parameters):
    # names, phone numbers, message texts, which never go to our logs.
    numeric = logging.getLevelName(level)
    root.setLevel(max(logging.INFO, numeric))
    for ours in OWN_LOGGERS:
        logging.getLogger(ours).setLevel(numeric)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
