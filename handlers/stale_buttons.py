"""Button presses whose data the bot cannot have made: answered, so the spinner stops.

A button press carries up to 64 bytes that the client sends back as they are; an outdated
client, a forged request or a message from an older version of the bot can send anything.
Every press is answered: data that is malformed (not ASCII, too long, a number SQLite cannot
hold) is stopped before any feature handler sees it, and data no handler recognises is
answered last.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, TypeHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.numbers import SQLITE_MAX_INTEGER
from handlers.common import answer_quietly, translator_for

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for callback_data
_NUMBER = re.compile(r"[0-9]+")


def well_formed(data: str | None) -> bool:
    """Whether button data could have come from this bot: short ASCII whose numbers all fit
    SQLite. (Which data a feature accepts is for its own pattern to say.)"""
    if not data or not data.isascii() or len(data.encode()) > CALLBACK_DATA_LIMIT:
        return False
    return all(int(number) <= SQLITE_MAX_INTEGER for number in _NUMBER.findall(data))


async def answer_out_of_date(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    if query is None:
        return
    _ = await translator_for(update, context)
    await answer_quietly(query, _("This button is out of date."), show_alert=True)


async def stop_malformed(update: Update, context: CourtyardContext) -> None:
    """Runs before the feature handlers: malformed data goes no further."""
    query = update.callback_query
    if query is None or well_formed(query.data):
        return
    await answer_out_of_date(update, context)
    raise ApplicationHandlerStop


def guard() -> CourtyardHandler:
    return TypeHandler(Update, stop_malformed)


def fallback() -> CourtyardHandler:
    """Registered after every feature handler: presses nobody else recognised."""
    return CallbackQueryHandler(answer_out_of_date)
