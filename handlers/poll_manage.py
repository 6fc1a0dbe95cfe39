"""Managing one poll by number: /poll N shows it; close, extend and cancel it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.error import Forbidden

from bot.context import CourtyardContext
from bot.i18n import Translator
from handlers.common import chunk_lines, deep_link, escape, reply, sender_id, whole_number
from handlers.poll_closing import Closing, cancel_poll, close_poll
from handlers.poll_jobs import unschedule_poll
from handlers.poll_schedule import schedule_poll
from handlers.poll_tally import refresh_soon, render_poll
from handlers.poll_view import option_label, poll_usage
from handlers.replay import settle
from storage.buildings import Building
from storage.forget import is_forgotten_voter
from storage.polls import Poll

MAX_EXTEND_HOURS = 24 * 30
MANAGE_VERBS = ("close", "extend", "cancel")


async def manage_poll(
    update: Update,
    context: CourtyardContext,
    building: Building,
    number: int,
    _: Translator,
) -> None:
    """`/poll N`, `/poll N close`, `/poll N extend 24`, `/poll N cancel <reason>`."""
    services = context.services
    args = context.args or []
    stored = await services.polls.get(number)
    if stored is None or stored.building_id != building.id:
        await reply(
            update, _("There is no poll #P{number} in this building.").format(number=number)
        )
        return
    if len(args) == 1:
        await show_poll(update, context, stored, building, _)
        return
    verb = args[1].lower()
    user_id = sender_id(update)
    allowed = user_id == stored.creator_id or await services.access.may_manage(
        context.bot, user_id, building
    )
    if verb not in MANAGE_VERBS:
        await reply(update, escape(poll_usage(_)))
        return
    if not allowed:
        await reply(update, _("Sorry, only the poll's creator or a building head can do that."))
        return
    # Handled again after a crash, this command finishes as it began, not as "already done".
    _verb, first_time = await settle(context, f"poll:{stored.id}:manage", verb)
    if not stored.is_open and first_time:
        await reply(update, _("Poll #P{number} is already finished.").format(number=number))
        return
    if verb == "close":
        # "Now" becomes the deadline: a restart before the closing finishes still closes it.
        await services.polls.extend(stored.id, services.clock.now())
        outcome = await close_poll(context, stored.id)
        if outcome is Closing.NOT_OPEN and not first_time:
            outcome = Closing.CLOSED
        if outcome is Closing.CLOSED:
            await reply(update, _("Poll #P{number} is closed.").format(number=number))
        elif outcome is Closing.WAITING:
            await reply(
                update,
                _(
                    "Telegram did not tell me how many members this group has, which the "
                    "turnout needs; I will close #P{number} in a minute."
                ).format(number=number),
            )
        else:
            await reply(update, _("Poll #P{number} is already finished.").format(number=number))
    elif verb == "extend":
        hours = whole_number(args[2]) if len(args) > 2 else None
        if hours is None or not 0 < hours <= MAX_EXTEND_HOURS:
            await reply(
                update, escape(_("Usage: /poll {number} extend <hours>").format(number=number))
            )
            return
        closes_at = max(stored.closes_at, services.clock.now()) + timedelta(hours=hours)
        # Extended once per command, however often it is handled.
        timestamp, _fresh = await settle(
            context, f"poll:{stored.id}:extend", int(closes_at.timestamp())
        )
        closes_at = datetime.fromtimestamp(timestamp, UTC)
        if not await services.polls.extend(stored.id, closes_at):
            await reply(update, _("Poll #P{number} is already finished.").format(number=number))
            return
        unschedule_poll(context, stored.id)
        await schedule_poll(context, stored.id)
        await refresh_soon(context, stored.id, immediately=True)
        tz = services.settings.community.timezone
        await reply(
            update,
            _("Poll #P{number} now closes {time}.").format(
                number=number, time=closes_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            ),
        )
    else:
        reason = " ".join(args[2:]).strip()
        if not reason:
            await reply(
                update, escape(_("Usage: /poll {number} cancel <reason>").format(number=number))
            )
            return
        if not await cancel_poll(context, stored.id, reason[:300]) and first_time:
            await reply(update, _("Poll #P{number} is already finished.").format(number=number))
            return
        await refresh_soon(context, stored.id, immediately=True)
        await reply(update, _("Poll #P{number} was cancelled.").format(number=number))


async def show_poll(
    update: Update, context: CourtyardContext, stored: Poll, building: Building, _: Translator
) -> None:
    """Details in the group; for named polls a building head also gets, privately, who
    voted what (names stay out of the group)."""
    services = context.services
    text, _keyboard = await render_poll(context, stored, _)
    await reply(update, text)
    if stored.secret or not await services.access.may_manage(
        context.bot, sender_id(update), building
    ):
        return
    ballots = await services.polls.ballots(stored.id)
    if not ballots:
        return
    lines = [
        _("<b>Who voted what</b> in #P{number}: {question}").format(
            number=stored.id, question=escape(stored.question)
        )
    ]
    for item in ballots:
        choice = ", ".join(
            escape(option_label(_, stored.options[i])) for i in sorted(item.ballot.choices)
        )
        if item.voter_name:
            who = escape(item.voter_name)
        elif is_forgotten_voter(item.ballot.voter_id):
            who = _("someone who asked to be forgotten")
        else:
            who = _("a household (by proxy)")
        proxy = _(" (recorded by a head)") if item.ballot.proxy_by else ""
        lines.append(f"• {who}: {choice}{proxy}")
    try:
        for chunk in chunk_lines(lines):
            await context.bot.send_message(sender_id(update), chunk)
    except Forbidden:
        await reply(
            update,
            _("To see who voted what, open a private chat with me first: {link}").format(
                link=deep_link(context, "start")
            ),
        )
        return
    await reply(update, _("I sent you who voted what in a private message."))
