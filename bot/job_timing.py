"""Every scheduled job's run time goes into the `courtyard_job_duration_seconds` histogram."""

from __future__ import annotations

import time
from typing import Any

from telegram.ext import Job, JobQueue

from bot.metrics import JOB_DURATION


def job_label(job: Job[Any]) -> str:
    """The job's function name: bounded, unlike job names that carry poll ids."""
    name = getattr(job.callback, "__name__", "job")
    return str(name).lstrip("_") or "job"


class TimedJobQueue(JobQueue[Any]):
    """A JobQueue that records how long every job run takes.

    `job_callback` is python-telegram-bot's documented hook through which the scheduler runs
    every job.
    """

    @staticmethod
    async def job_callback(job_queue: JobQueue[Any], job: Job[Any]) -> None:
        started = time.perf_counter()
        try:
            await job.run(job_queue.application)
        finally:
            JOB_DURATION.labels(job=job_label(job)).observe(time.perf_counter() - started)
