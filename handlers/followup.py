"""Following decisions up: owners reminded like staff, overdue ones escalated to the
community office ("street supervision") and shown on the board; `/decision N done`."""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from bot.domain.item_refs import ItemKind, ItemRef, item_number
from bot.domain.lists import ProjectStatus
from bot.domain.meetings import FollowUp, due_follow_up
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    answer_quietly,
    deep_link,
    escape,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.decisions import decision_line
from handlers.list_common import (
    chat_translator,
    may_manage_building,
    may_view,
    name_of,
    person_translator,
    when,
)
from handlers.list_items import history_lines
from handlers.outbox import deliver_outbox
from handlers.reminder_common import hours_text, quiet_hours_of, zone_of
from storage.buildings import Building
from storage.decisions import Decision
from storage.forget import FORGOTTEN
from storage.outbox import OutgoingMessage

DONE_CALLBACK = re.compile(r"^dc:done:(\d+)$")


def done_keyboard(_: Translator, decision_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ Done"), callback_data=f"dc:done:{decision_id}")]]
    )


async def _subject_finished(context: CourtyardContext, decision: Decision) -> bool:
    """A decision about a request or project is done when that is (checked when due)."""
    subject = decision.subject
    services = context.services
    if subject is None:
        return False
    if subject.kind is ItemKind.REQUEST:
        request = await services.requests.get(subject.number)
        return request is None or not request.is_open
    if subject.kind is ItemKind.PROJECT:
        project = await services.projects.get(subject.number)
        return project is None or project.status is ProjectStatus.DONE
    if subject.kind is ItemKind.POLL:
        poll = await services.polls.get(subject.number)
        return poll is None or not poll.is_open
    return False


async def community_office(context: CourtyardContext, building: Building) -> set[int]:
    """Level-3 staff of the building (the community office), else its heads and admins."""
    services = context.services
    office = {
        a.person_id
        for a in await services.roles.in_building(building.id)
        if a.role is CommunityRole.STAFF and a.level == StaffLevel.COMMUNITY_OFFICE
    }
    if office:
        return office
    return {
        a.person_id
        for a in await services.roles.in_building(building.id)
        if a.role is CommunityRole.HEAD
    } | set(services.settings.community.admins)


def _owner_text(_: Translator, act: FollowUp, subject: str, due: str, overdue: str) -> str:
    texts = {
        FollowUp.REMINDER: _("⏰ Reminder: decision {subject}\nDue {due}."),
        FollowUp.OVERDUE: _("⚠️ Overdue: decision {subject}\nIt was due {due}."),
        FollowUp.ESCALATION: _(
            "⚠️ Decision {subject} is {overdue} overdue and was escalated to the community office."
        ),
    }
    return texts[act].format(subject=subject, due=due, overdue=overdue)


def _blocked_text(_: Translator, person: int, name: str, number: int, link: str) -> str:
    return _(
        '<a href="tg://user?id={person}">{name}</a>: decision D{number} needs you, but I '
        "cannot message you privately. Please start me: {link}"
    ).format(person=person, name=name, number=number, link=link)


def _office_text(_: Translator, subject: str, building: str, overdue: str, owner: str) -> str:
    return _(
        "🚨 Street supervision: decision {subject} of {building} is {overdue} overdue. "
        "Owner: {owner}."
    ).format(subject=subject, building=building, overdue=overdue, owner=owner)


def _admin_text(_: Translator, number: int, building: str, text: str) -> str:
    return _("🚨 Overdue decision D{number} in {building}: {text}").format(
        number=number, building=building, text=text
    )


async def _messages(
    context: CourtyardContext, decision: Decision, building: Building, act: FollowUp
) -> list[OutgoingMessage]:
    """To the owner (mentioned in the group if unreachable); on escalation also to the
    community office and the admin chat."""
    services = context.services
    late = services.clock.now() - decision.due_at
    meeting = await services.meetings.get(decision.meeting_id)
    key = f"decision-{act.value}:{decision.id}:{int(decision.due_at.timestamp())}"
    subject = f"D{decision.id} (M{decision.meeting_id}): {escape(decision.text[:200])}"
    owner_name = await name_of(context, decision.owner_id)
    _ = await person_translator(context, decision.owner_id)
    fallback_text = None
    if meeting is not None:
        fallback_text = _blocked_text(
            await chat_translator(context, meeting.chat_id, building),
            decision.owner_id,
            owner_name,
            decision.id,
            deep_link(context, "decision"),
        )
    messages = [
        OutgoingMessage(
            dedup_key=f"{key}:{decision.owner_id}",
            chat_id=decision.owner_id,
            text=_owner_text(
                _, act, subject, when(context, building, decision.due_at), hours_text(_, late)
            ),
            reply_markup=done_keyboard(_, decision.id).to_dict(),
            fallback_chat_id=meeting.chat_id if meeting else None,
            fallback_text=fallback_text,
        )
    ]
    if decision.owner_id == FORGOTTEN:
        messages = []  # the owner asked to be forgotten: only the office hears of it
    if act is not FollowUp.ESCALATION:
        return messages
    for person_id in sorted(await community_office(context, building) - {decision.owner_id}):
        office = await person_translator(context, person_id)
        messages.append(
            OutgoingMessage(
                dedup_key=f"{key}:{person_id}",
                chat_id=person_id,
                text=_office_text(
                    office, subject, escape(building.name), hours_text(office, late), owner_name
                ),
            )
        )
    admin_chat = services.settings.community.admin_chat_id
    if admin_chat is not None:
        messages.append(
            OutgoingMessage(
                dedup_key=f"{key}:admin",
                chat_id=admin_chat,
                text=_admin_text(
                    await chat_translator(context, admin_chat, None),
                    decision.id,
                    escape(building.name),
                    escape(decision.text[:200]),
                ),
            )
        )
    return messages


async def follow_up_decisions(context: CourtyardContext) -> None:
    """The planner's part: decisions whose next follow-up moment has come."""
    services = context.services
    now = services.clock.now()
    for decision in await services.decisions.due(now):
        building = await services.buildings.get(decision.building_id)
        if building is None:
            continue
        if await _subject_finished(context, decision):
            await services.decisions.mark_done(decision.id, None, "subject finished")
            await board.touch(context, building.id)
            continue
        due = due_follow_up(decision.created_at, decision.due_at, decision.pings_sent, now)
        if due is None:
            continue
        if quiet_hours_of(context, building).is_quiet(now, zone_of(context, building)):
            continue  # like staff reminders: held until the quiet hours end
        messages = await _messages(context, decision, building, due.act)
        if await services.decisions.record_follow_up(decision, due.settled, due.act, messages):
            await board.touch(context, building.id)
    await deliver_outbox(context)


async def _finish(
    context: CourtyardContext, decision_id: int, user_id: int, note: str, _: Translator
) -> tuple[bool, str]:
    services = context.services
    decision = await services.decisions.get(decision_id)
    building = await services.buildings.get(decision.building_id) if decision else None
    if decision is None or building is None:
        return False, _("There is no decision D{number} here.").format(number=decision_id)
    if user_id != decision.owner_id and not await may_manage_building(context, user_id, building):
        return False, refusal(_)
    if not await services.decisions.mark_done(decision.id, user_id, note[:300]):
        return False, _("D{number} is already done.").format(number=decision.id)
    await board.touch(context, building.id)
    return True, _("✅ D{number} is done. Thank you!").format(number=decision.id)


async def decision_command(update: Update, context: CourtyardContext) -> None:
    """`/decision N` shows it with its history; `/decision N done [note]` (owner, heads)."""
    _ = await translator_for(update, context)
    args = context.args or []
    number = item_number(args[0], ItemKind.DECISION) if args else None
    if number is None:
        await reply(update, escape(_("Usage: /decision N, or /decision N done <note>")))
        return
    user_id = sender_id(update)
    if len(args) > 1 and args[1].lower() in ("done", "完成"):
        _done, text = await _finish(context, number, user_id, " ".join(args[2:]), _)
        await reply(update, text)
        return
    services = context.services
    decision = await services.decisions.get(number)
    building = await services.buildings.get(decision.building_id) if decision else None
    if decision is None or building is None or not await may_view(context, user_id, building):
        await reply(update, _("There is no decision D{number} here.").format(number=number))
        return
    lines = [await decision_line(context, _, decision), ""]
    lines += await history_lines(context, _, building, ItemRef(ItemKind.DECISION, decision.id))
    await reply_long(update, lines)


async def on_done(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = DONE_CALLBACK.match(query.data or "")
    if match is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    done, text = await _finish(context, int(match.group(1)), sender_id(update), "", _)
    await answer_quietly(query, text, show_alert=True)
    if done:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("decision", decision_command),
        CallbackQueryHandler(on_done, pattern=DONE_CALLBACK),
    ]
