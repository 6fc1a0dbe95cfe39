"""Courtyard: a Telegram bot for apartment-building group chats."""

import os

# Opt in to python-telegram-bot's timedelta durations now, rather than receive a
# deprecation warning each time a RetryAfter is inspected.
os.environ.setdefault("PTB_TIMEDELTA", "true")

__version__ = "0.1.0"
