"""Polls and binding votes: /poll, voting buttons, /polls, early close, extend, cancel, proxy."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole
from bot.domain.flats import parse_flat
from bot.domain.numbers import is_digits, parse_id
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_syntax import parse_poll_command
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    chunk_lines,
    deep_link,
    escape,
    is_private,
    not_linked,
    reply,
    say,
    sender_id,
    translator_for,
    whole_number,
)
from handlers.flat_privacy import private_link, take_out_of_group, with_notice
from handlers.paging import page_buttons, page_callback, turn_page
from handlers.poll_schedule import (
    Closing,
    cancel_poll,
    close_poll,
    post_poll,
    refresh_soon,
    render_poll,
    schedule_poll,
    unschedule_poll,
)
from handlers.poll_view import option_label, poll_usage, syntax_error_text
from handlers.replay import settle
from handlers.update_time import acted_at
from storage.buildings import Building
from storage.forget import is_forgotten_voter
from storage.polls import Poll, PollStatus

logger = logging.getLogger(__name__)

VOTE_CALLBACK = re.compile(r"^pv:(\d+):(\d+)$")
PROXY_PAYLOAD = re.compile(r"^proxy(?:-(\d{1,9}))?$")
LIST_CALLBACK = page_callback("pl")
PAGE_SIZE = 8
MAX_EXTEND_HOURS = 24 * 30
MANAGE_VERBS = ("close", "extend", "cancel")
CALLBACK_ANSWER_LIMIT = 200  # characters Telegram shows in a button's answer


def poll_number(text: str) -> int | None:
    """`3`, `#3`, `P3` or `#P3` → 3."""
    return whole_number(text.lstrip("#").upper().removeprefix("P"))


async def may_start_polls(context: CourtyardContext, user_id: int, building: Building) -> bool:
    if building.residents_may_poll:
        return True
    return await context.services.access.may_manage(context.bot, user_id, building)


async def poll(update: Update, context: CourtyardContext) -> None:
    """`/poll Question? | A | B --flags` creates a poll; `/poll N …` manages poll N."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or is_private(update):
        await reply(update, _("Please start polls in your building's group chat."))
        return
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    args = context.args or []
    typed = args[0].lstrip("#").upper().removeprefix("P") if args else ""
    # `/poll 3` or `/poll 3 close` manages #P3; `/poll 3 flats still without heating?` asks.
    if is_digits(typed) and _is_management(args):
        number = parse_id(typed)
        if number is None:  # too large to be any poll's number
            await reply(
                update,
                _("There is no poll #P{number} in this building.").format(number=typed[:20]),
            )
            return
        await manage_poll(update, context, building, number, _)
        return
    if not await may_start_polls(context, sender_id(update), building):
        await reply(update, _("Sorry, only building heads can start polls in this building."))
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await reply(update, escape(poll_usage(_)))
        return
    services = context.services
    tz = services.settings.community.timezone
    try:
        spec = parse_poll_command(
            text,
            now=services.clock.now(),
            tz=tz,
            default_hours=services.settings.polls.default_hours,
        )
    except PollSyntaxError as error:
        await reply(update, syntax_error_text(_, error) + "\n\n" + escape(poll_usage(_)))
        return
    # Household polls measure turnout against the building as it is now.
    registered = (
        frozenset(await services.households.registered_ids(building.id))
        if spec.per_household
        else None
    )
    stored, created = await services.polls.create(
        spec,
        building_id=building.id,
        chat_id=message.chat_id,
        source_message_id=message.message_id,
        creator_id=sender_id(update),
        registered_households=registered,
        household_total=building.total_households if spec.per_household else None,
    )
    if created:
        await schedule_poll(context, stored.id)
    if stored.message_id is None:
        await post_poll(context, stored.id)


def _is_management(args: list[str]) -> bool:
    """`/poll 3`, `/poll 3 close`, `/poll 3 extend 24`, `/poll 3 cancel <reason>` — but not
    a question that happens to start with a number, like `/poll 3 close the bike shed?`."""
    if len(args) == 1:
        return True
    verb = args[1].lower()
    if verb == "close":
        return len(args) == 2
    if verb == "extend":
        return len(args) <= 3
    # `/poll 2 cancel the cleaning contract? | yes | no` is a new question, not a reason.
    return verb == "cancel" and not any("|" in arg for arg in args)


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


async def on_vote(update: Update, context: CourtyardContext) -> None:
    """A vote button: checks the deadline and eligibility, records, answers privately."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = VOTE_CALLBACK.match(query.data or "")
    stored = await services.polls.get(int(match.group(1))) if match else None
    if (
        match is None
        or stored is None
        or query.message is None
        or query.message.chat.id != stored.chat_id
        or int(match.group(2)) >= len(stored.options)
    ):
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    tz = services.settings.community.timezone
    # The press decides, not when the bot got to it (e.g. after a restart).
    if not stored.is_open or await acted_at(update, context) >= stored.closes_at:
        await query.answer(_("Voting has closed."), show_alert=True)
        return
    user_id = sender_id(update)
    building = await services.buildings.get(stored.building_id) if stored.building_id else None
    if building is None or (await services.buildings.for_chat(stored.chat_id)) is None:
        await query.answer(_("This poll is not linked to a building any more."), show_alert=True)
        return
    household_id = None
    if stored.per_household:
        membership = await services.households.membership_in(building.id, user_id)
        if membership is None or membership.status != "approved":
            await query.answer(
                _(
                    "Only registered households can vote in this poll. Register your flat "
                    "privately with /join (in a private chat with me), then vote again."
                ),
                show_alert=True,
            )
            return
        household_id = membership.household_id
    option = int(match.group(2))
    previous = await services.polls.ballot_of(stored.id, user_id)
    if stored.multi:
        choices = previous ^ {option}
    else:
        choices = frozenset() if previous == {option} else frozenset({option})
    # A press toggles; handled again after a crash, it must not toggle back.
    settled, _fresh = await settle(context, f"vote:{stored.id}", sorted(choices))
    choices = frozenset(settled)
    await services.polls.vote(stored.id, user_id, household_id, choices)
    await refresh_soon(context, stored.id)
    deadline = stored.closes_at.astimezone(tz).strftime("%m-%d %H:%M")
    if not choices:
        text = _("Your vote was withdrawn. You can vote again until {deadline}.")
    elif stored.per_household:
        text = _("Your household voted {choice} — you can change it until {deadline}.")
    else:
        text = _("You voted {choice} — you can change it until {deadline}.")
    choice = ", ".join(option_label(_, stored.options[i]) for i in sorted(choices))
    answer = text.format(choice=choice, deadline=deadline)
    if len(answer) > CALLBACK_ANSWER_LIMIT:
        # Long options chosen together: their numbers say the same in fewer characters.
        numbers = ", ".join(str(i + 1) for i in sorted(choices))
        answer = text.format(choice=numbers, deadline=deadline)[:CALLBACK_ANSWER_LIMIT]
    await query.answer(answer, show_alert=True)


async def polls_list(update: Update, context: CourtyardContext) -> None:
    """`/polls`: open polls and recent results, paged."""
    _ = await translator_for(update, context)
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, _("Please use /polls in your building's group chat."))
        return
    text, keyboard = await _page(context, _, building.id, 0)
    await reply(update, text, reply_markup=keyboard)


async def _page(
    context: CourtyardContext, _: Translator, building_id: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    polls, total = await context.services.polls.in_building(
        building_id, limit=PAGE_SIZE, offset=offset
    )
    if not polls:
        return _("No polls yet. Building heads start one with /poll."), None
    lines = [
        _("<b>Polls</b> ({first}–{last} of {total})").format(
            first=offset + 1, last=offset + len(polls), total=total
        )
    ]
    tz = context.services.settings.community.timezone
    for item in polls:
        if item.is_open:
            state = _("open until {time}").format(
                time=item.closes_at.astimezone(tz).strftime("%m-%d %H:%M")
            )
        elif item.status is PollStatus.CANCELLED:
            state = _("cancelled")
        else:
            state = outcome_word(_, item)
        lines.append(f"<b>#P{item.id}</b> {escape(item.question[:80])} — {state}")
    keyboard = page_buttons(_, "pl", building_id, offset, total, PAGE_SIZE)
    return "\n".join(lines), keyboard


def outcome_word(_: Translator, item: Poll) -> str:
    result = item.result or {}
    if result.get("passed") is True:
        return _("passed ✅")
    if result.get("passed") is False:
        return _("not passed ❌")
    winners = result.get("winners") or []
    if winners:
        return _("most votes: {options}").format(
            options=", ".join(escape(option_label(_, item.options[i])) for i in winners)
        )
    return _("closed")


async def on_list_page(update: Update, context: CourtyardContext) -> None:
    """◀️ / ▶️ under the list."""
    await turn_page(update, context, LIST_CALLBACK, _page)


async def proxy(update: Update, context: CourtyardContext) -> None:
    """`/proxy N <flat> <option number>`: a head records a household's vote (private chat)."""
    _ = await translator_for(update, context)
    services = context.services
    usage = escape(
        _(
            "Usage (in a private chat with me): /proxy <poll number> <flat> "
            "<option number>, e.g. /proxy 3 3-502 1"
        )
    )
    args = context.args or []
    if not is_private(update):
        # A flat typed after the poll number must not stay in the group's sight.
        notice = await take_out_of_group(update, _, typed=len(args) > 1)
        number = poll_number(args[0]) if args else None
        await say(
            update,
            context,
            with_notice(
                _("To keep flat numbers private, please use /proxy in a private chat with me."),
                notice,
            ),
            reply_markup=private_link(
                context, _("Open private chat"), f"proxy-{number}" if number else "proxy"
            ),
        )
        return
    number = poll_number(args[0]) if args else None
    choice = whole_number(args[2]) if len(args) == 3 else None
    if number is None or choice is None:
        await reply(update, usage)
        return
    stored = await services.polls.get(number)
    flat = parse_flat(args[1])
    building = (
        await services.buildings.get(stored.building_id) if stored and stored.building_id else None
    )
    if stored is None or building is None or flat is None:
        await reply(update, usage)
        return
    roles = await services.access.roles_in(context.bot, sender_id(update), building)
    if not roles & {CommunityRole.HEAD, CommunityRole.ADMIN}:
        await reply(update, _("Sorry, only building heads and community admins can do that."))
        return
    if not stored.per_household:
        await reply(update, _("Proxy votes are for household polls (--household)."))
        return
    if not stored.is_open or await acted_at(update, context) >= stored.closes_at:
        await reply(update, _("Voting has closed."))
        return
    option = choice - 1
    household_id = await services.households.find(building.id, flat.label)
    if household_id is None or household_id not in await services.households.registered_ids(
        building.id
    ):
        await reply(
            update,
            _("{flat} is not a registered household of {building}.").format(
                flat=escape(flat.label), building=escape(building.name)
            ),
        )
        return
    if not 0 <= option < len(stored.options) or stored.multi:
        await reply(update, usage)
        return
    # A proxy ballot stands for the household itself; its voter id cannot clash with a person.
    if not await services.polls.vote_by_proxy(
        stored.id, household_id, option, proxy_by=sender_id(update)
    ):
        await reply(
            update,
            _(
                "{flat} has already voted itself in #P{number}; a proxy vote cannot replace it."
            ).format(flat=escape(flat.label), number=stored.id),
        )
        return
    await refresh_soon(context, stored.id)
    await reply(
        update,
        _("Recorded: {flat} votes {choice} in #P{number} (entered by you).").format(
            flat=escape(flat.label),
            choice=escape(option_label(_, stored.options[option])),
            number=stored.id,
        ),
    )


async def start_proxy(update: Update, context: CourtyardContext, number: str | None) -> None:
    """`/start proxy[-N]` from the group's link: how to record the vote here."""
    _ = await translator_for(update, context)
    example = f"/proxy {number} 3-502 1" if number else "/proxy 3 3-502 1"
    await reply(
        update,
        escape(
            _(
                "Send the proxy vote here: /proxy <poll number> <flat> <option number>, "
                "for example {example}"
            ).format(example=example)
        ),
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("poll", poll),
        CommandHandler("polls", polls_list),
        CommandHandler("proxy", proxy),
        CallbackQueryHandler(on_vote, pattern=VOTE_CALLBACK),
        CallbackQueryHandler(on_list_page, pattern=LIST_CALLBACK),
    ]
