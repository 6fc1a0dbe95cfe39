"""A meeting's announcement: its text with RSVP counts and buttons, refreshed (debounced)."""

from __future__ import annotations

import logging
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError
from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.domain.item_refs import item_label
from bot.domain.meetings import count_rsvps
from bot.i18n import Translator
from handlers.common import escape
from handlers.list_common import chat_translator, when
from storage.meetings import Meeting

logger = logging.getLogger(__name__)


CARD_DELAY_SECONDS = 3.0


async def meeting_text(context: CourtyardContext, _: Translator, meeting: Meeting) -> str:
    building = await context.services.buildings.get(meeting.building_id)
    lines = [
        _("📅 <b>Meeting M{number}</b> — one matter, one discussion").format(number=meeting.id),
        _("🕖 {time} · 📍 {place}").format(
            time=when(context, building, meeting.starts_at), place=escape(meeting.place)
        ),
        _("<b>Agenda</b>"),
    ]
    for item in meeting.agenda:
        ref = f" ({item_label(item.ref)})" if item.ref else ""
        lines.append(f"{item.position}. {escape(item.title)}{ref}")
    if meeting.cancelled:
        lines.append(
            _("❌ Cancelled: {reason}").format(reason=escape(meeting.cancel_reason or ""))
        )
        return "\n".join(lines)
    counts = count_rsvps(r.answer for r in await context.services.meetings.rsvps(meeting.id))
    lines.append(
        _("✅ {yes} coming · 🤔 {maybe} maybe · ❌ {no} not coming").format(
            yes=counts.yes, maybe=counts.maybe, no=counts.no
        )
    )
    return "\n".join(lines)


def rsvp_keyboard(_: Translator, meeting: Meeting) -> InlineKeyboardMarkup | None:
    if meeting.cancelled:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Coming"), callback_data=f"mt:{meeting.id}:yes"),
                InlineKeyboardButton(_("🤔 Maybe"), callback_data=f"mt:{meeting.id}:maybe"),
                InlineKeyboardButton(_("❌ Not coming"), callback_data=f"mt:{meeting.id}:no"),
            ]
        ]
    )


async def refresh_announcement(context: CourtyardContext, meeting_id: int) -> None:
    meeting = await context.services.meetings.get(meeting_id)
    if meeting is None or meeting.message_id is None:
        return
    building = await context.services.buildings.get(meeting.building_id)
    _ = await chat_translator(context, meeting.chat_id, building)
    try:
        await context.bot.edit_message_text(
            await meeting_text(context, _, meeting),
            meeting.chat_id,
            meeting.message_id,
            reply_markup=rsvp_keyboard(_, meeting),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update M%d: %s", meeting_id, exc)
    except TelegramError as exc:
        logger.warning("Could not update M%d: %s", meeting_id, exc)


async def _announcement_job(context: CourtyardContext) -> None:
    assert context.job is not None
    assert isinstance(context.job.data, int)
    await refresh_announcement(context, context.job.data)


def refresh_soon(context: CourtyardContext, meeting_id: int) -> None:
    """RSVPs arriving together cost one edit of the announcement."""
    queue = cast("JobQueue[Any]", context.application.job_queue)
    name = f"meeting-card-{meeting_id}"
    if not queue.get_jobs_by_name(name):
        queue.run_once(_announcement_job, when=CARD_DELAY_SECONDS, data=meeting_id, name=name)
