"""Scheduled request housekeeping: resolved requests nobody rated close by themselves, and
intakes Telegram kept failing are finished."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.error import TelegramError

from bot.context import CourtyardContext
from bot.domain.lifecycle import Action, CloseReason, Closure, RequestStatus, Role
from handlers.request_flow import complete_intake, perform
from storage.requests import Request

logger = logging.getLogger(__name__)

AUTO_CLOSE_INTERVAL = timedelta(minutes=30)
UNFINISHED_INTAKE_INTERVAL = timedelta(minutes=1)
CLOSE_PAGE = 200
# Longer than an update's own attempts take (retries after 2 s and 10 s, flood waits), so the
# job never races the handler that is still posting the card.
UNFINISHED_AFTER = timedelta(minutes=10)


async def close_unrated(context: CourtyardContext) -> None:
    """Close resolved requests whose residents did not answer within the rating window."""
    services = context.services
    if not services.caught_up.is_set():
        return  # a 👍/👎 pressed while the bot was down may still be waiting at Telegram
    window = timedelta(days=services.settings.requests.rating_days)
    now = services.clock.now()
    after: tuple[datetime, int] | None = None
    while True:
        # The due index holds resolved requests at the end of their rating window.
        async with services.database.job_reads():
            page = await services.requests.due(
                now, [RequestStatus.RESOLVED], after=after, limit=CLOSE_PAGE
            )
        for request in page:
            await _close_if_unrated(context, request, now - window)
        if len(page) < CLOSE_PAGE:
            return
        last = page[-1]
        assert last.next_due_at is not None
        after = (last.next_due_at, last.id)
        await asyncio.sleep(0)  # let commands in between pages


async def _close_if_unrated(context: CourtyardContext, request: Request, cutoff: datetime) -> None:
    services = context.services
    if request.resolved_at is not None and request.resolved_at > cutoff:
        # Stored before the window was known (or it grew): wait for its real end.
        await services.requests.set_next_due(
            request.id,
            request.resolved_at + (services.clock.now() - cutoff),
            expected=request.next_due_at,
        )
        return
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


async def finish_intakes(context: CourtyardContext) -> None:
    """Requests whose card or routing Telegram kept failing, even after the update's retries:
    finish them now (nothing is lost to a long Telegram outage)."""
    services = context.services
    await _finish_intakes(context, services.clock.now() - UNFINISHED_AFTER)


async def finish_left_over_intakes(context: CourtyardContext) -> None:
    """Once at start, after the updates that waited were handled: requests the previous
    process left without their routing (it is finished after the update, `bot.intake_tails`,
    so a crash can cut it short after the update was done) are finished now, not in ten
    minutes. `context.job.data`: the newest request number when this process started (the
    requests after it are this process's own)."""
    job = context.job
    if job is not None and isinstance(job.data, int):
        await _finish_intakes(context, None, up_to_id=job.data)


async def _finish_intakes(
    context: CourtyardContext, created_before: datetime | None, *, up_to_id: int | None = None
) -> None:
    services = context.services
    for request in await services.requests.unfinished(created_before, up_to_id=up_to_id):
        if services.intake_tails.running(request.id):
            continue  # being routed right now
        try:
            await complete_intake(context, request, reply_to_message_id=request.source_message_id)
        except TelegramError as exc:
            logger.warning("Request #%d is still not posted or routed: %s", request.id, exc)
            return  # Telegram is still unwell; the next tick tries again
        logger.info("Finished the intake of request #%d", request.id)
