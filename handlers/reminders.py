"""Staff reminders: deadline pings, escalation up the ladder, daily digests (their content
and /digest: `handlers.staff_digest`).

Everything here is derived from the database each time the planner runs, so a restart loses
nothing; what was already acted on is remembered by its dedup key, so nothing goes twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram.ext import CommandHandler

from bot.collector import fewer_collections
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.due import DueRules, next_due_at
from bot.domain.escalation import EscalationStep, StaffLevel, StaffMember, TopOfLadder
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.ping_planner import PingKind, PlannedPing, SendingRules, plan_pings
from bot.i18n import Translator, translator
from handlers.building_heads import head_ids
from handlers.common import deep_link, escape, preferred_language
from handlers.labels import category_name, level_name
from handlers.outbox import deliver_outbox
from handlers.reminder_common import hours_text, quiet_hours_of, snapshot_of, zone_of
from handlers.request_cards import card_keyboard, shorten
from handlers.request_flow import roster
from handlers.staff_digest import DigestWriter, digest
from storage.buildings import Building
from storage.digest_reads import DigestCard
from storage.outbox import OutgoingMessage
from storage.pings import PingEffects, apply_ping
from storage.requests import Request

logger = logging.getLogger(__name__)


PLANNER_INTERVAL = timedelta(minutes=1)
DUE_PAGE = 200
DIGEST_PAGE = 200
DIGEST_SLICE = 0.005  # seconds of digest writing between yields to the event loop
# Digests claimed (and queued) per write: a few milliseconds on the connection commands use.
DIGEST_CLAIMS = 25
OPEN_STATUS_LIST = sorted(OPEN_STATUSES)


async def plan_reminders(context: CourtyardContext) -> None:
    """The planner: act on the due pings of every request whose due moment has come, then send.

    Reads the due index page by page (O(due), not O(open)) and stores each request's next
    moment after acting, so a request is read again only when it next needs something.
    """
    services = context.services
    now = services.clock.now()
    tick = _Tick(context, now)
    after: tuple[datetime, int] | None = None
    while True:
        async with services.database.job_reads():
            page = await services.requests.due(now, OPEN_STATUS_LIST, after=after, limit=DUE_PAGE)
        for request in page:
            await tick.plan(request)
        if len(page) < DUE_PAGE:
            break
        last = page[-1]
        assert last.next_due_at is not None
        after = (last.next_due_at, last.id)
        await asyncio.sleep(0)  # let commands in between pages
    await deliver_outbox(context)


class _Tick:
    """One planner run: buildings and rosters are read once per building."""

    def __init__(self, context: CourtyardContext, now: datetime) -> None:
        self.context = context
        self.now = now
        self.buildings: dict[int, Building | None] = {}
        self.rosters: dict[int, list[StaffMember]] = {}

    async def plan(self, request: Request) -> None:
        services = self.context.services
        building = await self._building(request.building_id)
        if building is None:
            # Nothing plans a request without a building (as before); stop reading it.
            await services.requests.set_next_due(request.id, None, expected=request.next_due_at)
            return
        rules = SendingRules(
            tz=zone_of(self.context, building),
            quiet_hours=quiet_hours_of(self.context, building),
        )
        if building.id not in self.rosters:
            self.rosters[building.id] = list(await roster(self.context, building.id))
        staff = self.rosters[building.id]
        planned = plan_pings(snapshot_of(request), services.sla, staff, rules, self.now)
        for ping in planned:
            await _act(self.context, request, building, ping, self.now)
        current = await services.requests.get(request.id) if planned else request
        if current is None:
            return
        moment = next_due_at(
            snapshot_of(current),
            current.resolved_at,
            DueRules(services.sla, rating_window(self.context)),
            self.now,
            planned=True,
            sending=rules,
        )
        await services.requests.set_next_due(request.id, moment, expected=current.next_due_at)

    async def _building(self, building_id: int | None) -> Building | None:
        if building_id is None:
            return None
        if building_id not in self.buildings:
            self.buildings[building_id] = await self.context.services.buildings.get(building_id)
        return self.buildings[building_id]


def rating_window(context: CourtyardContext) -> timedelta:
    return timedelta(days=context.services.settings.requests.rating_days)


async def _act(
    context: CourtyardContext,
    request: Request,
    building: Building,
    ping: PlannedPing,
    now: datetime,
) -> None:
    """Turn one planned ping into stored effects and queued messages."""
    overdue = now - ping.deadline
    recipients = list(ping.recipient_ids)
    new_level: int | None = None
    escalated = ping.rung is not None
    if isinstance(ping.rung, EscalationStep):
        new_level = int(ping.rung.level)
    if isinstance(ping.rung, TopOfLadder):
        recipients = sorted(await _heads_and_admins(context, building))
    messages = [
        await _private_message(context, request, ping, person, overdue, new_level)
        for person in recipients
    ]
    if escalated and request.card_chat_id is not None:
        _ = await _chat_translator(context, request.card_chat_id, building)
        if new_level is not None:
            text = _("⬆️ #{number} is {overdue} overdue, escalated to the {level}.").format(
                number=request.id,
                overdue=hours_text(_, overdue),
                level=level_name(_, StaffLevel(new_level)),
            )
        else:
            text = _(
                "🚨 #{number} is {overdue} overdue and no higher staff level is left; "
                "building heads have been asked to step in."
            ).format(number=request.id, overdue=hours_text(_, overdue))
        messages.append(
            OutgoingMessage(
                f"{ping.dedup_key}|group",
                request.card_chat_id,
                text,
                reply_to_message_id=request.card_message_id,
            )
        )
    effects = PingEffects(
        dedup_key=ping.dedup_key,
        request_id=request.id,
        event_action=ping.kind.value,
        event_note=f"level {new_level}" if new_level is not None else "",
        new_level=new_level,
        escalated=escalated,
    )
    await apply_ping(context.services.database, effects, messages, now)


async def _heads_and_admins(context: CourtyardContext, building: Building) -> set[int]:
    return await head_ids(context, building) | set(context.services.settings.community.admins)


async def _chat_translator(
    context: CourtyardContext, chat_id: int, building: Building | None
) -> Translator:
    chat = await context.services.chats.get(chat_id)
    code = (chat.language if chat else None) or (building.language if building else None)
    return translator(preferred_language(code, context))


async def _person_translator(context: CourtyardContext, person_id: int) -> Translator:
    person = await context.services.people.get(person_id)
    code = (person.language or person.language_code) if person else None
    return translator(preferred_language(code, context))


async def _private_message(
    context: CourtyardContext,
    request: Request,
    ping: PlannedPing,
    person_id: int,
    overdue: timedelta,
    new_level: int | None,
) -> OutgoingMessage:
    _ = await _person_translator(context, person_id)
    tz = zone_of(context, await context.services.buildings.get(request.building_id or 0))
    deadline = ping.deadline.astimezone(tz).strftime("%m-%d %H:%M")
    subject = f"#{request.id} {escape(category_name(_, request.category))}: " + escape(
        shorten(request.description, 120)
    )
    texts = {
        PingKind.REMIND_RESPONSE: _(
            "⏰ Reminder: {subject}\nSomeone needs to take it by {deadline}."
        ),
        PingKind.REMIND_RESOLUTION: _(
            "⏰ Reminder: {subject}\nIt should be resolved by {deadline}."
        ),
        PingKind.OVERDUE_RESPONSE: _("⚠️ Overdue: {subject}\nNobody took it by {deadline}."),
        PingKind.OVERDUE_RESOLUTION: _(
            "⚠️ Overdue: {subject}\nIt should have been resolved by {deadline}."
        ),
    }
    if ping.kind in texts:
        text = texts[ping.kind].format(subject=subject, deadline=deadline)
    elif new_level is not None:
        text = _("⬆️ Escalated to you: {subject}\nIt is {overdue} overdue.").format(
            subject=subject, overdue=hours_text(_, overdue)
        )
    else:
        text = _(
            "🚨 Please step in: {subject}\nIt is {overdue} overdue and no staff level is "
            "left to escalate to."
        ).format(subject=subject, overdue=hours_text(_, overdue))
    keyboard = card_keyboard(_, request, for_staff=True)
    fallback_chat = request.card_chat_id
    fallback_text = None
    if fallback_chat is not None:
        person = await context.services.people.get(person_id)
        name = escape(person.display_name if person else str(person_id))
        fallback_text = blocked_mention(
            await _chat_translator(context, fallback_chat, None)
        ).format(person=person_id, name=name, number=request.id, link=deep_link(context, "staff"))
    return OutgoingMessage(
        dedup_key=f"{ping.dedup_key}|{person_id}",
        chat_id=person_id,
        text=text,
        reply_markup=keyboard.to_dict() if keyboard else None,
        fallback_chat_id=fallback_chat,
        fallback_text=fallback_text,
    )


def blocked_mention(_: Translator) -> str:
    """Said in the group when a staff member cannot be reached privately."""
    return _(
        '<a href="tg://user?id={person}">{name}</a>: request #{number} needs you, but I '
        "cannot message you privately. Please start me: {link}"
    )


# -- daily digest ----------------------------------------------------------------------------


async def send_digests(context: CourtyardContext) -> None:
    """Each staff member's open requests, once a day at their time (missed ones: once).

    Staff are read in pages on the job connection (the next page while this one is written),
    digests are claimed 25 at a time in one short transaction each (the next 25 are written
    while one is stored), and writing yields to the event loop every few milliseconds, so
    commands are not kept waiting behind a district's digests. The job connection maps the
    file meanwhile, and the cycle collector runs less often (see `bot.collector`).
    """
    services = context.services
    now = services.clock.now()
    with fewer_collections():
        async with services.database.mapped_job_reads():
            await _write_digests(context, now)
    await deliver_outbox(context)


async def _write_digests(context: CourtyardContext, now: datetime) -> None:
    services = context.services
    day = now.astimezone(services.settings.community.timezone).date()
    writer = DigestWriter(context, now)
    loop = asyncio.get_running_loop()
    async with services.database.job_reads():
        # Created here, so its reads go to the job connection too.
        reading = asyncio.ensure_future(_digest_page(context, now, after=0))
    claiming: asyncio.Future[int] | None = None

    async def claim(digests: list[tuple[int, list[OutgoingMessage]]]) -> None:
        # One claim in flight: the previous one is stored before the next is sent, so they
        # are stored in order, and a failed claim stops the run.
        nonlocal claiming
        if claiming is not None:
            await claiming
        claiming = asyncio.ensure_future(services.staff_settings.claim_digests(day, digests, now))

    try:
        while True:
            page = await reading
            if page.more:
                async with services.database.job_reads():
                    reading = asyncio.ensure_future(_digest_page(context, now, page.last))
            digests = []
            slice_start = loop.time()
            for person_id in page.due:
                _ = translator(preferred_language(page.languages.get(person_id), context))
                digests.append((person_id, writer.messages(person_id, page.cards[person_id], _)))
                if len(digests) == DIGEST_CLAIMS:
                    await claim(digests)
                    digests = []
                if loop.time() - slice_start >= DIGEST_SLICE:
                    await asyncio.sleep(0)  # let commands in
                    slice_start = loop.time()
            if digests:
                await claim(digests)
            if not page.more:
                break
        if claiming is not None:
            await claiming
    finally:
        reading.cancel()  # a failed run leaves no read behind
        if claiming is not None:
            await asyncio.wait([claiming])  # and no write running on
            if not claiming.cancelled():
                claiming.exception()  # seen (a failed run raises its own error)


@dataclass(frozen=True)
class _DigestPage:
    """One page of staff: who is due a digest now, their open cards and languages."""

    due: list[int]
    cards: dict[int, list[DigestCard]]
    languages: dict[int, str | None]
    last: int  # the page's last staff member (the next page starts after them)
    more: bool


async def _digest_page(context: CourtyardContext, now: datetime, after: int) -> _DigestPage:
    services = context.services
    local = now.astimezone(services.settings.community.timezone)
    default_at = services.settings.staff.digest_time
    page = await services.staff_settings.digest_candidates(after=after, limit=DIGEST_PAGE)
    due = [
        person_id
        for person_id, setting in page
        if not setting.paused
        and setting.last_digest_on != local.date()
        and local.time() >= (setting.digest_time or default_at)
    ]
    return _DigestPage(
        due,
        await services.digest_reads.open_cards(due),
        await services.staff_settings.languages(due),
        last=page[-1][0] if page else after,
        more=len(page) == DIGEST_PAGE,
    )


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("digest", digest)]
