"""Deliberation meetings: `/meeting`, RSVP buttons with counts, reminders, guests offline
(the announcement itself: `handlers.meeting_cards`)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.flats import parse_flat
from bot.domain.item_refs import ItemKind, ItemRef, item_label, item_number
from bot.domain.list_syntax import AgendaEntry, ListSyntaxError, MeetingSpec, parse_meeting
from bot.domain.meetings import Rsvp
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    answer_quietly,
    building_of_chat,
    deep_link,
    delete_quietly,
    escape,
    is_private,
    refusal,
    reply,
    reply_long,
    say,
    sender_id,
    translator_for,
)
from handlers.list_common import (
    chat_translator,
    may_manage_building,
    may_view,
    person_translator,
    reachable,
    syntax_problem,
    when,
    zone,
)
from handlers.list_items import history_lines
from handlers.meeting_cards import meeting_text, refresh_announcement, refresh_soon, rsvp_keyboard
from handlers.outbox import deliver_outbox
from storage.buildings import Building
from storage.meetings import Meeting, NewMeeting
from storage.outbox import OutgoingMessage

RSVP_CALLBACK = re.compile(r"^mt:(\d+):(yes|no|maybe)$")


def meeting_usage(_: Translator) -> str:
    return escape(
        _(
            "Usage: /meeting 2030-05-20 19:00 | place or online link | agenda item; need 12; "
            "#34 — or send /meeting to me privately to set it up step by step. Then "
            "/meeting N, /meeting N cancel <reason>, and privately /meeting N coming <flat> "
            "for a household not on Telegram."
        )
    )


async def resolve_agenda(
    context: CourtyardContext, building: Building, agenda: tuple[AgendaEntry, ...]
) -> tuple[AgendaEntry, ...] | str:
    """Titles for `need 12` / `#34` items from the lists (a private text stays out of the
    group: the reference alone is shown); the first unknown reference as a string."""
    services = context.services
    resolved = []
    for entry in agenda:
        ref = entry.ref
        if ref is None:
            resolved.append(entry)
            continue
        title: str | None = None
        if ref.kind is ItemKind.NEED:
            need = await services.needs.get(ref.number)
            if need is not None and need.building_id == building.id:
                title = need.text if need.public else item_label(ref)
        elif ref.kind is ItemKind.REQUEST:
            request = await services.requests.get(ref.number)
            if request is not None and request.building_id == building.id:
                title = request.description if request.chat_id else item_label(ref)
        elif ref.kind is ItemKind.PROJECT:
            project = await services.projects.get(ref.number)
            if project is not None and project.building_id == building.id:
                title = project.title
        if title is None:
            return item_label(ref)
        resolved.append(AgendaEntry(" ".join(title.split())[:120], ref))
    return tuple(resolved)


async def call_meeting(
    context: CourtyardContext,
    building: Building,
    spec: MeetingSpec,
    *,
    chat_id: int,
    source_key: str,
    creator_id: int,
) -> Meeting | str:
    """Store the meeting and post its announcement with the RSVP buttons in the group."""
    services = context.services
    agenda = await resolve_agenda(context, building, spec.agenda)
    if isinstance(agenda, str):
        return agenda
    meeting, _created = await services.meetings.create(
        NewMeeting(
            building_id=building.id,
            chat_id=chat_id,
            source_key=source_key,
            creator_id=creator_id,
            starts_at=spec.starts_at,
            place=spec.place,
            agenda=agenda,
        )
    )
    if meeting.message_id is None:
        _ = await chat_translator(context, chat_id, building)
        message = await context.bot.send_message(
            chat_id,
            await meeting_text(context, _, meeting),
            reply_markup=rsvp_keyboard(_, meeting),
        )
        await services.meetings.set_message(meeting.id, message.message_id)
        await board.start_board(context, chat_id, building)
    await board.touch(context, building.id)
    return meeting


async def meeting_command(update: Update, context: CourtyardContext) -> None:
    _ = await translator_for(update, context)
    args = context.args or []
    number = item_number(args[0], ItemKind.MEETING) if args else None
    if number is not None:
        await manage(update, context, number, _)
        return
    message = update.effective_message
    building = await building_of_chat(update, context)
    if building is None or message is None:
        await reply(update, meeting_usage(_))
        return
    if not await may_manage_building(context, sender_id(update), building):
        await reply(update, refusal(_))
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await reply(update, meeting_usage(_))
        return
    try:
        spec = parse_meeting(text, now=context.services.clock.now(), tz=zone(context, building))
    except ListSyntaxError as error:
        await reply(update, syntax_problem(_, error) + "\n\n" + meeting_usage(_))
        return
    outcome = await call_meeting(
        context,
        building,
        spec,
        chat_id=message.chat_id,
        source_key=f"{message.chat_id}:{message.message_id}",
        creator_id=sender_id(update),
    )
    if isinstance(outcome, str):
        await reply(update, _("{item} is not on this building's lists.").format(item=outcome))


async def manage(update: Update, context: CourtyardContext, number: int, _: Translator) -> None:
    """`/meeting N`, `/meeting N cancel <reason>`, `/meeting N coming <flat>` (private)."""
    services = context.services
    args = context.args or []
    verb = args[1].lower() if len(args) > 1 else ""
    if verb in ("coming", "来") and not is_private(update):
        # The command names a flat: take it out of the group's sight.
        await delete_quietly(update)
        await say(
            update,
            context,
            _("To keep flat numbers private, please send this to me in a private chat."),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("Open private chat"), url=deep_link(context, "meet"))]]
            ),
        )
        return
    meeting = await services.meetings.get(number)
    building = await services.buildings.get(meeting.building_id) if meeting else None
    here = await building_of_chat(update, context)
    user_id = sender_id(update)
    if (
        meeting is None
        or building is None
        or (here.id != building.id if here else not await may_view(context, user_id, building))
    ):
        await reply(update, _("There is no meeting M{number} here.").format(number=number))
        return
    if not verb:
        lines = [await meeting_text(context, _, meeting), ""]
        lines += await history_lines(context, _, building, ItemRef(ItemKind.MEETING, meeting.id))
        await reply_long(update, lines)
        return
    if not await may_manage_building(context, user_id, building):
        await reply(update, refusal(_))
        return
    rest = " ".join(args[2:]).strip()
    if verb in ("cancel", "取消") and rest:
        await _cancel(update, context, meeting, building, rest[:300], _)
    elif verb in ("coming", "来") and rest:
        await _mark_coming(update, context, meeting, building, rest, _)
    else:
        await reply(update, meeting_usage(_))


def _cancel_notice(_: Translator, number: int, time: str, reason: str) -> str:
    return _("❌ Meeting M{number} ({time}) is cancelled: {reason}").format(
        number=number, time=time, reason=escape(reason)
    )


async def _cancel(
    update: Update,
    context: CourtyardContext,
    meeting: Meeting,
    building: Building,
    reason: str,
    _: Translator,
) -> None:
    messages = []
    for entry in await context.services.meetings.rsvps(meeting.id):
        if entry.person_id <= 0 or entry.answer is Rsvp.NO:
            continue
        if not await reachable(context, entry.person_id):
            continue
        messages.append(
            OutgoingMessage(
                dedup_key=f"meeting-cancel:{meeting.id}:{entry.person_id}",
                chat_id=entry.person_id,
                text=_cancel_notice(
                    await person_translator(context, entry.person_id),
                    meeting.id,
                    when(context, building, meeting.starts_at),
                    reason,
                ),
            )
        )
    if not await context.services.meetings.cancel(meeting.id, reason, sender_id(update), messages):
        await reply(update, _("M{number} is already cancelled.").format(number=meeting.id))
        return
    await refresh_announcement(context, meeting.id)
    await board.touch(context, building.id)
    await deliver_outbox(context)
    await reply(update, _("M{number} is cancelled.").format(number=meeting.id))


async def _mark_coming(
    update: Update,
    context: CourtyardContext,
    meeting: Meeting,
    building: Building,
    text: str,
    _: Translator,
) -> None:
    """A head marks a household that is not on Telegram as coming (privately)."""
    flat = parse_flat(text)
    household = await context.services.households.find(building.id, flat.label) if flat else None
    if flat is None or household is None:
        await reply(
            update,
            _("{flat} is not a registered household of {building}.").format(
                flat=escape(text), building=escape(building.name)
            ),
        )
        return
    if not await context.services.meetings.answer(
        meeting.id, -household, Rsvp.YES, marked_by=sender_id(update)
    ):
        await reply(update, _("M{number} is over or cancelled.").format(number=meeting.id))
        return
    refresh_soon(context, meeting.id)
    await reply(
        update,
        _("Recorded: {flat} is coming to M{number}.").format(
            flat=escape(flat.label), number=meeting.id
        ),
    )


async def on_rsvp(update: Update, context: CourtyardContext) -> None:
    """✅ / 🤔 / ❌ under the announcement: one answer per person, counts on the message."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = RSVP_CALLBACK.match(query.data or "")
    meeting = await services.meetings.get(int(match.group(1))) if match else None
    if match is None or meeting is None or query.message is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    building = await services.buildings.for_chat(query.message.chat.id)
    if building is None or building.id != meeting.building_id:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    answer = Rsvp(match.group(2))
    if not await services.meetings.answer(meeting.id, sender_id(update), answer):
        await answer_quietly(query, _("This meeting is over or cancelled."), show_alert=True)
        return
    texts = {
        Rsvp.YES: _("See you at M{number}! I will remind you the day before and an hour before."),
        Rsvp.MAYBE: _("Noted as maybe for M{number}; I will remind you."),
        Rsvp.NO: _("Noted: you are not coming to M{number}."),
    }
    await answer_quietly(query, texts[answer].format(number=meeting.id), show_alert=True)
    refresh_soon(context, meeting.id)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("meeting", meeting_command),
        CallbackQueryHandler(on_rsvp, pattern=RSVP_CALLBACK),
    ]
