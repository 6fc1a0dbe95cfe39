"""Meeting reminders: the day before and an hour before, privately, to everyone who said
yes or maybe (through the outbox, recorded with the reminder so none goes twice)."""

from __future__ import annotations

from bot.context import CourtyardContext
from bot.domain.meetings import Rsvp, due_reminders
from handlers.common import escape
from handlers.list_common import person_translator, reachable, short, when
from handlers.outbox import deliver_outbox
from storage.outbox import OutgoingMessage


async def send_meeting_reminders(context: CourtyardContext) -> None:
    """The day before and an hour before: privately, to everyone who said yes or maybe."""
    services = context.services
    now = services.clock.now()
    for meeting in await services.meetings.reminders_due(now):
        due = due_reminders(meeting.starts_at, meeting.reminders_sent, now)
        building = await services.buildings.get(meeting.building_id)
        messages = []
        if due and not meeting.cancelled:
            key = f"meeting-remind:{meeting.id}:{int(meeting.starts_at.timestamp())}:{due[0]}"
            for entry in await services.meetings.rsvps(meeting.id):
                if entry.person_id <= 0 or entry.answer is Rsvp.NO:
                    continue
                if not await reachable(context, entry.person_id):
                    continue
                _ = await person_translator(context, entry.person_id)
                messages.append(
                    OutgoingMessage(
                        dedup_key=f"{key}:{entry.person_id}",
                        chat_id=entry.person_id,
                        text=_("⏰ Reminder: meeting M{number} at {time}, {place}.").format(
                            number=meeting.id,
                            time=when(context, building, meeting.starts_at),
                            place=short(meeting.place, 120),
                        )
                        + "\n"
                        + ", ".join(escape(i.title) for i in meeting.agenda),
                    )
                )
        await services.meetings.mark_reminders(meeting, due, messages)
    await deliver_outbox(context)
