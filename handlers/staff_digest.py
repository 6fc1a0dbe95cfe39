"""The staff digest's content (one member's open requests), and /digest to set its time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import CourtyardContext
from bot.domain.digest import order_for_digest
from bot.domain.lifecycle import RequestStatus
from bot.i18n import Translator
from handlers.common import chunk_lines, escape, reply, sender_id, translator_for
from handlers.labels import category_name
from handlers.reminder_common import hours_text, snapshot_of
from handlers.request_cards import shorten
from storage.outbox import OutgoingMessage
from storage.requests import Request


@dataclass(frozen=True)
class DigestEntry:
    """A digest line: what `order_for_digest` sorts by, and the request itself."""

    request_id: int
    created_at: datetime
    deadline: datetime
    request: Request


def digest_messages(
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
