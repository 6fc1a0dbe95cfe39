"""The one place where every handler is registered, in order."""

from __future__ import annotations

from bot.context import CourtyardApplication
from handlers import (
    board,
    building_approval,
    care,
    conversations,
    followup,
    forget,
    household_add,
    households,
    language,
    list_views,
    meeting_wizard,
    meetings,
    membership,
    minutes,
    needs,
    polls,
    projects,
    reminders,
    reports,
    request_actions,
    request_category,
    request_intake,
    request_private,
    roles,
    setup,
    stale_buttons,
    start,
    surveys,
    tracking,
)

# Handler groups run in ascending order; within a group the first match wins.
BOOKKEEPING_GROUP = -2
GUARD_GROUP = -1
FEATURE_GROUP = 0


def register_handlers(application: CourtyardApplication) -> None:
    """Attach all handlers to the application."""
    application.add_handler(tracking.handler(), group=BOOKKEEPING_GROUP)
    application.add_handler(stale_buttons.guard(), group=GUARD_GROUP)
    feature_handlers = [
        *membership.handlers(),
        *start.handlers(),
        *language.handlers(),
        *setup.handlers(),
        *building_approval.handlers(),
        *roles.handlers(),
        *households.handlers(),
        *forget.handlers(),
        *household_add.handlers(),
        *polls.handlers(),
        *reminders.handlers(),
        *reports.handlers(),
        *surveys.handlers(),
        *care.handlers(),
        *request_actions.handlers(),
        *request_category.handlers(),
        *request_private.handlers(),
        # The three lists (their photo captions must come before the request intake).
        *needs.handlers(),
        *projects.handlers(),
        *meeting_wizard.handlers(),
        *meetings.handlers(),
        *minutes.handlers(),
        *followup.handlers(),
        *board.handlers(),
        *list_views.handlers(),
        # Ordinary group messages are classified; keep after every command handler.
        *request_intake.handlers(),
        # Plain text in private chats answers whatever the bot asked last; keep it last.
        *conversations.handlers(),
        # Button presses nobody recognised are still answered.
        stale_buttons.fallback(),
    ]
    for feature_handler in feature_handlers:
        application.add_handler(feature_handler, group=FEATURE_GROUP)
