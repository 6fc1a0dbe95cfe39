"""Staff reminders: deadline pings, escalation up the ladder, daily digests, /digest.

Everything here is derived from the database each time the planner runs, so a restart loses
nothing; what was already acted on is remembered by its dedup key, so nothing goes twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.digest import age_parts, order_for_digest
from bot.domain.due import DueRules, next_due_at
from bot.domain.escalation import EscalationStep, StaffLevel, StaffMember, TopOfLadder
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.ping_planner import (
    PingKind,
    PlannedPing,
    RequestSnapshot,
    SendingRules,
    plan_pings,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.sla import RequestTimes, Urgency
from bot.i18n import Translator, translator
from handlers.building_heads import head_ids
from handlers.common import (
    chunk_lines,
    deep_link,
    escape,
    preferred_language,
    reply,
    sender_id,
    translator_for,
)
from handlers.labels import category_name, level_name
from handlers.outbox import deliver_outbox
from handlers.request_cards import card_keyboard, shorten
from handlers.request_flow import roster
from storage.buildings import Building
from storage.outbox import OutgoingMessage
from storage.pings import PingEffects, apply_ping
from storage.requests import Request

logger = logging.getLogger(__name__)

PLANNER_INTERVAL = timedelta(minutes=1)
DUE_PAGE = 200
DIGEST_PAGE = 200
OPEN_STATUS_LIST = sorted(OPEN_STATUSES)


def zone_of(context: CourtyardContext, building: Building | None) -> ZoneInfo:
    community = context.services.settings.community
    if building is not None and building.timezone:
        return ZoneInfo(building.timezone)
    return community.timezone


def quiet_hours_of(context: CourtyardContext, building: Building) -> QuietHours:
    if building.quiet_start is not None and building.quiet_end is not None:
        return QuietHours(building.quiet_start, building.quiet_end)
    start, end = context.services.settings.community.quiet_hours
    return QuietHours(start, end)


def snapshot_of(request: Request) -> RequestSnapshot:
    assert request.building_id is not None
    return RequestSnapshot(
        request_id=request.id,
        building_id=request.building_id,
        category=request.category,
        urgency=Urgency.URGENT if request.urgent else Urgency.NORMAL,
        status=request.status,
        times=RequestTimes(
            created_at=request.created_at,
            responded_at=request.responded_at,
            reopened_at=request.reopened_at,
        ),
        level=None if request.level is None else StaffLevel(request.level),
        assignee_id=request.assignee_id,
        escalated_at=request.escalated_at,
    )


def hours_text(_: Translator, delta: timedelta) -> str:
    parts = age_parts(delta)
    if parts.days:
        return _("{days} d {hours} h").format(days=parts.days, hours=parts.hours)
    if parts.hours:
        return _("{hours} h").format(hours=parts.hours)
    return _("{minutes} min").format(minutes=parts.minutes)


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

    Staff are read in pages on the job connection, and each page's digests are claimed in
    one transaction, so 5,000 staff cost 25 short transactions, not 5,000.
    """
    services = context.services
    now = services.clock.now()
    local = now.astimezone(services.settings.community.timezone)
    default_at = services.settings.staff.digest_time
    after = 0
    while True:
        async with services.database.job_reads():
            page = await services.staff_settings.digest_candidates(after=after, limit=DIGEST_PAGE)
            due = [
                person_id
                for person_id, setting in page
                if not setting.paused
                and setting.last_digest_on != local.date()
                and local.time() >= (setting.digest_time or default_at)
            ]
            items = await services.requests.open_for_staff(due)
            languages = await services.staff_settings.languages(due)
            digests = [
                (
                    person_id,
                    _digest_messages(
                        context,
                        person_id,
                        items[person_id],
                        translator(preferred_language(languages.get(person_id), context)),
                        now,
                    ),
                )
                for person_id in due
            ]
        await services.staff_settings.claim_digests(local.date(), digests, now)
        if len(page) < DIGEST_PAGE:
            break
        after = page[-1][0]
        await asyncio.sleep(0)  # let commands in between pages
    await deliver_outbox(context)


@dataclass(frozen=True)
class DigestEntry:
    """A digest line: what `order_for_digest` sorts by, and the request itself."""

    request_id: int
    created_at: datetime
    deadline: datetime
    request: Request


def _digest_messages(
    context: CourtyardContext,
    person_id: int,
    items: list[Request],
    _: Translator,
    now: datetime,
) -> list[OutgoingMessage]:
    """The digest of `items` (the person's open requests), in as many messages as it needs
    (buttons under the last one)."""
    services = context.services
    entries = []
    for request in items:
        assert request.building_id is not None
        snapshot = snapshot_of(request)
        deadlines = services.sla.deadlines_for(
            request.category, snapshot.urgency, request.building_id, snapshot.times
        )
        deadline = deadlines.resolve_by if snapshot.times.has_response else deadlines.respond_by
        entries.append(DigestEntry(request.id, request.created_at, deadline, request))
    if not entries:
        return []  # nothing to send → no message
    lines = [_("☀️ <b>Your open requests</b> ({count})").format(count=len(entries))]
    buttons: list[InlineKeyboardButton] = []
    for entry in order_for_digest(entries, now):
        request = entry.request
        late = now - entry.deadline
        flag = (
            _("⚠️ {overdue} overdue").format(overdue=hours_text(_, late))
            if late >= timedelta(0)
            else _("due in {left}").format(left=hours_text(_, -late))
        )
        lines.append(
            f"{'🚨 ' if request.urgent else ''}<b>#{request.id}</b> "
            f"{escape(category_name(_, request.category))} · "
            + _("open for {age}").format(age=hours_text(_, now - request.created_at))
            + f" · {flag}\n   {escape(shorten(request.description, 80))}"
        )
        if len(buttons) < 8:
            if request.status in (RequestStatus.NEW, RequestStatus.REOPENED):
                buttons.append(
                    InlineKeyboardButton(
                        _("🛠 Take #{number}").format(number=request.id),
                        callback_data=f"rq:take:{request.id}",
                    )
                )
            else:
                buttons.append(
                    InlineKeyboardButton(
                        _("✅ Resolved #{number}").format(number=request.id),
                        callback_data=f"rq:resolve:{request.id}",
                    )
                )
    keyboard = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
    local_day = now.astimezone(services.settings.community.timezone).date()
    key = f"digest:{person_id}:{local_day.isoformat()}"
    chunks = chunk_lines(lines)
    return [
        OutgoingMessage(
            dedup_key=key if index == 0 else f"{key}:{index}",
            chat_id=person_id,
            text=chunk,
            reply_markup=keyboard.to_dict() if index == len(chunks) - 1 else None,
        )
        for index, chunk in enumerate(chunks)
    ]


async def digest(update: Update, context: CourtyardContext) -> None:
    """`/digest HH:MM` sets your daily digest time; `/digest off` pauses it, `/digest on`."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    if user_id not in await services.roles.staff_people():
        await reply(update, _("The daily digest is for staff members."))
        return
    args = context.args or []
    current = await services.staff_settings.get(user_id)
    default = services.settings.staff.digest_time
    usage = _("Usage: /digest HH:MM (e.g. /digest 08:30), /digest off or /digest on")
    if len(args) != 1:
        shown = (current.digest_time or default).strftime("%H:%M")
        state = _("paused") if current.paused else _("daily at {time}").format(time=shown)
        await reply(update, _("Your digest: {state}.").format(state=state) + "\n" + usage)
        return
    word = args[0].lower()
    if word in ("off", "关", "关闭", "pause"):
        await services.staff_settings.set_digest(user_id, current.digest_time, paused=True)
        await reply(update, _("Your daily digest is paused. Send /digest on to resume."))
        return
    if word in ("on", "开", "开启", "resume"):
        await services.staff_settings.set_digest(user_id, current.digest_time, paused=False)
        shown = (current.digest_time or default).strftime("%H:%M")
        await reply(update, _("Your daily digest is on, at {time}.").format(time=shown))
        return
    try:
        chosen = time.fromisoformat(word.replace("：", ":").zfill(5))
    except ValueError:
        chosen = None
    if chosen is None or chosen.tzinfo is not None:
        # The digest follows the community's clock; an offset would only confuse it.
        await reply(update, usage)
        return
    await services.staff_settings.set_digest(user_id, chosen, paused=False)
    await reply(
        update, _("Your daily digest now comes at {time}.").format(time=chosen.strftime("%H:%M"))
    )


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("digest", digest)]
