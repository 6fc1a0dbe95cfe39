"""Scheduled request housekeeping: resolved requests nobody rated close by themselves."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import CourtyardContext
from bot.domain.lifecycle import Action, CloseReason, Closure, Role
from handlers.request_flow import perform

logger = logging.getLogger(__name__)

AUTO_CLOSE_INTERVAL = timedelta(minutes=30)


async def close_unrated(context: CourtyardContext) -> None:
    """Close resolved requests whose residents did not answer within the rating window."""
    services = context.services
    if not services.caught_up.is_set():
        return  # a 👍/👎 pressed while the bot was down may still be waiting at Telegram
    window = timedelta(days=services.settings.requests.rating_days)
    for request in await services.requests.resolved_before(services.clock.now() - window):
        outcome = await perform(
            context,
            request,
            Action.CLOSE,
            None,
            roles=frozenset({Role.SYSTEM}),
            justification=Closure(CloseReason.NO_RATING_IN_TIME),
            note="no answer from the residents",
        )
        if outcome.request is not None:
            logger.info("Closed request #%d: nobody rated it in time", request.id)
