"""Poll timing: debounced tally edits, reminders, closing at the deadline, results.

Deadlines live in the database; the job queue only holds wake-ups derived from it, rebuilt
by `rebuild_poll_jobs` at every start, so a restart never loses a closing or a reminder.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from enum import Enum
from fractions import Fraction
from typing import Any, cast

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import JobQueue

from bot.charts import bar_chart
from bot.context import CourtyardContext
from bot.domain.tally import HouseholdDenominator, PollResult, TurnoutBasis, tally
from bot.handling import sending_as
from bot.i18n import Translator, translator
from bot.services import Services
from handlers.common import escape, preferred_language
from handlers.outbox import deliver_outbox
from handlers.poll_view import poll_keyboard, poll_text, result_text
from storage.outbox import OutgoingMessage
from storage.polls import Poll, PollStatus

logger = logging.getLogger(__name__)

CATCH_UP_WAIT = 1.0  # seconds between looks at whether the post-restart backlog is handled


def job_queue(context: CourtyardContext) -> JobQueue[Any]:
    """The application's job queue (always present: the job-queue extra is installed)."""
    queue = context.application.job_queue
    assert queue is not None
    return cast("JobQueue[Any]", queue)


def _job_poll_id(context: CourtyardContext) -> int:
    assert context.job is not None
    data = context.job.data
    assert isinstance(data, int)
    return data


def _close_job(poll_id: int) -> str:
    return f"poll-close-{poll_id}"


def _refresh_job(poll_id: int) -> str:
    return f"poll-refresh-{poll_id}"


def _reminder_job(poll_id: int, hours: int) -> str:
    return f"poll-remind-{poll_id}-{hours}"


async def chat_translator(context: CourtyardContext, poll: Poll) -> Translator:
    services = context.services
    chat = await services.chats.get(poll.chat_id)
    building = await services.buildings.get(poll.building_id) if poll.building_id else None
    code = (chat.language if chat else None) or (building.language if building else None)
    return translator(preferred_language(code, context))


async def eligible_voters(context: CourtyardContext, poll: Poll) -> int:
    """Members of the poll's chat, not counting this bot or other bots seen there. Raises
    TelegramError when Telegram cannot say: guessing would decide the quorum."""
    members = await context.bot.get_chat_member_count(poll.chat_id)
    other_bots = await context.services.chat_bots.count(poll.chat_id)
    return max(members - 1 - other_bots, 0)


async def current_result(
    context: CourtyardContext, poll: Poll, *, with_turnout: bool = True
) -> PollResult:
    """The tally now. `with_turnout=False` skips asking Telegram for the member count (the
    live tally shows only counts)."""
    services = context.services
    ballots = [item.ballot for item in await services.polls.ballots(poll.id)]
    households = None
    membership = None
    if poll.per_household and poll.building_id is not None:
        # Households registered since the poll opened vote too (the denominator stays).
        households = await services.households.registered_ids(poll.building_id)
        households |= poll.registered_at_open or frozenset()
        people = [b.voter_id for b in ballots if b.voter_id > 0]
        membership = await services.households.current_households(poll.building_id, people)
        # A proxy ballot stands for its household, whoever lives there now.
        for ballot in ballots:
            if ballot.voter_id < 0:
                membership[ballot.voter_id] = ballot.household_id
    return tally(
        poll,
        ballots,
        eligible_voters=await eligible_voters(context, poll)
        if with_turnout and not poll.per_household
        else 0,
        eligible_households=households if poll.per_household else None,
        current_membership=membership,
        household_denominator=household_denominator(poll),
    )


def household_denominator(poll: Poll) -> HouseholdDenominator | None:
    """The building's total if it was set when the poll opened, else the households
    registered then (None for polls from before either was kept)."""
    if poll.household_total is not None:
        return HouseholdDenominator(poll.household_total, TurnoutBasis.HOUSEHOLD_TOTAL)
    if poll.registered_at_open is not None:
        return HouseholdDenominator(len(poll.registered_at_open), TurnoutBasis.REGISTERED_AT_OPEN)
    return None


async def render_poll(
    context: CourtyardContext, poll: Poll, _: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    result = await current_result(context, poll, with_turnout=False)
    tz = context.services.settings.community.timezone
    text = poll_text(_, poll, result.counts, result.ballots_counted, tz)
    return text, poll_keyboard(_, poll, result.counts)


async def refresh_poll_message(context: CourtyardContext, poll_id: int) -> None:
    poll = await context.services.polls.get(poll_id)
    if poll is None or poll.message_id is None:
        return
    _ = await chat_translator(context, poll)
    text, keyboard = await render_poll(context, poll, _)
    try:
        await context.bot.edit_message_text(
            text, poll.chat_id, poll.message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update poll #P%d: %s", poll_id, exc)
    except TelegramError as exc:
        logger.warning("Could not update poll #P%d: %s", poll_id, exc)


async def _refresh_job_callback(context: CourtyardContext) -> None:
    assert context.job is not None
    await refresh_poll_message(context, _job_poll_id(context))


async def refresh_soon(
    context: CourtyardContext, poll_id: int, *, immediately: bool = False
) -> None:
    """Update the tally on the poll message, at most once per `edit_delay_seconds`.

    Votes arriving while an update is pending ride along with it, so a rush of votes costs
    one edit, not one per vote (Telegram allows about 20 messages a minute per group).
    """
    if immediately:
        await refresh_poll_message(context, poll_id)
        return
    queue = job_queue(context)
    if queue.get_jobs_by_name(_refresh_job(poll_id)):
        return
    queue.run_once(
        _refresh_job_callback,
        when=context.services.settings.polls.edit_delay_seconds,
        data=poll_id,
        name=_refresh_job(poll_id),
    )


def _delay(services: Services, moment: datetime) -> float:
    return max((moment - services.clock.now()).total_seconds(), 0.0)


def schedule_jobs(
    queue: JobQueue[Any], services: Services, poll: Poll, *, after_restart: bool
) -> None:
    """Wake-ups for closing and reminders, derived from the stored deadline."""
    queue.run_once(
        _close_job_callback,
        when=_delay(services, poll.closes_at),
        data=poll.id,
        name=_close_job(poll.id),
    )
    now = services.clock.now()
    missed: list[int] = []
    for hours in services.settings.polls.reminder_hours:
        at = poll.closes_at - timedelta(hours=hours)
        if hours in poll.reminders_sent or poll.closes_at <= now:
            continue
        if at > now:
            queue.run_once(
                _reminder_job_callback,
                when=_delay(services, at),
                data=(poll.id, hours),
                name=_reminder_job(poll.id, hours),
            )
        elif after_restart:
            missed.append(hours)
    if missed:
        # Reminders that fell due while the bot was down: send only the most recent one.
        queue.run_once(
            _reminder_job_callback,
            when=0,
            data=(poll.id, min(missed), tuple(missed)),
            name=_reminder_job(poll.id, min(missed)),
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


def unschedule_poll(context: CourtyardContext, poll_id: int) -> None:
    for job in job_queue(context).jobs():
        if job.name and (
            job.name in (_close_job(poll_id), _post_job(poll_id))
            or job.name.startswith(f"poll-remind-{poll_id}-")
        ):
            job.schedule_removal()


async def rebuild_poll_jobs(queue: JobQueue[Any], services: Services) -> int:
    """At startup: wake-ups for every open poll (overdue closings run at once), and another
    try for any poll whose message never got posted."""
    polls = await services.polls.open_polls()
    for poll in polls:
        schedule_jobs(queue, services, poll, after_restart=True)
        if poll.message_id is None:
            queue.run_once(_post_job_callback, when=0, data=poll.id, name=_post_job(poll.id))
    return len(polls)


POST_RETRY_SECONDS = 60
NOT_POSTED_REASON = "the poll could not be posted"


def _post_job(poll_id: int) -> str:
    return f"poll-post-{poll_id}"


async def _post_job_callback(context: CourtyardContext) -> None:
    await post_poll(context, _job_poll_id(context))


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
            _post_job_callback, when=POST_RETRY_SECONDS, data=poll_id, name=_post_job(poll_id)
        )
    else:
        await services.polls.set_message(poll_id, sent.message_id)


async def cancel_poll(context: CourtyardContext, poll_id: int, reason: str) -> bool:
    """Cancel an open poll and drop its wake-ups; False if it was no longer open."""
    if not await context.services.polls.finish(poll_id, PollStatus.CANCELLED, reason=reason):
        return False
    unschedule_poll(context, poll_id)
    await _poll_finished(context, poll_id)
    return True


async def _poll_finished(context: CourtyardContext, poll_id: int) -> None:
    """The lists follow a finished poll: the project it decides moves, needs note it."""
    # Imported here: project_flow starts polls with this module's functions.
    from handlers.project_flow import after_poll

    await after_poll(context, poll_id)


async def _close_job_callback(context: CourtyardContext) -> None:
    assert context.job is not None
    poll_id = _job_poll_id(context)
    poll = await context.services.polls.get(poll_id)
    if poll is None or not poll.is_open:
        return
    if not context.services.caught_up.is_set():
        # Votes pressed before the deadline may still wait at Telegram after a restart.
        job_queue(context).run_once(
            _close_job_callback, when=CATCH_UP_WAIT, data=poll_id, name=_close_job(poll_id)
        )
        return
    if context.services.clock.now() < poll.closes_at:
        # Extended meanwhile (a new wake-up exists), or woken a little early: sleep again.
        this = context.job.id
        others = job_queue(context).get_jobs_by_name(_close_job(poll_id))
        if all(job.id == this for job in others):
            job_queue(context).run_once(
                _close_job_callback,
                when=_delay(context.services, poll.closes_at),
                data=poll_id,
                name=_close_job(poll_id),
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
    for job in queue.get_jobs_by_name(_close_job(poll_id)):
        job.schedule_removal()
    queue.run_once(
        _close_job_callback, when=CLOSE_RETRY_SECONDS, data=poll_id, name=_close_job(poll_id)
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


async def _reminder_job_callback(context: CourtyardContext) -> None:
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
