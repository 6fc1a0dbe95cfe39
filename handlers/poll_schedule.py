"""Poll timing: scheduling a poll's wake-ups, rebuilding them at start, posting the poll
(the live tally: `handlers.poll_tally`; closing and reminders: `handlers.poll_closing`).

Deadlines live in the database; the job queue only holds wake-ups derived from it, rebuilt
by `rebuild_poll_jobs` at every start, so a restart never loses a closing or a reminder.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.handling import sending_as
from bot.services import Services
from handlers.poll_closing import cancel_poll, close_job_callback, reminder_job_callback
from handlers.poll_jobs import (
    close_job_name,
    delay_until,
    job_poll_id,
    job_queue,
    post_job_name,
    reminder_job_name,
)
from handlers.poll_tally import chat_translator, render_poll
from storage.polls import Poll

logger = logging.getLogger(__name__)


def schedule_jobs(
    queue: JobQueue[Any], services: Services, poll: Poll, *, after_restart: bool
) -> None:
    """Wake-ups for closing and reminders, derived from the stored deadline."""
    queue.run_once(
        close_job_callback,
        when=delay_until(services, poll.closes_at),
        data=poll.id,
        name=close_job_name(poll.id),
    )
    now = services.clock.now()
    missed: list[int] = []
    for hours in services.settings.polls.reminder_hours:
        at = poll.closes_at - timedelta(hours=hours)
        if hours in poll.reminders_sent or poll.closes_at <= now:
            continue
        if at > now:
            queue.run_once(
                reminder_job_callback,
                when=delay_until(services, at),
                data=(poll.id, hours),
                name=reminder_job_name(poll.id, hours),
            )
        elif after_restart:
            missed.append(hours)
    if missed:
        # Reminders that fell due while the bot was down: send only the most recent one.
        queue.run_once(
            reminder_job_callback,
            when=0,
            data=(poll.id, min(missed), tuple(missed)),
            name=reminder_job_name(poll.id, min(missed)),
        )


async def schedule_poll(context: CourtyardContext, poll_id: int) -> None:
    """Schedule a new (or extended) poll; reminders already past are skipped."""
    services = context.services
    poll = await services.polls.get(poll_id)
    if poll is None or not poll.is_open:
        return
    now = services.clock.now()
    for hours in services.settings.polls.reminder_hours:
        if poll.closes_at - timedelta(hours=hours) <= now:
            await services.polls.mark_reminder(poll.id, hours)
    poll = await services.polls.get(poll_id)
    assert poll is not None
    schedule_jobs(job_queue(context), services, poll, after_restart=False)


async def rebuild_poll_jobs(queue: JobQueue[Any], services: Services) -> int:
    """At startup: wake-ups for every open poll (overdue closings run at once), and another
    try for any poll whose message never got posted."""
    polls = await services.polls.open_polls()
    for poll in polls:
        schedule_jobs(queue, services, poll, after_restart=True)
        if poll.message_id is None:
            queue.run_once(_post_job_callback, when=0, data=poll.id, name=post_job_name(poll.id))
    return len(polls)


POST_RETRY_SECONDS = 60
NOT_POSTED_REASON = "the poll could not be posted"


async def _post_job_callback(context: CourtyardContext) -> None:
    await post_poll(context, job_poll_id(context))


async def post_poll(context: CourtyardContext, poll_id: int) -> None:
    """Post the poll's message with its buttons. Refused (the bot may not write there): the
    poll is cancelled. Telegram trouble: tried again every minute until the deadline (a
    timeout may hide a message that did arrive; then the group sees the poll twice, and
    both sets of buttons count). A post Telegram confirmed is recorded at once, so a crash
    before its message id is stored does not post it again."""
    services = context.services
    poll = await services.polls.get(poll_id)
    if poll is None or not poll.is_open or poll.message_id is not None:
        return
    _ = await chat_translator(context, poll)
    text, keyboard = await render_poll(context, poll, _)
    try:
        # Once per poll, whether the /poll update (handled again) or the retry job posts it.
        with sending_as(f"poll:{poll.id}:post"):
            sent = await context.bot.send_message(poll.chat_id, text, reply_markup=keyboard)
    except (BadRequest, Forbidden) as exc:
        logger.warning("Cancelling #P%d, which could not be posted: %s", poll_id, exc)
        await cancel_poll(context, poll_id, NOT_POSTED_REASON)
    except TelegramError as exc:
        if services.clock.now() + timedelta(seconds=POST_RETRY_SECONDS) >= poll.closes_at:
            logger.warning("Cancelling #P%d, still not posted at its deadline: %s", poll_id, exc)
            await cancel_poll(context, poll_id, NOT_POSTED_REASON)
            return
        logger.warning("Could not post #P%d (%s); trying again in a minute", poll_id, exc)
        job_queue(context).run_once(
            _post_job_callback, when=POST_RETRY_SECONDS, data=poll_id, name=post_job_name(poll_id)
        )
    else:
        await services.polls.set_message(poll_id, sent.message_id)
