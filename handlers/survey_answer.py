"""Answering a survey privately, one question at a time, with a way back.

The same flow records a household's answers at the door: a volunteer answers on its behalf
(`household` in the callback data is then that household, 0 meaning "my own answers"). Every
press is checked on the server: the survey must still be open and the presser must be the
respondent, or allowed to knock on doors in the survey's building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.survey import MAX_TEXT_ANSWER, Answer, Question, QuestionKind, toggle, valid_answer
from bot.i18n import Translator
from handlers.common import (
    answer_quietly,
    deep_link,
    edit_quietly,
    escape,
    reply,
    sender_id,
    translator_for,
)
from handlers.survey_common import (
    CONVERSATION_CANVASS,
    checklist_callback,
    local_time,
    local_today,
    may_canvass,
    own_respondent,
)
from storage.conversations import Conversation
from storage.surveys import Respondent, Response, Survey

ANSWER_CALLBACK = re.compile(r"^sa:(\d+):(\d+):(\d+):([ctrnbg]):(\d+)$")
CONVERSATION_SURVEY_TEXT = "survey_text"


@dataclass(frozen=True)
class Answering:
    """Who is answering what: the survey, the respondent, and for a visit the flat."""

    survey: Survey
    respondent: Respondent
    household_id: int  # 0: the presser's own answers
    flat: str | None  # the visited household's label
    recorded_by: int | None


def _callback(answering: Answering, question: int, action: str, value: int = 0) -> str:
    return f"sa:{answering.survey.id}:{answering.household_id}:{question}:{action}:{value}"


async def _answering(
    context: CourtyardContext, _: Translator, survey_id: int, household_id: int, user_id: int
) -> Answering | str:
    """Resolve and check the respondent; a refusal text when the press is not allowed."""
    services = context.services
    survey = await services.surveys.get(survey_id)
    if survey is None:
        return _("This survey does not exist.")
    if not survey.accepts_answers(services.clock.now()):
        return _("This survey has closed; answers can no longer be changed.")
    if household_id == 0:
        respondent = await own_respondent(context, survey, user_id)
        if respondent is None:
            return _(
                "This survey is for registered households of the building. Please register "
                "your flat first with /join."
            )
        return Answering(survey, respondent, 0, None, None)
    building = await services.buildings.get(survey.building_id)
    label = await services.survey_visits.household_in(survey.building_id, household_id)
    if building is None or label is None or not await may_canvass(context, user_id, building):
        return _("Sorry, only building heads and volunteers can record answers at the door.")
    return Answering(
        survey, Respondent.household(household_id, None), household_id, label, user_id
    )


def render(
    _: Translator, answering: Answering, index: int, response: Response | None
) -> tuple[str, InlineKeyboardMarkup]:
    survey = answering.survey
    question = survey.questions[index]
    current = response.answers.get(index) if response else None
    lines = [
        _("📋 <b>{title}</b> · question {number} of {count}").format(
            title=escape(survey.title), number=index + 1, count=len(survey.questions)
        )
    ]
    if answering.flat is not None:
        lines.append(_("🚪 Recording the answers of {flat}").format(flat=escape(answering.flat)))
    lines += ["", f"<b>{escape(question.text)}</b>"]
    rows: list[list[InlineKeyboardButton]] = []
    chosen = set(current.choices) if current else set()
    if question.kind is QuestionKind.SINGLE:
        lines.append(_("<i>Choose one.</i>"))
        for i, option in enumerate(question.options):
            mark = "✅ " if i in chosen else ""
            rows.append(
                [
                    InlineKeyboardButton(
                        mark + option, callback_data=_callback(answering, index, "c", i)
                    )
                ]
            )
    elif question.kind is QuestionKind.MULTI:
        lines.append(_("<i>Tap all that apply, then Next.</i>"))
        for i, option in enumerate(question.options):
            mark = "☑️ " if i in chosen else "⬜ "
            rows.append(
                [
                    InlineKeyboardButton(
                        mark + option, callback_data=_callback(answering, index, "t", i)
                    )
                ]
            )
    elif question.kind is QuestionKind.RATING:
        lines.append(_("<i>1 = very poor, 5 = very good.</i>"))
        rating = current.rating if current else None
        rows.append(
            [
                InlineKeyboardButton(
                    f"{'✅' if stars == rating else '⭐'} {stars}",
                    callback_data=_callback(answering, index, "r", stars),
                )
                for stars in range(1, 6)
            ]
        )
    else:
        lines.append(_("<i>Type your answer and send it as a message.</i>"))
        if current and current.text:
            lines.append(_("Your answer: {text}").format(text=escape(current.text)))
    last = index == len(survey.questions) - 1
    navigation = []
    if index > 0:
        navigation.append(
            InlineKeyboardButton(_("◀️ Back"), callback_data=_callback(answering, index, "b"))
        )
    answered = current is not None and not current.is_empty
    forward = _("✅ Finish") if last else (_("Next ➡️") if answered else _("Skip ➡️"))
    navigation.append(
        InlineKeyboardButton(forward, callback_data=_callback(answering, index, "n"))
    )
    rows.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _show(
    update: Update, context: CourtyardContext, _: Translator, answering: Answering, index: int
) -> None:
    """Show question `index` (editing the pressed message, or as a new one after typing)."""
    services = context.services
    user_id = sender_id(update)
    response = await services.surveys.response(answering.survey.id, answering.respondent.key)
    question = answering.survey.questions[index]
    conversation = await services.conversations.current(user_id)
    if question.kind is QuestionKind.TEXT:
        await services.conversations.begin(
            user_id,
            CONVERSATION_SURVEY_TEXT,
            {
                "survey_id": answering.survey.id,
                "household_id": answering.household_id,
                "question": index,
            },
        )
    elif conversation is not None and conversation.kind == CONVERSATION_SURVEY_TEXT:
        await services.conversations.end(user_id)
    text, keyboard = render(_, answering, index, response)
    query = update.callback_query
    if query is not None:
        await edit_quietly(query, text, keyboard)
    else:
        await context.bot.send_message(user_id, text, reply_markup=keyboard)


async def begin(
    update: Update, context: CourtyardContext, survey_id: int, household_id: int = 0
) -> None:
    """Start at the first question (from a deep link, a reminder or the checklist)."""
    _ = await translator_for(update, context)
    answering = await _answering(context, _, survey_id, household_id, sender_id(update))
    if isinstance(answering, str):
        keyboard = None
        if household_id == 0 and "/join" in answering:
            survey = await context.services.surveys.get(survey_id)
            if survey is not None:
                keyboard = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                _("🏠 Register my flat"),
                                url=deep_link(context, f"join-{survey.building_id}"),
                            )
                        ]
                    ]
                )
        query = update.callback_query
        if query is not None:
            await answer_quietly(query, answering, show_alert=True)
        else:
            await reply(update, answering, reply_markup=keyboard)
        return
    await _show(update, context, _, answering, 0)


async def _finish(
    update: Update, context: CourtyardContext, _: Translator, answering: Answering
) -> None:
    services = context.services
    survey = answering.survey
    building = await services.buildings.get(survey.building_id)
    visited_on = local_today(context, building).isoformat() if answering.flat else None
    await services.surveys.complete(
        survey.id, answering.respondent, recorded_by=answering.recorded_by, visited_on=visited_on
    )
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    if answering.flat is not None:
        # Back to the checklist: the next flat number typed opens the next household.
        await services.conversations.begin(user_id, CONVERSATION_CANVASS, {"survey_id": survey.id})
    elif conversation is not None and conversation.kind == CONVERSATION_SURVEY_TEXT:
        await services.conversations.end(user_id)
    if answering.flat is not None:
        text = _("✅ The answers of {flat} are recorded. Thank you for the visit!").format(
            flat=escape(answering.flat)
        )
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("◀️ Back to the checklist"), callback_data=checklist_callback(survey.id)
                    )
                ]
            ]
        )
    else:
        text = _(
            "✅ Thank you! Your answers to “{title}” are saved. You can change them until "
            "{deadline}."
        ).format(
            title=escape(survey.title), deadline=local_time(context, building, survey.closes_at)
        )
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("✏️ Change my answers"), callback_data=_callback(answering, 0, "g")
                    )
                ]
            ]
        )
    query = update.callback_query
    if query is not None:
        await edit_quietly(query, text, keyboard)
    else:
        await context.bot.send_message(sender_id(update), text, reply_markup=keyboard)


async def _forward(
    update: Update, context: CourtyardContext, _: Translator, answering: Answering, index: int
) -> None:
    if index + 1 >= len(answering.survey.questions):
        await _finish(update, context, _, answering)
    else:
        await _show(update, context, _, answering, index + 1)


async def on_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = ANSWER_CALLBACK.match(query.data or "")
    if match is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    survey_id, household_id, index = (int(match.group(i)) for i in (1, 2, 3))
    action, value = match.group(4), int(match.group(5))
    answering = await _answering(context, _, survey_id, household_id, sender_id(update))
    if isinstance(answering, str):
        await answer_quietly(query, answering, show_alert=True)
        return
    if index >= len(answering.survey.questions):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    question = answering.survey.questions[index]
    if action == "b":
        await _show(update, context, _, answering, max(index - 1, 0))
    elif action == "g":
        await _show(update, context, _, answering, index)
    elif action == "n":
        await _forward(update, context, _, answering, index)
    elif action == "t":
        response = await context.services.surveys.response(survey_id, answering.respondent.key)
        current = response.answers.get(index) if response else None
        choices = toggle(current.choices if current else (), value)
        if await _save(
            context, answering, index, question, Answer(choices=choices), allow_empty=True
        ):
            await _show(update, context, _, answering, index)
    else:
        answer = Answer(choices=(value,)) if action == "c" else Answer(rating=value)
        if await _save(context, answering, index, question, answer):
            await _forward(update, context, _, answering, index)


async def _save(
    context: CourtyardContext,
    answering: Answering,
    index: int,
    question: Question,
    answer: Answer,
    *,
    allow_empty: bool = False,
) -> bool:
    """Store an answer that fits its question (stale or forged buttons are ignored)."""
    if not (valid_answer(question, answer) or (allow_empty and answer.is_empty)):
        return False
    await context.services.surveys.save_answer(
        answering.survey.id, answering.respondent, index, answer, recorded_by=answering.recorded_by
    )
    return True


async def continue_text(
    update: Update, context: CourtyardContext, conversation: Conversation
) -> None:
    """A typed answer to a free-text question."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or not message.text:
        return
    payload = conversation.payload
    answering = await _answering(
        context, _, int(payload["survey_id"]), int(payload["household_id"]), sender_id(update)
    )
    if isinstance(answering, str):
        await context.services.conversations.end(sender_id(update))
        await reply(update, answering)
        return
    index = int(payload["question"])
    if index >= len(answering.survey.questions):
        return
    question = answering.survey.questions[index]
    text = " ".join(message.text.split())[:MAX_TEXT_ANSWER]
    if question.kind is not QuestionKind.TEXT or not await _save(
        context, answering, index, question, Answer(text=text)
    ):
        return
    await _forward(update, context, _, answering, index)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_button, pattern=ANSWER_CALLBACK)]
