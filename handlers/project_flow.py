"""What happens to a project: it moves along, polls decide it, finished polls move it."""

from __future__ import annotations

import json
import logging

from bot.context import CourtyardContext
from bot.domain.item_refs import ItemKind, ItemRef, item_label
from bot.domain.lists import NeedStatus, ProjectStatus, format_money
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_syntax import parse_poll_command
from handlers import board
from handlers.list_common import chat_translator
from handlers.outbox import deliver_outbox
from handlers.poll_schedule import post_poll, schedule_poll
from handlers.project_cards import refresh_card
from handlers.project_evaluation import evaluation_prompt
from storage.outbox import OutgoingMessage
from storage.polls import Poll, PollStatus
from storage.projects import Project

logger = logging.getLogger(__name__)

POLLABLE = frozenset({ProjectStatus.PLANNED, ProjectStatus.REOPENED})


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
    if project.chat_id is None or project.status not in POLLABLE:
        return None  # checked before a poll exists: an unused poll would be posted later
    building = await services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    question = _("Approve project PJ{number}: {title}?").format(
        number=project.id, title=_safe_question(project.title)
    )
    if project.budget_cents is not None:
        question += " " + _("(budget {amount})").format(amount=format_money(project.budget_cents))
    try:
        spec = parse_poll_command(
            # Flags only: a project's poll is For / Against / Abstain, never custom options.
            f"{question} {flags.replace('|', ' ').replace('｜', ' ')}".strip(),
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
    verdict = (poll.result or {}).get("passed")  # None: a poll of options, not a decision
    passed = poll.status is PollStatus.CLOSED and verdict is True
    if poll.status is PollStatus.CANCELLED:
        outcome = "poll_cancelled"
    elif verdict is None:
        outcome = "poll_closed"
    else:
        outcome = "poll_passed" if passed else "poll_failed"
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
