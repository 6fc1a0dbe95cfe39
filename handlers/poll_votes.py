"""Casting votes: the voting buttons, and proxy votes with /proxy."""

from __future__ import annotations

import re

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from bot.domain.flats import parse_flat
from handlers.common import escape, is_private, reply, say, sender_id, translator_for, whole_number
from handlers.flat_privacy import private_link, take_out_of_group, with_notice
from handlers.poll_tally import refresh_soon
from handlers.poll_view import option_label
from handlers.replay import settle
from handlers.update_time import acted_at

VOTE_CALLBACK = re.compile(r"^pv:(\d+):(\d+)$")
PROXY_PAYLOAD = re.compile(r"^proxy(?:-(\d{1,9}))?$")


CALLBACK_ANSWER_LIMIT = 200  # characters Telegram shows in a button's answer


def poll_number(text: str) -> int | None:
    """`3`, `#3`, `P3` or `#P3` → 3."""
    return whole_number(text.lstrip("#").upper().removeprefix("P"))


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
