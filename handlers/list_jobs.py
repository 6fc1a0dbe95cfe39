"""The lists' planner: every minute, act on what has fallen due — and only that.

Each part reads its own "next moment" index (meeting reminders, decision follow-ups,
evaluations closing, polls deciding projects, boards to refresh), so a district with a
million rows costs a few index lookups per tick. Every message goes through the outbox,
written with the change that causes it, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.context import CourtyardContext
from handlers import board
from handlers.followup import follow_up_decisions
from handlers.meeting_reminders import send_meeting_reminders
from handlers.project_evaluation import close_evaluations
from handlers.project_flow import after_poll

logger = logging.getLogger(__name__)

PLAN_LISTS_JOB = "plan_lists"


async def decide_voting_projects(context: CourtyardContext) -> None:
    """Projects still waiting on a poll that has finished (the poll's own closing moves
    them at once; this catches a restart in between)."""
    for project, _status in await context.services.projects.voting_on_finished_polls():
        if project.poll_id is not None:
            await after_poll(context, project.poll_id)


STEPS: tuple[Callable[[CourtyardContext], Awaitable[None]], ...] = (
    decide_voting_projects,
    send_meeting_reminders,
    follow_up_decisions,
    close_evaluations,
    board.redraw_due,
)


async def plan_lists(context: CourtyardContext) -> None:
    """One tick; a failing step is logged and does not keep the others from running."""
    for step in STEPS:
        try:
            await step(context)
        except Exception:
            logger.exception("Lists planner step %s failed", step.__name__)
