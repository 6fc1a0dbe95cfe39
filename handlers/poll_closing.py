"""Ending polls: closing at the deadline with results and a chart, cancelling, reminders."""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from fractions import Fraction
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.charts import bar_chart
from bot.context import CourtyardContext
from bot.domain.tally import PollResult
from bot.i18n import translator
from handlers.common import escape, preferred_language
from handlers.outbox import deliver_outbox
from handlers.poll_jobs import close_job_name, delay_until, job_poll_id, job_queue, unschedule_poll
from handlers.poll_tally import chat_translator, current_result, refresh_poll_message
from handlers.poll_view import result_text
from storage.outbox import OutgoingMessage
from storage.polls import Poll, PollStatus

logger = logging.getLogger(__name__)

CATCH_UP_WAIT = 1.0  # seconds between looks at whether the post-restart backlog is handled


async def cancel_poll(context: CourtyardContext, poll_id: int, reason: str) -> bool:
    """Cancel an open poll and drop its wake-ups; False if it was no longer open."""
    if not await context.services.polls.finish(poll_id, PollStatus.CANCELLED, reason=reason):
        return False
    unschedule_poll(context, poll_id)
    await _poll_finished(context, poll_id)
    return True


async def _poll_finished(context: CourtyardContext, poll_id: int) -> None:
    """The lists follow a finished poll: the project it decides moves, needs note it."""
    # Imported here: project_flow starts polls with handlers.poll_schedule, which imports
    # this module.
    from handlers.project_flow import after_poll

    await after_poll(context, poll_id)


async def close_job_callback(context: CourtyardContext) -> None:
    assert context.job is not None
    poll_id = job_poll_id(context)
    poll = await context.services.polls.get(poll_id)
    if poll is None or not poll.is_open:
        return
    if not context.services.caught_up.is_set():
        # Votes pressed before the deadline may still wait at Telegram after a restart.
        job_queue(context).run_once(
            close_job_callback, when=CATCH_UP_WAIT, data=poll_id, name=close_job_name(poll_id)
        )
        return
    if context.services.clock.now() < poll.closes_at:
        # Extended meanwhile (a new wake-up exists), or woken a little early: sleep again.
        this = context.job.id
        others = job_queue(context).get_jobs_by_name(close_job_name(poll_id))
        if all(job.id == this for job in others):
            job_queue(context).run_once(
                close_job_callback,
                when=delay_until(context.services, poll.closes_at),
                data=poll_id,
                name=close_job_name(poll_id),
            )
        return
    await close_poll(context, poll_id)


def _result_json(result: PollResult) -> dict[str, Any]:
    def fraction(value: Fraction | None) -> str | None:
        return None if value is None else str(value)

    return {
        "counts": list(result.counts),
        "ballots_counted": result.ballots_counted,
        "proxy_ballots_counted": result.proxy_ballots_counted,
        "turnout_denominator": result.turnout_denominator,
        "turnout_basis": result.turnout_basis.value,
        "turnout_ratio": fraction(result.turnout_ratio),
        "quorum_met": result.quorum_met,
        "for_share": fraction(result.for_share),
        "passed": result.passed,
        "winners": list(result.winners),
    }


CLOSE_RETRY_SECONDS = 60
LOST_ACCESS_REASON = "the bot lost access to the group"


class Closing(Enum):
    """What `close_poll` did."""

    CLOSED = "closed"
    WAITING = "waiting"  # Telegram did not answer; tried again in a minute
    LOST_ACCESS = "lost_access"  # the bot is no longer in the group: cancelled
    NOT_OPEN = "not_open"  # finished before (or meanwhile)


def _close_later(context: CourtyardContext, poll_id: int, error: TelegramError) -> Closing:
    """One retry a minute from now (replacing any other wake-up, so retries never pile up)."""
    logger.warning("Cannot count #P%d yet (%s); trying again in a minute", poll_id, error)
    queue = job_queue(context)
    for job in queue.get_jobs_by_name(close_job_name(poll_id)):
        job.schedule_removal()
    queue.run_once(
        close_job_callback, when=CLOSE_RETRY_SECONDS, data=poll_id, name=close_job_name(poll_id)
    )
    return Closing.WAITING


async def close_poll(
    context: CourtyardContext, poll_id: int, *, followed_move: bool = False
) -> Closing:
    """Count, store the outcome with its results message (queued durably), show the final
    tally on the poll and post a chart. The turnout needs Telegram's member count: when
    Telegram cannot give it now, closing waits a minute rather than guess the quorum."""
    services = context.services
    poll = await services.polls.get(poll_id)
    if poll is None or not poll.is_open:
        return Closing.NOT_OPEN
    try:
        result = await current_result(context, poll)
    except ChatMigrated as exc:
        if followed_move:
            return _close_later(context, poll_id, exc)
        await services.buildings.migrate_chat(poll.chat_id, exc.new_chat_id)
        await services.polls.move_chat(poll.chat_id, exc.new_chat_id)
        return await close_poll(context, poll_id, followed_move=True)
    except (BadRequest, Forbidden) as exc:
        # Removed from the group: nobody there can see a result, and waiting cannot help.
        logger.warning("Cancelling #P%d: %s", poll_id, exc)
        if not await cancel_poll(context, poll_id, LOST_ACCESS_REASON):
            return Closing.NOT_OPEN
        return Closing.LOST_ACCESS
    except TelegramError as exc:
        return _close_later(context, poll_id, exc)
    _ = await chat_translator(context, poll)
    winners = result.winners or ((0,) if result.passed else ())
    chart = await asyncio.to_thread(
        bar_chart,
        list(result.counts),
        [str(i + 1) for i in range(len(poll.options))],
        highlight=winners,
    )
    # The words, then the picture: queued with the outcome, sent in this order.
    announce = [
        OutgoingMessage(
            dedup_key=f"poll-results:{poll.id}",
            chat_id=poll.chat_id,
            text=result_text(_, poll, result),
            reply_to_message_id=poll.message_id,
        ),
        OutgoingMessage(
            dedup_key=f"poll-chart:{poll.id}",
            chat_id=poll.chat_id,
            text=f"#P{poll.id}",
            reply_to_message_id=poll.message_id,
            photo=chart,
        ),
    ]
    if not await services.polls.finish(
        poll.id, PollStatus.CLOSED, result=_result_json(result), announce=announce
    ):
        return Closing.NOT_OPEN  # closed by someone else meanwhile
    unschedule_poll(context, poll_id)
    await refresh_poll_message(context, poll_id)
    await _poll_finished(context, poll_id)
    await deliver_outbox(context)
    return Closing.CLOSED


async def reminder_job_callback(context: CourtyardContext) -> None:
    assert context.job is not None
    data = context.job.data
    assert isinstance(data, tuple)
    poll_id, hours = int(data[0]), int(data[1])
    also_missed: tuple[int, ...] = tuple(data[2]) if len(data) > 2 else ()
    await send_reminder(context, poll_id, hours, also_missed)


async def send_reminder(
    context: CourtyardContext, poll_id: int, hours: int, also_missed: tuple[int, ...] = ()
) -> None:
    """ "Closes soon" in the group, and privately to households that have not voted; queued
    in the outbox together with the record that this reminder went out."""
    services = context.services
    poll = await services.polls.get(poll_id)
    if poll is None or not poll.is_open or services.clock.now() >= poll.closes_at:
        return
    for extra in also_missed:
        if extra != hours:
            await services.polls.mark_reminder(poll_id, extra)
    tz = services.settings.community.timezone
    deadline = poll.closes_at.astimezone(tz).strftime("%m-%d %H:%M")
    _ = await chat_translator(context, poll)
    # The deadline is part of the key: after an extension the reminders are due again.
    key = f"poll-remind:{poll.id}:{int(poll.closes_at.timestamp())}:{hours}"
    messages = [
        OutgoingMessage(
            dedup_key=f"{key}:group",
            chat_id=poll.chat_id,
            text=_(
                "⏰ Poll #P{number} closes at {deadline}: {question} — vote with the buttons "
                "above."
            ).format(number=poll.id, deadline=deadline, question=escape(poll.question)),
            reply_to_message_id=poll.message_id,
        )
    ]
    if poll.per_household and poll.building_id is not None:
        messages += await _household_nudges(context, poll, deadline, key)
    if await services.polls.mark_reminder(poll_id, hours, announce=messages):
        await deliver_outbox(context)


async def _household_nudges(
    context: CourtyardContext, poll: Poll, deadline: str, key: str
) -> list[OutgoingMessage]:
    """Private reminders to members of households that have not voted (who started me)."""
    services = context.services
    assert poll.building_id is not None
    voted_households = {item.ballot.household_id for item in await services.polls.ballots(poll.id)}
    nudges = []
    for household_id, person_id in await services.households.approved_members(poll.building_id):
        if household_id in voted_households:
            continue
        person = await services.people.get(person_id)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = translator(preferred_language(person.language or person.language_code, context))
        nudges.append(
            OutgoingMessage(
                dedup_key=f"{key}:{person_id}",
                chat_id=person_id,
                text=_(
                    "⏰ Your household has not voted yet in poll #P{number} ({question}). It "
                    "closes at {deadline}; vote with the buttons in your building's group."
                ).format(number=poll.id, question=escape(poll.question), deadline=deadline),
            )
        )
    return nudges
