"""After a project is done: residents rate it anonymously (one answer per household); below
the building's satisfaction threshold it is reopened for discussion."""

from __future__ import annotations

import re
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import CourtyardContext
from bot.domain.lists import Satisfaction, Verdict, evaluate, parse_percent, supporter_key
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    answer_quietly,
    building_of_chat,
    escape,
    not_linked,
    refusal,
    reply,
    sender_id,
    translator_for,
)
from handlers.list_common import chat_translator, may_manage_building
from handlers.outbox import deliver_outbox
from handlers.project_cards import refresh_card
from storage.buildings import Building
from storage.evaluations import ListSettings
from storage.outbox import OutgoingMessage
from storage.projects import Project

RATE_CALLBACK = re.compile(r"^ev:(\d+):(\d+):([012])$")


def evaluation_keyboard(_: Translator, project: Project) -> InlineKeyboardMarkup:
    prefix = f"ev:{project.id}:{project.evaluation_round}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("😊 Satisfied"), callback_data=f"{prefix}:2"),
                InlineKeyboardButton(_("🙂 Fairly"), callback_data=f"{prefix}:1"),
                InlineKeyboardButton(_("😞 Not satisfied"), callback_data=f"{prefix}:0"),
            ]
        ]
    )


async def evaluation_prompt(
    context: CourtyardContext, project: Project, building: Building
) -> list[OutgoingMessage]:
    """Asked in the group when a project is done (queued with the move to done)."""
    if project.chat_id is None:
        return []
    _ = await chat_translator(context, project.chat_id, building)
    settings = await context.services.evaluations.settings(building.id)
    round_ = project.evaluation_round + 1
    text = _(
        "✅ Project PJ{number} is done: {title}\nHow satisfied are you with the result? "
        "Answers are anonymous, one per household, for {days} days. Below {threshold}% "
        "satisfied, it is reopened for discussion."
    ).format(
        number=project.id,
        title=escape(project.title),
        days=settings.evaluation_days,
        threshold=settings.satisfaction_threshold,
    )
    upcoming = replace(project, evaluation_round=round_)
    return [
        OutgoingMessage(
            dedup_key=f"project-evaluate:{project.id}:{round_}",
            chat_id=project.chat_id,
            text=text,
            reply_markup=evaluation_keyboard(_, upcoming).to_dict(),
            reply_to_message_id=project.card_message_id,
        )
    ]


async def on_rate(update: Update, context: CourtyardContext) -> None:
    """😊 / 🙂 / 😞 under a done project: anonymous, the household's latest answer counts."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = RATE_CALLBACK.match(query.data or "")
    project = await services.projects.get(int(match.group(1))) if match else None
    if match is None or project is None or query.message is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    building = await services.buildings.for_chat(query.message.chat.id)
    if building is None or building.id != project.building_id:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    user_id = sender_id(update)
    membership = await services.households.membership_in(building.id, user_id)
    household = (
        membership.household_id
        if membership is not None and membership.status == "approved"
        else None
    )
    score = Satisfaction(int(match.group(3)))
    if not await services.evaluations.rate(
        project.id, int(match.group(2)), supporter_key(user_id, household), score
    ):
        await answer_quietly(query, _("This evaluation has closed."), show_alert=True)
        return
    await answer_quietly(
        query,
        _("Thank you. Your answer is anonymous; you can change it until the evaluation closes."),
        show_alert=True,
    )


async def close_evaluations(context: CourtyardContext) -> None:
    """Evaluations whose time is up: reopen below the building's threshold, else accept."""
    services = context.services
    for project in await services.evaluations.due(services.clock.now()):
        building = await services.buildings.get(project.building_id)
        if building is None:
            continue
        settings = await services.evaluations.settings(building.id)
        counts = await services.evaluations.rating_counts(project.id, project.evaluation_round)
        evaluation = evaluate(counts, settings.satisfaction_threshold)
        messages = []
        if project.chat_id is not None:
            _ = await chat_translator(context, project.chat_id, building)
            texts = {
                Verdict.ACCEPTED: _(
                    "⭐ Project PJ{number}: {percent}% of {answers} answers satisfied "
                    "(threshold {threshold}%). Thank you for evaluating!"
                ),
                Verdict.REOPENED: _(
                    "⚠️ Project PJ{number}: only {percent}% of {answers} answers satisfied "
                    "(threshold {threshold}%). It is reopened for discussion."
                ),
                Verdict.NO_ANSWERS: _(
                    "Project PJ{number}: nobody evaluated it, so it stays done."
                ),
            }
            messages.append(
                OutgoingMessage(
                    dedup_key=f"project-evaluated:{project.id}:{project.evaluation_round}",
                    chat_id=project.chat_id,
                    text=texts[evaluation.verdict].format(
                        number=project.id,
                        percent=evaluation.percent,
                        answers=evaluation.answers,
                        threshold=evaluation.threshold,
                    ),
                    reply_to_message_id=project.card_message_id,
                )
            )
        if await services.evaluations.finish(project, evaluation, messages):
            await refresh_card(context, project.id)
            await board.touch(context, project.building_id)
    await deliver_outbox(context)


async def threshold(update: Update, context: CourtyardContext, _: Translator) -> None:
    """`/project threshold 60 [days 7]`: below 60 % satisfied a done project reopens."""
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    if not await may_manage_building(context, sender_id(update), building):
        await reply(update, refusal(_))
        return
    args = context.args or []
    current = await context.services.evaluations.settings(building.id)
    percent = parse_percent(args[1]) if len(args) > 1 else None
    days = current.evaluation_days
    if len(args) > 3 and args[2].lower() in ("days", "天"):
        days = int(args[3]) if args[3].isdigit() and 1 <= int(args[3]) <= 60 else 0
    if len(args) > 1 and (percent is None or percent < 1 or days == 0):
        await reply(update, escape(_("Usage: /project threshold 60 [days 7] (building heads)")))
        return
    if percent is not None:
        current = ListSettings(percent, days)
        await context.services.evaluations.set_settings(building.id, current)
    await reply(
        update,
        _(
            "Residents evaluate a done project for {days} days; below {threshold}% satisfied "
            "it is reopened for discussion."
        ).format(days=current.evaluation_days, threshold=current.satisfaction_threshold),
    )
