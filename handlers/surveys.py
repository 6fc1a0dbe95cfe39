"""/survey and /surveys: create, look at, close and export surveys; the deep links into them."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from handlers import survey_answer, survey_canvass, survey_create, survey_export, survey_results
from handlers.common import (
    answer_quietly,
    deep_link,
    escape,
    is_private,
    refusal,
    reply,
    sender_id,
    translator_for,
    whole_number,
)
from handlers.survey_common import (
    audience_name,
    checklist_callback,
    coverage_lines,
    local_time,
    may_canvass,
    may_manage_survey,
    own_respondent,
    survey_coverage,
    title_line,
)
from handlers.survey_jobs import run_survey_scan

SURVEY_PAYLOAD = re.compile(r"^survey-(\d+)$")
CANVASS_PAYLOAD = re.compile(r"^canvass-(\d+)$")
CARD_CALLBACK = re.compile(r"^sv:(card|res|cl|close|exp):(\d+)$")
_ACTIONS = {
    "results": "res",
    "结果": "res",
    "checklist": "cl",
    "visits": "cl",
    "上门": "cl",
    "close": "close",
    "关闭": "close",
    "export": "exp",
    "导出": "exp",
}


def _text_after_command(update: Update) -> str:
    """Everything after `/survey`, with the author's separators and spacing kept."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def survey_command(update: Update, context: CourtyardContext) -> None:
    """`/survey` (create), `/survey Title | …` (one message), `/survey N [results|checklist|
    close|export]`. Private chat only: surveys show flats and residents' answers."""
    _ = await translator_for(update, context)
    if not is_private(update):
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("Open private chat"), url=deep_link(context, "surveys"))]]
        )
        await reply(
            update,
            _("Surveys are created and answered in a private chat with me."),
            reply_markup=keyboard,
        )
        return
    text = _text_after_command(update)
    words = text.split()
    number = whole_number(words[0]) if words else None
    if number is None:
        await survey_create.start_creating(update, context, text)
        return
    action = _ACTIONS.get(words[1].casefold()) if len(words) > 1 else "card"
    if action is None:
        await reply(update, survey_create.usage(_))
        return
    await _act(update, context, action, number)


async def _act(update: Update, context: CourtyardContext, action: str, survey_id: int) -> None:
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    survey = await services.surveys.get(survey_id)
    if survey is None:
        await context.bot.send_message(user_id, _("This survey does not exist."))
        return
    if action == "card":
        await show_card(update, context, survey_id)
    elif action == "res":
        await survey_results.send_results(update, context, survey_id)
    elif action == "cl":
        await survey_canvass.show_checklist(update, context, survey_id)
    elif action == "exp":
        await survey_export.export_survey(update, context, [str(survey_id)])
    elif action == "close":
        if not await may_manage_survey(context, user_id, survey):
            await context.bot.send_message(user_id, refusal(_))
            return
        closed = await services.surveys.close_now(survey_id)
        await context.bot.send_message(
            user_id,
            _("Survey #{number} is closed.").format(number=survey_id)
            if closed
            else _("Survey #{number} was already closed.").format(number=survey_id),
        )
        await run_survey_scan(context)


async def show_card(update: Update, context: CourtyardContext, survey_id: int) -> None:
    """A survey as this person may see it: answer it, knock on doors, or manage it."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    survey = await services.surveys.get(survey_id)
    building = await services.buildings.get(survey.building_id) if survey else None
    if survey is None or building is None:
        await context.bot.send_message(user_id, _("This survey does not exist."))
        return
    manager = await may_manage_survey(context, user_id, survey)
    canvasser = manager or await may_canvass(context, user_id, building)
    respondent = await own_respondent(context, survey, user_id)
    if not (canvasser or respondent):
        await context.bot.send_message(user_id, refusal(_))
        return
    open_now = survey.accepts_answers(services.clock.now())
    lines = [
        title_line(_, survey),
        _("{building} · {count} questions · {audience}").format(
            building=escape(building.name),
            count=len(survey.questions),
            audience=audience_name(_, survey.per_household),
        ),
        (_("open until {deadline}") if open_now else _("closed at {deadline}")).format(
            deadline=local_time(context, building, survey.closed_at or survey.closes_at)
        ),
    ]
    rows = []
    if respondent is not None:
        response = await services.surveys.response(survey.id, respondent.key)
        lines.append(
            _("✅ You have answered.")
            if response and response.completed_at
            else _("You have not answered yet.")
        )
        if open_now:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("📝 Answer") if not response else _("✏️ Change my answers"),
                        callback_data=f"sa:{survey.id}:0:0:g:0",
                    )
                ]
            )
    if canvasser:
        lines += coverage_lines(_, await survey_coverage(context, survey))
        if open_now:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("🚪 Door-to-door checklist"), callback_data=checklist_callback(survey.id)
                    )
                ]
            )
    if manager:
        rows.append(
            [
                InlineKeyboardButton(_("📊 Results"), callback_data=f"sv:res:{survey.id}"),
                InlineKeyboardButton(_("📥 Export"), callback_data=f"sv:exp:{survey.id}"),
            ]
        )
        if open_now:
            rows.append(
                [InlineKeyboardButton(_("⏹ Close now"), callback_data=f"sv:close:{survey.id}")]
            )
    await context.bot.send_message(
        user_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def surveys_command(update: Update, context: CourtyardContext) -> None:
    """`/surveys`: recent surveys of the buildings where the sender lives or helps."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    if not is_private(update):
        await survey_command(update, context)
        return
    building_ids = {m.building_id for m in await services.households.memberships_of(user_id)}
    for building in await services.buildings.all():
        if await may_canvass(context, user_id, building):
            building_ids.add(building.id)
    surveys = await services.surveys.of_buildings(sorted(building_ids))
    if not surveys:
        await reply(update, _("There are no surveys yet.") + "\n\n" + survey_create.usage(_))
        return
    now = services.clock.now()
    lines = [_("📋 <b>Surveys</b>")]
    for survey in surveys:
        state = _("open") if survey.accepts_answers(now) else _("closed")
        lines.append(f"#{survey.id} {escape(survey.title)} · {state}")
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"#{s.id} {s.title[:30]}", callback_data=f"sv:card:{s.id}")]
            for s in surveys
        ]
    )
    await reply(update, "\n".join(lines), reply_markup=keyboard)


async def on_card_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CARD_CALLBACK.match(query.data or "")
    if match is None or not is_private(update):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    await _act(update, context, match.group(1), int(match.group(2)))


async def follow_deep_link(update: Update, context: CourtyardContext, payload: str) -> bool:
    """`/start survey-N` answers a survey, `/start canvass-N` opens its checklist."""
    if match := SURVEY_PAYLOAD.match(payload):
        await survey_answer.begin(update, context, int(match.group(1)))
        return True
    if match := CANVASS_PAYLOAD.match(payload):
        await survey_canvass.show_checklist(update, context, int(match.group(1)))
        return True
    if payload == "surveys":
        await surveys_command(update, context)
        return True
    return False


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("survey", survey_command),
        CommandHandler("surveys", surveys_command),
        CallbackQueryHandler(on_card_button, pattern=CARD_CALLBACK),
        *survey_create.handlers(),
        *survey_answer.handlers(),
        *survey_canvass.handlers(),
        *survey_results.handlers(),
    ]
