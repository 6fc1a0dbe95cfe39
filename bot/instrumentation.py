"""Measuring python-telegram-bot from the outside, through its public extension points: every
scheduled job's run time, and the outcome of every Bot API call (429s included, which the rate
limiter otherwise retries out of sight)."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Job, JobQueue

from bot.metrics import BOT_API_CALLS, JOB_DURATION
from bot.pacing import PacedRateLimiter

ApiResult = bool | dict[str, Any] | list[dict[str, Any]]


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


def call_result(error: BaseException | None) -> str:
    """`ok`, `retry_after` (429), `forbidden`, `bad_request`, `timeout`, `network`, `error`."""
    if error is None:
        return "ok"
    for kind, label in (
        (RetryAfter, "retry_after"),
        (Forbidden, "forbidden"),
        (BadRequest, "bad_request"),
        (TimedOut, "timeout"),
        (NetworkError, "network"),
    ):
        if isinstance(error, kind):
            return label
    return "error"


class CountingRateLimiter(PacedRateLimiter):
    """The paced rate limiter (`bot.pacing`), counting each attempt of each Bot API call."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        async def counted(*call_args: Any, **call_kwargs: Any) -> ApiResult:
            try:
                result = await callback(*call_args, **call_kwargs)
            except Exception as exc:
                BOT_API_CALLS.labels(method=endpoint, result=call_result(exc)).inc()
                raise
            BOT_API_CALLS.labels(method=endpoint, result="ok").inc()
            return result

        return await super().process_request(
            counted, args, kwargs, endpoint, data, rate_limit_args
        )
