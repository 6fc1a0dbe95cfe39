"""A poll's live tally: its chat's language, the current result, debounced message edits."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.context import CourtyardContext
from bot.domain.tally import HouseholdDenominator, PollResult, TurnoutBasis, tally
from bot.i18n import Translator, translator
from handlers.common import preferred_language
from handlers.poll_jobs import job_poll_id, job_queue, refresh_job_name
from handlers.poll_view import poll_keyboard, poll_text
from storage.polls import Poll

logger = logging.getLogger(__name__)


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
    await refresh_poll_message(context, job_poll_id(context))


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
    if queue.get_jobs_by_name(refresh_job_name(poll_id)):
        return
    queue.run_once(
        _refresh_job_callback,
        when=context.services.settings.polls.edit_delay_seconds,
        data=poll_id,
        name=refresh_job_name(poll_id),
    )
