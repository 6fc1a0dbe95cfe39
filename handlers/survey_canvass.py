"""Door to door: the private checklist of households (not reached first, by unit and floor,
paged) and visits recorded from it: answers on a household's behalf, nobody home, declined."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.coverage import HouseholdReach, Reach, VisitOutcome, checklist
from bot.domain.flats import parse_flat
from bot.i18n import Translator
from handlers import survey_answer
from handlers.common import answer_quietly, edit_quietly, escape, reply, sender_id, translator_for
from handlers.survey_common import (
    CONVERSATION_CANVASS,
    checklist_callback,
    coverage_lines,
    local_today,
    may_canvass,
    survey_coverage,
    title_line,
)
from storage.buildings import Building
from storage.conversations import Conversation
from storage.surveys import Survey

CANVASS_CALLBACK = re.compile(r"^cv:(l|h|r|o):(\d+):([^:]{1,12})(?::([^:]{1,8}))?$")
PAGE_SIZE = 12
MAX_UNIT_BUTTONS = 12
_MARKS = {
    Reach.NOT_REACHED: "⬜",
    Reach.NOBODY_HOME: "🚪",
    Reach.DECLINED: "✋",
    Reach.ANSWERED: "✅",
}


async def _allowed(
    context: CourtyardContext, _: Translator, survey_id: int, user_id: int
) -> tuple[Survey, Building] | str:
    services = context.services
    survey = await services.surveys.get(survey_id)
    building = await services.buildings.get(survey.building_id) if survey else None
    if survey is None or building is None:
        return _("This survey does not exist.")
    if not await may_canvass(context, user_id, building):
        return _("Sorry, only building heads and volunteers can record answers at the door.")
    if not survey.accepts_answers(services.clock.now()):
        return _("This survey has closed; answers can no longer be changed.")
    return survey, building


def _button_label(household: HouseholdReach) -> str:
    label = f"{_MARKS[household.reach]} {household.label}"
    if household.reach in (Reach.NOBODY_HOME, Reach.DECLINED) and household.last_visit_on:
        label += f" {household.last_visit_on.strftime('%m-%d')}"
    return label


async def render_checklist(
    context: CourtyardContext, _: Translator, survey: Survey, unit: str | None, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    households = await context.services.survey_visits.reach(survey)
    report = await survey_coverage(context, survey)
    listed = checklist(households, unit)
    remaining = sum(1 for h in listed if h.reach is not Reach.ANSWERED)
    offset = max(0, min(offset, max(len(listed) - 1, 0)))
    page = listed[offset : offset + PAGE_SIZE]
    lines = [
        _("🚪 <b>Door to door</b>"),
        title_line(_, survey),
        *coverage_lines(_, report),
        "",
        (_("Unit {unit}").format(unit=escape(unit)) + ": " if unit else "")
        + _("{remaining} of {count} households still to reach; showing {first}–{last}.").format(
            remaining=remaining,
            count=len(listed),
            first=offset + 1 if page else 0,
            last=offset + len(page),
        ),
        _(
            "⬜ not reached · 🚪 nobody home · ✋ declined · ✅ answered. Tap a flat to record a "
            "visit, or send a flat number (e.g. 3-502) that is not in the list."
        ),
    ]
    rows = [
        [
            InlineKeyboardButton(
                _button_label(h), callback_data=f"cv:h:{survey.id}:{h.household_id}"
            )
            for h in page[i : i + 2]
        ]
        for i in range(0, len(page), 2)
    ]
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(
                _("◀️ Previous"),
                callback_data=checklist_callback(survey.id, unit, max(offset - PAGE_SIZE, 0)),
            )
        )
    if offset + PAGE_SIZE < len(listed):
        paging.append(
            InlineKeyboardButton(
                _("Next ▶️"), callback_data=checklist_callback(survey.id, unit, offset + PAGE_SIZE)
            )
        )
    if paging:
        rows.append(paging)
    units = [u.unit for u in report.units if u.unit][:MAX_UNIT_BUTTONS]
    if len(units) > 1:
        choices = [InlineKeyboardButton(_("All"), callback_data=checklist_callback(survey.id))]
        choices += [
            InlineKeyboardButton(
                ("• " if u == unit else "") + _("Unit {unit}").format(unit=u),
                callback_data=checklist_callback(survey.id, u),
            )
            for u in units
        ]
        rows += [choices[i : i + 4] for i in range(0, len(choices), 4)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show_checklist(update: Update, context: CourtyardContext, survey_id: int) -> None:
    """`/start canvass-<survey>` or the card's button: the checklist as a new message."""
    _ = await translator_for(update, context)
    user_id = sender_id(update)
    allowed = await _allowed(context, _, survey_id, user_id)
    if isinstance(allowed, str):
        await reply(update, allowed)
        return
    survey, _building = allowed
    await context.services.conversations.begin(
        user_id, CONVERSATION_CANVASS, {"survey_id": survey.id}
    )
    text, keyboard = await render_checklist(context, _, survey, None, 0)
    await context.bot.send_message(user_id, text, reply_markup=keyboard)


def _household_card(
    _: Translator, survey: Survey, household: HouseholdReach
) -> tuple[str, InlineKeyboardMarkup]:
    states = {
        Reach.NOT_REACHED: _("not reached yet"),
        Reach.NOBODY_HOME: _("nobody home on {day}"),
        Reach.DECLINED: _("declined on {day}"),
        Reach.ANSWERED: _("answered ✅"),
    }
    day = household.last_visit_on.isoformat() if household.last_visit_on else ""
    lines = [
        f"🚪 <b>{escape(household.label)}</b>",
        title_line(_, survey),
        _("Status: {state} · visits: {visits}").format(
            state=states[household.reach].format(day=day), visits=household.visits
        ),
    ]
    hid = household.household_id
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📝 Record their answers"), callback_data=f"cv:r:{survey.id}:{hid}"
                )
            ],
            [
                InlineKeyboardButton(
                    _("🚪 Nobody home"), callback_data=f"cv:o:{survey.id}:{hid}:n"
                ),
                InlineKeyboardButton(_("✋ Declined"), callback_data=f"cv:o:{survey.id}:{hid}:d"),
            ],
            [
                InlineKeyboardButton(
                    _("◀️ Back to the checklist"),
                    callback_data=checklist_callback(survey.id, household.unit),
                )
            ],
        ]
    )
    return "\n".join(lines), keyboard


async def on_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CANVASS_CALLBACK.match(query.data or "")
    if match is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    action, survey_id, target, extra = match.groups()
    user_id = sender_id(update)
    allowed = await _allowed(context, _, int(survey_id), user_id)
    if isinstance(allowed, str):
        await answer_quietly(query, allowed, show_alert=True)
        return
    survey, building = allowed
    services = context.services
    if action == "l":
        unit = None if target == "*" else target
        offset = int(extra) if extra and extra.isdigit() else 0
        await services.conversations.begin(user_id, CONVERSATION_CANVASS, {"survey_id": survey.id})
        text, keyboard = await render_checklist(context, _, survey, unit, offset)
        await answer_quietly(query)
        await edit_quietly(query, text, keyboard)
        return
    household = (
        await services.survey_visits.household_reach(survey, int(target))
        if target.isdigit()
        else None
    )
    if household is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    if action == "r":
        await answer_quietly(query)
        await survey_answer.begin(update, context, survey.id, household.household_id)
        return
    if action == "o" and extra in ("n", "d"):
        outcome = VisitOutcome.NOBODY_HOME if extra == "n" else VisitOutcome.DECLINED
        today = local_today(context, building)
        await services.survey_visits.record(
            survey.id, household.household_id, outcome, visitor_id=user_id, visited_on=today
        )
        notice = (
            _("Recorded: nobody home at {flat}.")
            if outcome is VisitOutcome.NOBODY_HOME
            else _("Recorded: {flat} declined.")
        )
        await answer_quietly(query, notice.format(flat=household.label))
        text, keyboard = await render_checklist(context, _, survey, household.unit, 0)
        await edit_quietly(query, text, keyboard)
        return
    await answer_quietly(query)
    text, keyboard = _household_card(_, survey, household)
    await edit_quietly(query, text, keyboard)


async def continue_text(
    update: Update, context: CourtyardContext, conversation: Conversation
) -> None:
    """A flat number typed while the checklist is open: that household's card (the flat is
    added to the roster if nobody had registered it)."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or not message.text:
        return
    user_id = sender_id(update)
    allowed = await _allowed(context, _, int(conversation.payload["survey_id"]), user_id)
    if isinstance(allowed, str):
        await reply(update, allowed)
        return
    survey, building = allowed
    flat = parse_flat(message.text)
    if flat is None:
        await reply(update, _("Send a flat number such as 3-502, or use the buttons above."))
        return
    household_id = await context.services.survey_visits.ensure_household(
        building.id, flat, user_id
    )
    household = await context.services.survey_visits.household_reach(survey, household_id)
    assert household is not None
    text, keyboard = _household_card(_, survey, household)
    await context.bot.send_message(user_id, text, reply_markup=keyboard)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_button, pattern=CANVASS_CALLBACK)]
