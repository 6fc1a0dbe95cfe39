"""Survey results for heads: counts and a chart per question, free-text answers grouped into
a ranked list of suggestions, and one tap to send a suggestion to the needs or problems list."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.charts import bar_chart
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.classifier import classify
from bot.domain.suggestion_groups import GroupedSuggestions, Suggestion, group_suggestions
from bot.domain.survey import QuestionKind, QuestionResult, percent, tally
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    answer_quietly,
    chunk_lines,
    edit_quietly,
    escape,
    refusal,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.request_cards import shorten
from handlers.request_flow import open_request
from handlers.survey_common import (
    coverage_lines,
    kind_name,
    local_time,
    may_manage_survey,
    survey_coverage,
    title_line,
)
from storage.requests import NewRequest
from storage.survey_followups import FollowUp, SurveyNeed
from storage.surveys import Survey

FOLLOW_CALLBACK = re.compile(r"^sf:(\d+):(\d+):(\d+):(n|r)$")
SHOWN_GROUPS = 10
BUTTON_GROUPS = 6
CAPTION_BUDGET = 1000


async def _grouped(context: CourtyardContext, survey: Survey, index: int) -> GroupedSuggestions:
    rules = context.services.settings.classifier
    result = tally(
        survey.questions[index], await context.services.surveys.answers_to(survey.id, index)
    )
    suggestions = [Suggestion(answer_id, text) for answer_id, text in result.texts]
    return await asyncio.to_thread(
        group_suggestions, suggestions, lambda text: classify(text, rules).category
    )


def _result_lines(_: Translator, number: int, result: QuestionResult) -> list[str]:
    question = result.question
    head = f"<b>{number}. {escape(question.text)}</b> <i>({kind_name(_, question.kind)})</i>"
    lines = [head, _("{count} answers").format(count=result.answers)]
    if question.kind.has_options:
        for i, option in enumerate(question.options):
            share = percent(result.share(i))
            lines.append(f"  {chr(65 + i)}. {escape(option)} — {result.counts[i]} ({share} %)")
    elif question.kind is QuestionKind.RATING:
        if result.average is not None:
            lines.append(_("average {average}").format(average=f"{float(result.average):.1f}"))
        lines.append(
            "  " + " · ".join(f"{stars}⭐ {n}" for stars, n in enumerate(result.counts, 1))
        )
    return lines


def _chart(result: QuestionResult) -> bytes | None:
    """Bars labelled A, B, … or 1★…5★ (the fonts have no Chinese; the caption names them)."""
    if not result.answers or not result.counts:
        return None
    if result.question.kind is QuestionKind.RATING:
        labels = [f"{stars} stars" for stars in range(1, 6)]
    else:
        labels = [chr(65 + i) for i in range(len(result.counts))]
    return bar_chart(list(result.counts), labels)


def _suggestion_view(
    _: Translator,
    survey: Survey,
    index: int,
    grouped: GroupedSuggestions,
    followups: Sequence[FollowUp],
) -> tuple[str, InlineKeyboardMarkup | None]:
    question = survey.questions[index]
    sent = {(f.answer_id, f.target): f for f in followups}
    total = sum(g.size for g in grouped.groups) + grouped.nothing
    lines = [
        _("💬 <b>{number}. {question}</b>").format(
            number=index + 1, question=escape(question.text)
        ),
        _(
            "{answers} answers → {groups} suggestions ({nothing} said there was nothing to add)"
        ).format(answers=total, groups=len(grouped.groups), nothing=grouped.nothing),
    ]
    rows = []
    for rank, group in enumerate(grouped.groups[:SHOWN_GROUPS], start=1):
        answer_id = group.representative.answer_id
        marks = ""
        if (answer_id, "need") in sent:
            marks += " 📌"
        request = sent.get((answer_id, "request"))
        if request is not None:
            marks += f" 🛠#{request.target_id}" if request.target_id else " 🛠"
        lines.append(
            f"{rank}. ×{group.size} [{escape(category_name(_, group.category))}] "
            f"{escape(shorten(group.representative.text, 100))}{marks}"
        )
        if rank <= BUTTON_GROUPS:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("📌 {rank} → needs").format(rank=rank),
                        callback_data=f"sf:{survey.id}:{index}:{answer_id}:n",
                    ),
                    InlineKeyboardButton(
                        _("🛠 {rank} → problems").format(rank=rank),
                        callback_data=f"sf:{survey.id}:{index}:{answer_id}:r",
                    ),
                ]
            )
    hidden = len(grouped.groups) - SHOWN_GROUPS
    if hidden > 0:
        lines.append(
            _("… and {count} smaller suggestions (all of them are in /export)").format(
                count=hidden
            )
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def send_results(update: Update, context: CourtyardContext, survey_id: int) -> None:
    """The results of a survey, privately to a head or admin of its building."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    survey = await services.surveys.get(survey_id)
    if survey is None or not await may_manage_survey(context, user_id, survey):
        await context.bot.send_message(user_id, refusal(_))
        return
    building = await services.buildings.get(survey.building_id)
    state = (
        _("open until {deadline}") if survey.status == "open" else _("closed at {deadline}")
    ).format(deadline=local_time(context, building, survey.closed_at or survey.closes_at))
    lines = [
        title_line(_, survey),
        state,
        *coverage_lines(_, await survey_coverage(context, survey)),
    ]
    results = [
        tally(question, await services.surveys.answers_to(survey.id, index))
        for index, question in enumerate(survey.questions)
    ]
    for number, result in enumerate(results, start=1):
        if result.question.kind is not QuestionKind.TEXT:
            lines += ["", *_result_lines(_, number, result)]
    for chunk in chunk_lines(lines):
        await context.bot.send_message(user_id, chunk)
    for number, result in enumerate(results, start=1):
        chart = await asyncio.to_thread(_chart, result)
        if chart is None:
            continue
        names = ", ".join(
            f"{chr(65 + i)} = {option}" for i, option in enumerate(result.question.options)
        )
        caption = shorten(f"{number}. {result.question.text} {names}".strip(), CAPTION_BUDGET)
        await context.bot.send_photo(user_id, chart, caption=escape(caption))
    followups = await services.survey_followups.of_survey(survey.id)
    for index, result in enumerate(results):
        if result.question.kind is QuestionKind.TEXT and result.answers:
            text, keyboard = _suggestion_view(
                _, survey, index, await _grouped(context, survey, index), followups
            )
            await context.bot.send_message(user_id, text, reply_markup=keyboard)


async def on_follow_up(update: Update, context: CourtyardContext) -> None:
    """📌 → needs / 🛠 → problems under a ranked suggestion (heads and admins only)."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = FOLLOW_CALLBACK.match(query.data or "")
    survey = await services.surveys.get(int(match.group(1))) if match else None
    user_id = sender_id(update)
    if match is None or survey is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    if not await may_manage_survey(context, user_id, survey):
        await answer_quietly(query, refusal(_), show_alert=True)
        return
    index, answer_id, target = int(match.group(2)), int(match.group(3)), match.group(4)
    if index >= len(survey.questions) or survey.questions[index].kind is not QuestionKind.TEXT:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    grouped = await _grouped(context, survey, index)
    group = next((g for g in grouped.groups if g.holds(answer_id)), None)
    if group is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    text = group.representative.text
    if target == "n":
        need = SurveyNeed(
            building_id=survey.building_id,
            survey_id=survey.id,
            question=index,
            title=text,
            category=group.category,
            households=group.size,
            created_by=user_id,
        )
        done = await services.survey_followups.to_needs(need, answer_id)
        if done is not None:
            await board.touch(context, survey.building_id)
        notice = (
            _("📌 Sent to the needs list.") if done else _("This suggestion is already there.")
        )
    elif not await services.survey_followups.claim_request(
        survey.id, index, answer_id, text, group.size, user_id
    ):
        notice = _("This suggestion is already a tracked request.")
    else:
        source = _("From survey #{number} “{title}”, written by {count} respondents.").format(
            number=survey.id, title=survey.title, count=group.size
        )
        request = await open_request(
            context,
            NewRequest(
                building_id=survey.building_id,
                chat_id=None,
                source_message_id=None,
                reporter_id=user_id,
                category=group.category,
                urgent=False,
                location=None,
                description=f"{text}\n{source}",
            ),
            reply_to_message_id=None,
        )
        await services.survey_followups.link_request(survey.id, answer_id, request.id)
        await services.requests.note(request.id, user_id, "note", source)
        notice = _("🛠 Filed as request #{number}.").format(number=request.id)
    await answer_quietly(query, notice)
    view, keyboard = _suggestion_view(
        _, survey, index, grouped, await services.survey_followups.of_survey(survey.id)
    )
    await edit_quietly(query, view, keyboard)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_follow_up, pattern=FOLLOW_CALLBACK)]
