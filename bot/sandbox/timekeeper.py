"""Keep the bot's job queue in step with the sandbox clock when it jumps.

The bot computes every wake-up from its injectable clock ("close the poll in 23 h" is the
deadline minus ``clock.now()``), but APScheduler then waits in real time. After the sandbox
clock jumps ahead by Δ, a wake-up planned for real time t is due at t − Δ: one-off jobs
(poll closings and reminders) are brought forward by Δ, never before now; repeating jobs
(the reminder planner, digests, the outbox) derive their work from the database and simply
run at once; calendar jobs (``run_daily``, the weekly report) are re-aimed at the next time
their trigger fires on the sandbox clock.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_REMOVED,
    JobEvent,
)
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from telegram.ext import JobQueue

# Moving a job by less than this is not worth waking the scheduler for.
_TOLERANCE = timedelta(seconds=1)


def retime_after_jump(queue: JobQueue[Any], jump: timedelta, real_now: datetime) -> set[str]:
    """Bring the queue's wake-ups forward after a jump of ``jump``; returns the ids of the
    jobs that are due now."""
    due: set[str] = set()
    for job in queue.jobs():
        scheduled = job.job
        next_run: datetime | None = scheduled.next_run_time
        if next_run is None:
            continue
        if isinstance(scheduled.trigger, IntervalTrigger):
            target = real_now
        else:
            target = max(next_run - jump, real_now)
        if target < next_run:
            # No misfire grace: a wake-up made due on a busy machine must still run.
            scheduled.modify(next_run_time=target, misfire_grace_time=None)
            if target <= real_now:
                due.add(scheduled.id)
    return due


def align_calendar_jobs(queue: JobQueue[Any], offset: timedelta, real_now: datetime) -> int:
    """Aim each calendar job at its next fire time on the sandbox clock (real + ``offset``);
    returns how many moved. Jobs already due are left to run first."""
    moved = 0
    for job in queue.jobs():
        scheduled = job.job
        next_run: datetime | None = scheduled.next_run_time
        if not isinstance(scheduled.trigger, CronTrigger) or next_run is None:
            continue
        if next_run <= real_now:
            continue
        fire: datetime | None = scheduled.trigger.get_next_fire_time(None, real_now + offset)
        if fire is None:
            continue
        target = max(fire - offset, real_now)
        if abs(target - next_run) > _TOLERANCE:
            scheduled.modify(next_run_time=target, misfire_grace_time=None)
            moved += 1
    return moved


_FINISHED = (
    EVENT_JOB_EXECUTED
    | EVENT_JOB_ERROR
    | EVENT_JOB_MISSED
    | EVENT_JOB_MAX_INSTANCES
    | EVENT_JOB_REMOVED
)


class JobRuns:
    """Tells when given jobs have run (or were skipped or removed) since :meth:`expect`.

    A jump is acknowledged only after the work it made due is done, so whoever moved the
    clock (the page, a test) sees the poll results or the weekly report once it returns.
    """

    def __init__(self, queue: JobQueue[Any]) -> None:
        self._finished: set[str] = set()
        self._changed = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        queue.scheduler.add_listener(self._on_event, _FINISHED)

    def expect(self, job_ids: set[str]) -> None:
        """Forget earlier runs of these jobs (call before moving them)."""
        self._finished -= job_ids

    async def wait(self, job_ids: set[str], timeout: float) -> set[str]:  # noqa: ASYNC109
        """Wait until every job in ``job_ids`` finished a run, at most ``timeout`` seconds;
        returns those that did not."""
        try:
            async with asyncio.timeout(timeout):
                while not job_ids <= self._finished:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            pass
        return job_ids - self._finished

    def _on_event(self, event: JobEvent) -> None:
        # APScheduler may report from another thread; hand over to the event loop.
        self._loop.call_soon_threadsafe(self._record, str(event.job_id))

    def _record(self, job_id: str) -> None:
        self._finished.add(job_id)
        self._changed.set()
