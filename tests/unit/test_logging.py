"""Log lines: one per event, tagged with update and chat, text or JSON, token redacted."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import OWN_LOGGERS, configure_logging, tagged

TOKEN = "123456:AAH-secret-token-value"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    own = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, own_level in own.items():
        logging.getLogger(name).setLevel(own_level)


def _log_some(logger: logging.Logger) -> None:
    logger.info("Starting")
    with tagged(880001, -1001234567890):
        logger.info("Handled update %s (%s) in %.0f ms", 880001, "message", 12.3)
        try:
            raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/sendMessage failed\nbadly")
        except RuntimeError:
            logger.exception("Error while handling update 880001")


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_update_and_chat_and_never_the_token() -> None:
    stream = io.StringIO()
    configure_logging("INFO", [TOKEN], log_format="json", stream=stream)
    _log_some(logging.getLogger("courtyard.test"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # one line per event, tracebacks included
    records = [json.loads(line) for line in lines]
    assert "update_id" not in records[0]
    assert records[1]["update_id"] == 880001
    assert records[1]["chat_id"] == -1001234567890
    assert records[1]["message"] == "Handled update 880001 (message) in 12 ms"
    assert records[2]["level"] == "ERROR"
    assert "RuntimeError" in records[2]["error"]
    assert "<token>" in records[2]["error"]
    assert TOKEN not in stream.getvalue()
    assert TOKEN.split(":")[1] not in stream.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_are_tagged_with_update_and_chat() -> None:
    stream = io.StringIO()
    configure_logging("INFO", [TOKEN], stream=stream)
    _log_some(logging.getLogger("courtyard.test"))
    text = stream.getvalue()
    first, second = text.splitlines()[:2]
    assert first.endswith("courtyard.test: Starting")
    assert second.endswith("in 12 ms [update 880001 chat -1001234567890]")
    assert TOKEN not in text


@pytest.mark.usefixtures("restore_logging")
def test_library_payload_logging_stays_off_even_at_debug() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN], log_format="json", stream=stream)
    logging.getLogger("telegram.ext.Application").debug("Processing update {'text': '3-502'}")
    logging.getLogger("telegram._bot").debug("Calling sendMessage with {'text': 'phone'}")
    logging.getLogger("aiosqlite").debug("executing INSERT with ('13800138000',)")
    logging.getLogger("courtyard.test").debug("our own debug line")
    logging.getLogger("storage.outbox").debug("storage debug line")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        "our own debug line",
        "storage debug line",
    ]
