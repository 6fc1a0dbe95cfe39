"""Poll wake-ups in the job queue: their names and delays, and dropping a poll's."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.services import Services


def job_queue(context: CourtyardContext) -> JobQueue[Any]:
    """The application's job queue (always present: the job-queue extra is installed)."""
    queue = context.application.job_queue
    assert queue is not None
    return cast("JobQueue[Any]", queue)


def job_poll_id(context: CourtyardContext) -> int:
    assert context.job is not None
    data = context.job.data
    assert isinstance(data, int)
    return data


def close_job_name(poll_id: int) -> str:
    return f"poll-close-{poll_id}"


def refresh_job_name(poll_id: int) -> str:
    return f"poll-refresh-{poll_id}"


def reminder_job_name(poll_id: int, hours: int) -> str:
    return f"poll-remind-{poll_id}-{hours}"


def delay_until(services: Services, moment: datetime) -> float:
    return max((moment - services.clock.now()).total_seconds(), 0.0)


def unschedule_poll(context: CourtyardContext, poll_id: int) -> None:
    for job in job_queue(context).jobs():
        if job.name and (
            job.name in (close_job_name(poll_id), post_job_name(poll_id))
            or job.name.startswith(f"poll-remind-{poll_id}-")
        ):
            job.schedule_removal()


def post_job_name(poll_id: int) -> str:
    return f"poll-post-{poll_id}"
