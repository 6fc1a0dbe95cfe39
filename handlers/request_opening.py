"""Opening a request: creating it, its group card, and routing it to staff."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.context import CourtyardContext
from bot.domain.escalation import StaffMember, routing_targets
from bot.handling import current_update_id, sending_as
from bot.send_journal import write_with_records
from bot.transient import is_transient
from handlers import board
from handlers.common import deep_link, escape
from handlers.request_cards import (
    CardPeople,
    card_keyboard,
    card_people,
    group_translator,
    person_translator,
    refresh_cards,
    render_card,
    send_staff_card,
    staff_missing,
)
from handlers.request_cards import (
    roster as roster,  # re-exported: jobs and category changes use it from here
)
from storage.buildings import Building
from storage.requests import NewRequest, Request

logger = logging.getLogger(__name__)


async def open_request(
    context: CourtyardContext,
    new: NewRequest,
    *,
    reply_to_message_id: int | None,
    building: Building | None = None,
) -> Request:
    """Create the request (idempotently) and finish its intake (see `complete_intake`).
    `building`: the request's, when the caller has it (saves reading it again)."""
    request, created, boards = await context.services.requests.create_marking_boards(new)
    if created:
        # A new number: nothing was sent for it yet (its card, its staff cards).
        context.services.journal.begin_fresh_family(f"request:{request.id}")
    if boards and request.building_id is not None:
        await board.redraw_soon(context, request.building_id)
    return await complete_intake(
        context,
        request,
        reply_to_message_id=reply_to_message_id,
        fresh=created,
        building=building,
    )


async def complete_intake(
    context: CourtyardContext,
    request: Request,
    *,
    reply_to_message_id: int | None,
    fresh: bool = False,
    building: Building | None = None,
) -> Request:
    """Do whatever the request's intake still lacks: the group card, then routing to staff
    (urgent requests page them then). Each step is recorded when done, so handling the
    update again after a crash or a Telegram error finishes the work, and never repeats it.

    `fresh`: `request` was created and read back just now (in one round trip), so routing
    starts from it, and it has no staff cards yet. Reads that the card and the routing both
    need (the reporter's name, the building's staff) are made once."""
    services = context.services
    people: CardPeople | None = None
    staff: list[StaffMember] | None = None
    if request.chat_id is not None and request.card_message_id is None:
        _ = await group_translator(context, request, building)
        people = await card_people(context, request)
        if request.building_id is not None:
            staff = await roster(context, request.building_id)
        # One card per request, whichever attempt (or update) gets here.
        # A building without staff for this kind of request: the card says so itself (one
        # message per event in a group, which may take only 20 a minute).
        no_staff = await staff_missing(context, request, staff)
        with sending_as(f"request:{request.id}:card", defer_records=True) as sent:
            card = await context.bot.send_message(
                request.chat_id,
                render_card(_, context, request, people, no_staff=no_staff),
                reply_markup=card_keyboard(_, request),
                reply_to_message_id=reply_to_message_id,
            )
        # The request as it is now (someone may have pressed the card's buttons already),
        # its card's id written with the journal's record of sending it.
        request = await write_with_records(
            services.journal,
            sent,
            partial(services.requests.set_card, request.id, request.chat_id, card.message_id),
        )
        if request.assignee_id is not None:
            # Taken or assigned meanwhile: the names on the card changed, and an assignee
            # may have been sent a card already.
            fresh, people = False, None
        if no_staff:
            staff = None  # staff may have arrived while the card waited for its turn
            if not await staff_missing(context, request):
                # The card must not say otherwise.
                await refresh_cards(context, request.id)
                fresh = False
    if request.routed_at is None:
        if request.chat_id is not None and current_update_id() is not None:
            # The group has its card: the group's next update need not wait for the staff's
            # cards (`bot.intake_tails`; a later update that may act on the request does).
            services.intake_tails.start(
                request.chat_id,
                request.id,
                _route_after_update(context, request, current=fresh, staff=staff, people=people),
            )
            return request
        routed = await route(
            context, request.id, current=request if fresh else None, staff=staff, people=people
        )
        if routed is not None:
            return routed
    refreshed = await services.requests.get(request.id)
    assert refreshed is not None
    return refreshed


async def _route_after_update(
    context: CourtyardContext,
    request: Request,
    *,
    current: bool,
    staff: list[StaffMember] | None,
    people: CardPeople | None,
) -> None:
    """`route`, as a tail of the update that opened the request: passing Telegram errors are
    tried again as the update would have been; what is still undone then is left to
    `handlers.request_jobs` (nothing is marked routed until it is)."""
    delays = context.services.transient.delays
    for attempt in range(len(delays) + 1):
        try:
            await route(
                context,
                request.id,
                current=request if current and attempt == 0 else None,
                staff=staff,
                people=people,
            )
            return
        except TelegramError as exc:
            if not is_transient(exc) or attempt == len(delays):
                logger.warning(
                    "Routing request #%d failed (%s); it is tried again later", request.id, exc
                )
                return
        await asyncio.sleep(delays[attempt])


async def route(
    context: CourtyardContext,
    request_id: int,
    *,
    current: Request | None = None,
    staff: list[StaffMember] | None = None,
    people: CardPeople | None = None,
) -> Request | None:
    """Send the request privately to the lowest staff level serving its category; returns
    it as it is then (None: there is no such request).

    `current`: the request just read, with no staff card sent yet (a fresh one); `staff` and
    `people`: the building's roster and the card's names, when the caller read them."""
    services = context.services
    request = current or await services.requests.get(request_id)
    if request is None or request.building_id is None:
        return request
    if staff is None:
        staff = await roster(context, request.building_id)
    targets = routing_targets(request.category, request.building_id, staff)
    level = min((m.level for m in targets), default=None)
    already = (
        set()
        if current is not None
        else {person for person, _message in await services.requests.deliveries(request.id)}
    )
    delivered = bool(already)
    unreachable: list[int] = []
    for member in targets:
        if member.person_id in already:
            continue
        _ = await person_translator(context, member.person_id)
        intro = _("🚨 Urgent request!") if request.urgent else _("🆕 New request for you")
        if people is None:
            people = await card_people(context, request)
        scope = f"request:{request.id}:staff:{member.person_id}"
        try:
            with sending_as(scope, defer_records=True) as sent:
                message = await send_staff_card(
                    context, request, member.person_id, intro=intro, translator=_, people=people
                )
        except TelegramError as exc:
            if is_transient(exc):
                raise  # the update is handled again, and routing resumes where it stopped
            # 403 (never started, blocked) or 400 (chat not found): try the others, and
            # deliver this one when they start the bot.
            await services.requests.record_delivery(request.id, member.person_id, None, str(exc))
            unreachable.append(member.person_id)
            continue
        # Who got which card, written with the journal's record of sending it.
        await write_with_records(
            services.journal,
            sent,
            partial(
                services.requests.record_delivery,
                request.id,
                member.person_id,
                message.message_id,
                None,
            ),
        )
        delivered = True
    # No staff at all is said on the card (`staff_missing`); staff who cannot be reached
    # need a button to start the bot.
    if request.chat_id is not None and unreachable:
        await _tell_group_about_routing(context, request, unreachable)
    # The rung goes with the routed mark: the planner never sees a routed request without it.
    return await services.requests.mark_routed(
        request.id, delivered=delivered, level=None if level is None else int(level)
    )


async def deliver_pending(context: CourtyardContext, person_id: int) -> None:
    """A staff member started the bot: send the open requests that could not reach them."""
    services = context.services
    for request_id in await services.requests.undelivered_to(person_id):
        request = await services.requests.get(request_id)
        if request is None or not request.is_open:
            continue
        _ = await person_translator(context, person_id)
        try:
            message = await send_staff_card(
                context, request, person_id, intro=_("📬 This request was waiting for you")
            )
        except Forbidden:
            return
        await services.requests.record_delivery(request.id, person_id, message.message_id, None)
        await services.requests.update(request.id, delivered=1)


async def _tell_group_about_routing(
    context: CourtyardContext, request: Request, unreachable: list[int]
) -> None:
    _ = await group_translator(context, request)
    assert request.chat_id is not None
    names = []
    for person_id in unreachable:
        person = await context.services.people.get(person_id)
        name = person.display_name if person else str(person_id)
        names.append(f'<a href="tg://user?id={person_id}">{escape(name)}</a>')
    text = _(
        "{names}: request #{number} is for you, but I cannot message you privately. "
        "Please press the button to start me, then you will receive requests there."
    ).format(names=", ".join(names), number=request.id)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Start the bot"), url=deep_link(context, "staff"))]]
    )
    try:
        with sending_as(f"request:{request.id}:routing"):
            await context.bot.send_message(
                request.chat_id,
                text,
                reply_markup=keyboard,
                reply_to_message_id=request.card_message_id,
            )
    except TelegramError as exc:
        if is_transient(exc):
            raise
        logger.warning("Could not tell chat %s about routing: %s", request.chat_id, exc)
