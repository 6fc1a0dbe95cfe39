"""The one place where every handler is registered, in order."""

from __future__ import annotations

from bot.context import CourtyardApplication
from handlers import (
    care,
    conversations,
    households,
    language,
    membership,
    polls,
    reminders,
    reports,
    request_actions,
    request_intake,
    request_private,
    roles,
    setup,
    start,
    surveys,
    tracking,
)

# Handler groups run in ascending order; within a group the first match wins.
BOOKKEEPING_GROUP = -1
FEATURE_GROUP = 0


def register_handlers(application: CourtyardApplication) -> None:
    """Attach all handlers to the application."""
    application.add_handler(tracking.handler(), group=BOOKKEEPING_GROUP)
    feature_handlers = [
        *membership.handlers(),
        *start.handlers(),
        *language.handlers(),
        *setup.handlers(),
        *roles.handlers(),
        *households.handlers(),
        *polls.handlers(),
        *reminders.handlers(),
        *reports.handlers(),
        *surveys.handlers(),
        *care.handlers(),
        *request_actions.handlers(),
        *request_private.handlers(),
        # Ordinary group messages are classified; keep after every command handler.
        *request_intake.handlers(),
        # Plain text in private chats answers whatever the bot asked last; keep it last.
        *conversations.handlers(),
    ]
    for feature_handler in feature_handlers:
        application.add_handler(feature_handler, group=FEATURE_GROUP)
