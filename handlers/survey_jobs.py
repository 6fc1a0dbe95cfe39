"""The survey scan: announcements, reminders and closing, for surveys whose moment has come.

Each survey stores its next due moment (`surveys.next_due_at`, indexed), so the scan reads
only what is due. The schedule change and its messages are written in one transaction (the
outbox sends them), so a crash or a second run never sends anything twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.domain.coverage import Reach, checklist
from bot.domain.escalation import StaffLevel
from bot.domain.survey_schedule import due_actions
from bot.i18n import Translator, translator
from handlers.building_heads import head_ids
from handlers.common import chunk_lines, deep_link, escape, preferred_language
from handlers.outbox import deliver_outbox
from handlers.request_cards import person_translator
from handlers.survey_common import (
    answer_button,
    audience_name,
    counts_text,
    coverage_lines,
    local_time,
    survey_coverage,
    survey_quiet,
    survey_zone,
)
from storage.buildings import Building
from storage.outbox import OutgoingMessage
from storage.surveys import Survey

SURVEY_SCAN_JOB = "survey_scan"
SURVEY_SCAN_INTERVAL = timedelta(minutes=1)
LABELS_PER_LINE = 30


def schedule_survey_scan(queue: JobQueue[Any]) -> None:
    queue.run_repeating(
        run_survey_scan,
        interval=SURVEY_SCAN_INTERVAL,
        first=timedelta(seconds=4),
        name=SURVEY_SCAN_JOB,
    )


async def run_survey_scan(context: CourtyardContext) -> None:
    """Do what is due for every survey whose `next_due_at` has come, then send."""
    services = context.services
    now = services.clock.now()
    for survey in await services.surveys.due(now):
        building = await services.buildings.get(survey.building_id)
        if building is None:
            continue
        actions = due_actions(
            survey.times, now, survey_zone(context, building), survey_quiet(context, building)
        )
        messages: list[OutgoingMessage] = []
        if actions.announce:
            messages += await _announcement(context, survey, building)
        if actions.remind:
            messages += await _reminders(context, survey, building, actions.after.reminders_sent)
        if actions.close_note:
            messages += await _closing(context, survey, building)
        await services.surveys.advance(survey, actions.after, actions.next_due_at, messages)
    await deliver_outbox(context)


async def group_translator(
    context: CourtyardContext, chat_id: int, building: Building
) -> Translator:
    chat = await context.services.chats.get(chat_id)
    code = (chat.language if chat else None) or building.language
    return translator(preferred_language(code, context))


async def _announcement(
    context: CourtyardContext, survey: Survey, building: Building
) -> list[OutgoingMessage]:
    messages = []
    for chat_id in await context.services.buildings.chats_of(building.id):
        _ = await group_translator(context, chat_id, building)
        text = "\n".join(
            [
                _("📋 <b>New survey: {title}</b>").format(title=escape(survey.title)),
                _("{count} questions · {audience} · until {deadline}").format(
                    count=len(survey.questions),
                    audience=audience_name(_, survey.per_household),
                    deadline=local_time(context, building, survey.closes_at),
                ),
                _(
                    "Please answer privately with the button below: answers are never shown in "
                    "the group. Neighbours not on Telegram will be visited at home."
                ),
            ]
        )
        messages.append(
            OutgoingMessage(
                f"survey:{survey.id}:announce:{chat_id}",
                chat_id,
                text,
                reply_markup=answer_button(_, context, survey).to_dict(),
            )
        )
    return messages


async def volunteers(context: CourtyardContext, survey: Survey, building: Building) -> list[int]:
    """Who gets the list still to visit: the building's volunteers and everyone who already
    knocked for this survey; the heads when there is nobody else."""
    services = context.services
    people = {
        a.person_id
        for a in await services.roles.in_building(building.id)
        if a.level is StaffLevel.VOLUNTEER
    }
    people |= set(await services.survey_visits.visitors(survey.id))
    return sorted(people or await head_ids(context, building))


async def _reminders(
    context: CourtyardContext, survey: Survey, building: Building, round_number: int
) -> list[OutgoingMessage]:
    services = context.services
    messages: list[OutgoingMessage] = []
    deadline = local_time(context, building, survey.closes_at)
    for nudge in await services.survey_visits.to_nudge(survey):
        _ = await person_translator(context, nudge.person_id)
        text = (
            _("📋 Reminder: your household has not answered the survey “{title}” yet.")
            if survey.per_household
            else _("📋 Reminder: you have not answered the survey “{title}” yet.")
        ).format(title=escape(survey.title))
        text += "\n" + _("It is open until {deadline}.").format(deadline=deadline)
        messages.append(
            OutgoingMessage(
                f"survey:{survey.id}:remind:{round_number}:{nudge.person_id}",
                nudge.person_id,
                text,
                reply_markup=answer_button(_, context, survey).to_dict(),
            )
        )
    households = await services.survey_visits.reach(survey)
    remaining = [h for h in checklist(households) if h.reach is not Reach.ANSWERED]
    if not remaining:
        return messages
    report = await survey_coverage(context, survey)
    for person_id in await volunteers(context, survey, building):
        person = await services.people.get(person_id)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = await person_translator(context, person_id)
        lines = [
            _("🚪 Survey #{number} “{title}”: {count} households still to reach.").format(
                number=survey.id, title=escape(survey.title), count=len(remaining)
            ),
            *coverage_lines(_, report),
            "",
            _("Still to visit (not reached first):"),
            *remaining_lines(_, remaining),
        ]
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("🚪 Open the checklist"), url=deep_link(context, f"canvass-{survey.id}")
                    )
                ]
            ]
        )
        chunks = chunk_lines(lines)
        key = f"survey:{survey.id}:remind:{round_number}:visit:{person_id}"
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            messages.append(
                OutgoingMessage(
                    key if index == 0 else f"{key}:{index}",
                    person_id,
                    chunk,
                    reply_markup=keyboard.to_dict() if last else None,
                )
            )
    return messages


def remaining_lines(_: Translator, remaining: list[Any]) -> list[str]:
    """Labels grouped by unit, a bounded number per line (a building has 700+ flats)."""
    by_unit: dict[str | None, list[str]] = {}
    for household in remaining:
        by_unit.setdefault(household.unit, []).append(escape(household.label))
    lines = []
    for unit, labels in by_unit.items():
        name = _("Unit {unit}").format(unit=escape(unit)) if unit else _("No unit")
        for start in range(0, len(labels), LABELS_PER_LINE):
            lines.append(f"{name}: {', '.join(labels[start : start + LABELS_PER_LINE])}")
    return lines


async def _closing(
    context: CourtyardContext, survey: Survey, building: Building
) -> list[OutgoingMessage]:
    report = await survey_coverage(context, survey)
    messages = []
    for chat_id in await context.services.buildings.chats_of(building.id):
        _ = await group_translator(context, chat_id, building)
        text = _("📋 The survey “{title}” has closed: {coverage}. Thank you!").format(
            title=escape(survey.title), coverage=counts_text(_, report.building)
        )
        messages.append(OutgoingMessage(f"survey:{survey.id}:closed:{chat_id}", chat_id, text))
    if survey.creator_id is not None:
        _ = await person_translator(context, survey.creator_id)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📊 Results"), callback_data=f"sv:res:{survey.id}")]]
        )
        messages.append(
            OutgoingMessage(
                f"survey:{survey.id}:closed:creator",
                survey.creator_id,
                "\n".join(
                    [
                        _("📋 Survey #{number} “{title}” has closed.").format(
                            number=survey.id, title=escape(survey.title)
                        ),
                        *coverage_lines(_, report),
                    ]
                ),
                reply_markup=keyboard.to_dict(),
            )
        )
    return messages
