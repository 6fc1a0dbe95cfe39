"""What happens to a project: its card, polls deciding it, and residents' evaluation."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError

from bot.context import CourtyardContext
from bot.domain.list_syntax import ItemKind, ItemRef, item_label
from bot.domain.lists import (
    NeedStatus,
    ProjectStatus,
    Satisfaction,
    Verdict,
    evaluate,
    format_money,
    progress_bar,
    supporter_key,
)
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_syntax import parse_poll_command
from bot.i18n import Translator
from handlers import board
from handlers.common import answer_quietly, escape, sender_id, translator_for
from handlers.list_common import chat_translator, name_of, project_status
from handlers.list_items import links_line
from handlers.outbox import deliver_outbox
from handlers.poll_schedule import post_poll, schedule_poll
from storage.buildings import Building
from storage.outbox import OutgoingMessage
from storage.polls import Poll, PollStatus
from storage.projects import Project

logger = logging.getLogger(__name__)

RATE_CALLBACK = re.compile(r"^ev:(\d+):(\d+):([012])$")


async def card_text(context: CourtyardContext, _: Translator, project: Project) -> str:
    lines = [
        _("🏗 <b>Project PJ{number}</b> · {status}").format(
            number=project.id, status=project_status(_, project.status)
        ),
        escape(project.title),
    ]
    facts = [_("👤 {owner}").format(owner=await name_of(context, project.owner_id))]
    if project.budget_cents is not None:
        money = format_money(project.budget_cents)
        facts.append(
            _("💰 {amount} ({funding})").format(amount=money, funding=escape(project.funding))
            if project.funding
            else _("💰 {amount}").format(amount=money)
        )
    if project.target_date is not None:
        facts.append(_("📅 by {date}").format(date=project.target_date.isoformat()))
    lines.append(" · ".join(facts))
    lines.append(f"{progress_bar(project.percent)} {project.percent}%")
    if project.poll_result:
        lines.append(poll_result_text(_, project.poll_result))
    evaluation = project.evaluation
    if evaluation and evaluation.get("percent") is not None:
        lines.append(
            _("⭐ Residents satisfied: {percent}% (threshold {threshold}%)").format(
                percent=evaluation["percent"], threshold=evaluation["threshold"]
            )
        )
    link = await links_line(context, _, ItemRef(ItemKind.PROJECT, project.id))
    if link:
        lines.append(link)
    return "\n".join(lines)


def poll_result_text(_: Translator, stored: str) -> str:
    """The result attached when a poll moved the project: `#P3: For 20 · Against 5 …`."""
    data = json.loads(stored)
    labels = (_("For"), _("Against"), _("Abstain"))
    counts = " · ".join(
        f"{label} {count}" for label, count in zip(labels, data.get("counts", []), strict=False)
    )
    verdict = _("passed") if data.get("passed") else _("not passed")
    return _("🗳 #P{number}: {counts} — {verdict}").format(
        number=data["poll"], counts=counts, verdict=verdict
    )


async def refresh_card(context: CourtyardContext, project_id: int) -> None:
    services = context.services
    project = await services.projects.get(project_id)
    if project is None or project.chat_id is None or project.card_message_id is None:
        return
    building = await services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    try:
        await context.bot.edit_message_text(
            await card_text(context, _, project), project.chat_id, project.card_message_id
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update the card of PJ%d: %s", project_id, exc)
    except TelegramError as exc:
        logger.warning("Could not update the card of PJ%d: %s", project_id, exc)


async def post_card(context: CourtyardContext, project: Project, reply_to: int | None) -> None:
    """The project's card in its group (edited as it moves); the board follows."""
    if project.chat_id is None:
        return
    building = await context.services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    message = await context.bot.send_message(
        project.chat_id, await card_text(context, _, project), reply_to_message_id=reply_to
    )
    await context.services.projects.set_card(project.id, project.chat_id, message.message_id)
    if building is not None:
        await board.start_board(context, project.chat_id, building)
    await board.touch(context, project.building_id)


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
    settings = await context.services.projects.settings(building.id)
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


async def move_project(
    context: CourtyardContext,
    project: Project,
    target: ProjectStatus,
    actor_id: int | None,
    *,
    note: str = "",
    poll_result: str | None = None,
    announce: list[OutgoingMessage] | None = None,
) -> Project | None:
    """Move a project; done opens the evaluation (its question queued in the same step)."""
    services = context.services
    building = await services.buildings.get(project.building_id)
    messages = list(announce or [])
    if target is ProjectStatus.DONE and building is not None:
        messages += await evaluation_prompt(context, project, building)
    moved = await services.projects.move(
        project.id,
        target,
        actor_id=actor_id,
        note=note,
        poll_result=poll_result,
        expected=(project.status,),
        announce=messages,
    )
    if moved is None:
        return None
    await refresh_card(context, moved.id)
    await board.touch(context, moved.building_id)
    if messages:
        await deliver_outbox(context)
    return moved


def _safe_question(text: str) -> str:
    """A title inside a poll question must not read as options or flags."""
    return text.replace("|", "/").replace("｜", "/").replace("—", "-").replace("--", "-")


async def start_project_poll(
    context: CourtyardContext, project: Project, flags: str, actor_id: int
) -> Poll | PollSyntaxError | None:
    """Put a project to a For/Against poll in its group; the result moves it."""
    services = context.services
    if project.chat_id is None:
        return None
    building = await services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    question = _("Approve project PJ{number}: {title}?").format(
        number=project.id, title=_safe_question(project.title)
    )
    if project.budget_cents is not None:
        question += " " + _("(budget {amount})").format(amount=format_money(project.budget_cents))
    try:
        spec = parse_poll_command(
            f"{question} {flags}".strip(),
            now=services.clock.now(),
            tz=services.settings.community.timezone,
            default_hours=services.settings.polls.default_hours,
        )
    except PollSyntaxError as error:
        return error
    earlier = await services.list_history.results_of(
        ItemRef(ItemKind.PROJECT, project.id), ItemKind.POLL
    )
    poll, created = await services.polls.create(
        spec,
        building_id=project.building_id,
        chat_id=project.chat_id,
        # Polls started from a list have no command message of their own in the group.
        source_message_id=-(project.id * 1000 + len(earlier) + 1),
        creator_id=actor_id,
    )
    if await services.projects.start_poll(project.id, poll.id, actor_id) is None:
        return None
    if created:
        await schedule_poll(context, poll.id)
    await post_poll(context, poll.id)
    await refresh_card(context, project.id)
    await board.touch(context, project.building_id)
    return poll


def _result_json(poll: Poll) -> str:
    result = poll.result or {}
    return json.dumps(
        {"poll": poll.id, "counts": result.get("counts", []), "passed": result.get("passed")}
    )


async def after_poll(context: CourtyardContext, poll_id: int) -> None:
    """A poll finished: the project it decides moves (passed → approved, not passed →
    declined with the result attached, cancelled → planned); needs it was about say so."""
    services = context.services
    poll = await services.polls.get(poll_id)
    if poll is None or poll.is_open:
        return
    passed = poll.status is PollStatus.CLOSED and bool((poll.result or {}).get("passed"))
    outcome = (
        "poll_cancelled"
        if poll.status is PollStatus.CANCELLED
        else ("poll_passed" if passed else "poll_failed")
    )
    ref = ItemRef(ItemKind.POLL, poll.id)
    project = await services.projects.voting_on(poll.id)
    if project is not None:
        await _project_after_poll(context, project, poll, passed)
    for need_id in await services.list_history.sources_of(ref, ItemKind.NEED):
        need = await services.needs.get(need_id)
        if need is None:
            continue
        await services.list_history.add(ItemKind.NEED, need_id, None, outcome, item_label(ref))
        if passed and need.status is NeedStatus.OPEN:
            await services.needs.move(need_id, NeedStatus.FORWARDED, actor_id=None, note=outcome)
        await board.touch(context, need.building_id)
    await services.decisions.settle(ref, outcome)
    if poll.building_id is not None:
        await board.touch(context, poll.building_id)


async def _project_after_poll(
    context: CourtyardContext, project: Project, poll: Poll, passed: bool
) -> None:
    building = await context.services.buildings.get(project.building_id)
    if poll.status is PollStatus.CANCELLED:
        target, key = ProjectStatus.PLANNED, "cancelled"
    else:
        target, key = (
            (ProjectStatus.APPROVED, "passed")
            if passed
            else (
                ProjectStatus.DECLINED,
                "failed",
            )
        )
    messages = []
    if project.chat_id is not None:
        _ = await chat_translator(context, project.chat_id, building)
        texts = {
            "passed": _("✅ Poll #P{poll} passed: project PJ{number} is approved."),
            "failed": _("❌ Poll #P{poll} did not pass: project PJ{number} is declined."),
            "cancelled": _("Poll #P{poll} was cancelled: project PJ{number} is planned again."),
        }
        messages.append(
            OutgoingMessage(
                dedup_key=f"project-poll:{project.id}:{poll.id}",
                chat_id=project.chat_id,
                text=texts[key].format(poll=poll.id, number=project.id),
                reply_to_message_id=project.card_message_id,
            )
        )
    await move_project(
        context,
        project,
        target,
        None,
        note=f"#P{poll.id}",
        poll_result=None if key == "cancelled" else _result_json(poll),
        announce=messages,
    )


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
    if not await services.projects.rate(
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
    for project in await services.projects.evaluations_due(services.clock.now()):
        building = await services.buildings.get(project.building_id)
        if building is None:
            continue
        settings = await services.projects.settings(building.id)
        counts = await services.projects.rating_counts(project.id, project.evaluation_round)
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
        if await services.projects.finish_evaluation(project, evaluation, messages):
            await refresh_card(context, project.id)
            await board.touch(context, project.building_id)
    await deliver_outbox(context)
