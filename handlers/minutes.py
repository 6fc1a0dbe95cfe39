"""`/minutes`: attendance, what was said on each agenda item and what was decided; then one
summary for the group. Heads only, checked on every command."""

from __future__ import annotations

import hashlib
import re

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.flats import parse_flat
from bot.domain.item_refs import ItemKind, item_label, item_number
from bot.domain.list_syntax import DecisionKind, ListSyntaxError, parse_minutes_entry
from bot.domain.meetings import default_due
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    chunk_lines,
    escape,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
    whole_number,
)
from handlers.decisions import Refused, carry_out, decision_line, record
from handlers.list_common import (
    chat_translator,
    may_manage_building,
    may_view,
    person_of,
    syntax_problem,
    when,
    zone,
)
from handlers.outbox import deliver_outbox
from storage.buildings import Building
from storage.meetings import Meeting
from storage.outbox import OutgoingMessage

PRESENT_WORDS = ("present", "attendance", "出席", "到会")
PUBLISH_WORDS = ("publish", "post", "发布")
_PARTS = re.compile(r"\s*[|｜]\s*")


def minutes_usage(_: Translator) -> str:
    return escape(
        _(
            "Usage: /minutes M present 23 | names; /minutes M <item> <what was said> => "
            "<decision> [owner @user] [due 2030-06-01] [votes 20:5], where the decision may "
            "be: project [title | budget 5000], poll [question] [--hours 48], assign #34 "
            "@user, close #34 <reason>, decline <reason>, or any text; then /minutes M "
            "publish."
        )
    )


async def minutes(update: Update, context: CourtyardContext) -> None:
    _ = await translator_for(update, context)
    services = context.services
    args = context.args or []
    number = item_number(args[0], ItemKind.MEETING) if args else None
    meeting = await services.meetings.get(number) if number is not None else None
    building = await services.buildings.get(meeting.building_id) if meeting else None
    if meeting is None or building is None:
        await reply(update, minutes_usage(_))
        return
    here = await building_of_chat(update, context)
    user_id = sender_id(update)
    if here.id != building.id if here else not await may_view(context, user_id, building):
        await reply(update, _("There is no meeting M{number} here.").format(number=meeting.id))
        return
    if len(args) == 1:
        await reply_long(update, await minutes_lines(context, _, meeting, building))
        return
    if not await may_manage_building(context, user_id, building):
        await reply(update, refusal(_))
        return
    verb = args[1].lower()
    message = update.effective_message
    text = (message.text or "") if message else ""
    # Everything after the item number (or verb), as typed, with its line breaks.
    words = text.split(None, 3)
    rest = words[3] if len(words) > 3 else ""
    if verb in PRESENT_WORDS:
        await _attendance(update, context, meeting, rest, _)
    elif verb in PUBLISH_WORDS:
        await _publish(update, context, meeting, building, _)
    elif (position := whole_number(verb)) is not None:
        await _item(update, context, meeting, building, position, rest, _)
    else:
        await reply(update, minutes_usage(_))


async def _attendance(
    update: Update, context: CourtyardContext, meeting: Meeting, rest: str, _: Translator
) -> None:
    parts = _PARTS.split(rest.strip(), maxsplit=1)
    names = parts[1] if len(parts) > 1 else ""
    count = whole_number(parts[0].strip())
    if count is None or count > 100_000:
        await reply(update, minutes_usage(_))
        return
    # Names go to the group in the summary: words that look like flat numbers stay out.
    kept = [w for w in re.split(r"[,，、\s]+", names.strip()) if w and parse_flat(w) is None]
    await context.services.meetings.set_attendance(
        meeting.id, count, "、".join(kept)[:500] or None, sender_id(update)
    )
    await reply(
        update, _("Attendance of M{number}: {count}.").format(number=meeting.id, count=count)
    )


async def _item(
    update: Update,
    context: CourtyardContext,
    meeting: Meeting,
    building: Building,
    position: int,
    rest: str,
    _: Translator,
) -> None:
    services = context.services
    item = next((i for i in meeting.agenda if i.position == position), None)
    if item is None:
        await reply(
            update,
            _("M{number} has no agenda item {position}.").format(
                number=meeting.id, position=position
            ),
        )
        return
    try:
        entry = parse_minutes_entry(rest, now=services.clock.now(), tz=zone(context, building))
    except ListSyntaxError as error:
        await reply(update, syntax_problem(_, error) + "\n\n" + minutes_usage(_))
        return
    user_id = sender_id(update)
    if entry.summary:
        await services.meetings.set_summary(meeting.id, position, entry.summary[:500], user_id)
    spec = entry.decision
    if spec is None:
        await reply(update, _("Noted for item {position}.").format(position=position))
        return
    existing = next(
        (
            d
            for d in await services.decisions.of_meeting(meeting.id)
            if d.item_position == position
        ),
        None,
    )
    if existing is not None:
        await reply(
            update,
            _("Item {position} already has decision D{number}.").format(
                position=position, number=existing.id
            ),
        )
        return
    owner_id = user_id
    # An assignment is followed up by whoever it was given to, unless the minutes say who.
    owner = spec.owner or (spec.assignee if spec.kind is DecisionKind.ASSIGN else None)
    if owner is not None:
        found = await person_of(context, owner)
        if found is None:
            await reply(
                update,
                _("I do not know the owner yet; they need to write in the group or start me."),
            )
            return
        owner_id = found
    due_at = spec.due or default_due(services.clock.now())
    try:
        carried = await carry_out(
            context,
            _,
            meeting,
            building,
            item,
            spec,
            actor_id=user_id,
            owner_id=owner_id,
            due_at=due_at,
        )
    except Refused as refused:
        await reply(update, str(refused))
        return
    decision = await record(
        context,
        meeting,
        building,
        item,
        spec,
        carried,
        actor_id=user_id,
        owner_id=owner_id,
        due_at=due_at,
    )
    await reply(update, await decision_line(context, _, decision))


async def minutes_lines(
    context: CourtyardContext, _: Translator, meeting: Meeting, building: Building
) -> list[str]:
    """The minutes as far as they are recorded (the group summary uses the same lines)."""
    lines = [
        _("📝 <b>Minutes of M{number}</b> · {time} · {place}").format(
            number=meeting.id,
            time=when(context, building, meeting.starts_at),
            place=escape(meeting.place),
        )
    ]
    if meeting.attendance_count is not None:
        present = _("👥 Present: {count}").format(count=meeting.attendance_count)
        if meeting.attendance_names:
            present += f" ({escape(meeting.attendance_names)})"
        lines.append(present)
    decisions = {
        d.item_position: d for d in await context.services.decisions.of_meeting(meeting.id)
    }
    for item in meeting.agenda:
        ref = f" ({item_label(item.ref)})" if item.ref else ""
        lines.append(f"<b>{item.position}. {escape(item.title)}</b>{ref}")
        if item.summary:
            lines.append("   " + _("Said: {summary}").format(summary=escape(item.summary)))
        decision = decisions.get(item.position)
        lines.append(
            "   " + (await decision_line(context, _, decision) if decision else _("(no decision)"))
        )
    return lines


async def _publish(
    update: Update, context: CourtyardContext, meeting: Meeting, building: Building, _: Translator
) -> None:
    """The decisions as one summary in the group (queued durably; the same text twice is
    posted once, a changed one again)."""
    group_ = await chat_translator(context, meeting.chat_id, building)
    chunks = chunk_lines(await minutes_lines(context, group_, meeting, building))
    digest = hashlib.sha256("\n".join(chunks).encode()).hexdigest()[:12]
    messages = [
        OutgoingMessage(
            dedup_key=f"minutes:{meeting.id}:{digest}:{index}",
            chat_id=meeting.chat_id,
            text=chunk,
            reply_to_message_id=meeting.message_id if index == 0 else None,
        )
        for index, chunk in enumerate(chunks)
    ]
    if await context.services.meetings.publish(meeting.id, sender_id(update), messages):
        await deliver_outbox(context)
        await reply(
            update,
            _("The minutes of M{number} are posted in the group.").format(number=meeting.id),
        )
    else:
        await reply(update, _("These minutes were posted already.").format(number=meeting.id))


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("minutes", minutes)]
