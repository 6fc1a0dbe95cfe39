"""When did the person act? Deadlines are judged by that, not by when the bot got to it."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.context import CourtyardContext


async def acted_at(update: Update, context: CourtyardContext) -> datetime:
    """A message's own date; for a button press (Telegram does not date them) the earliest
    moment it can have happened, as the intake recorded it (see `bot.runner`). A press made
    while the bot was down therefore counts from before the downtime ended: the person
    cannot be told apart from one who pressed just before the deadline."""
    message = update.message or update.edited_message
    if message is not None:
        return message.date
    stored = await context.services.inbox.arrived_after(update.update_id)
    return stored if stored is not None else context.services.clock.now()
