"""The bot as `courtyard sandbox` runs it, in a process of its own (so it can be killed).

    python -m bot.sandbox.bot_process CONFIG DRIVER_URL

The same assembly as ``courtyard run`` (``bot.cli.serve``): Services, the Application and
the durable runner, with one difference: the clock is the sandbox's. It follows the clock of
the driver API at DRIVER_URL, and after every jump the job queue is re-timed
(:mod:`bot.sandbox.timekeeper`) and the jump acknowledged, so due work runs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from telegram.ext import JobQueue

from bot.app import build_application
from bot.config import Settings, load_settings, require_token
from bot.context import CourtyardApplication
from bot.logging_setup import configure_logging
from bot.runner import CourtyardRunner
from bot.sandbox.timekeeper import JobRuns, align_calendar_jobs, retime_after_jump
from bot.sandbox.timeshift import OffsetClock
from bot.services import Services

logger = logging.getLogger("courtyard.sandbox")
# How long one clock watch waits; calendar jobs are re-aimed at least this often.
WATCH_SECONDS = 5
# Work made due by a jump (charts, reports) is awaited this long before the jump is confirmed.
CATCH_UP_SECONDS = 45.0


async def serve(settings: Settings, driver_url: str) -> None:
    """Run the bot until SIGTERM/SIGINT or until the sandbox that started it is gone."""
    clock = OffsetClock()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        version = await _sync(http, driver_url, clock)
        services = Services.create(settings, clock)
        application = build_application(services)
        runner = CourtyardRunner(application, services, freeze_startup_objects=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        helpers = [
            asyncio.create_task(_follow(http, driver_url, clock, application, stop, version)),
            asyncio.create_task(_announce_ready(http, driver_url, runner)),
        ]
        try:
            await runner.run(stop)
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)


async def _sync(http: aiohttp.ClientSession, driver_url: str, clock: OffsetClock) -> int:
    async with http.get(f"{driver_url}/sandbox/api/clock") as response:
        data: dict[str, Any] = await response.json()
    clock.set_offset(timedelta(seconds=float(data["offset_seconds"])))
    return int(data["version"])


async def _announce_ready(
    http: aiohttp.ClientSession, driver_url: str, runner: CourtyardRunner
) -> None:
    await runner.ready.wait()
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        await http.post(f"{driver_url}/sandbox/api/bot/ready", json={"pid": os.getpid()})


async def _follow(
    http: aiohttp.ClientSession,
    driver_url: str,
    clock: OffsetClock,
    application: CourtyardApplication,
    stop: asyncio.Event,
    version: int,
) -> None:
    """Follow the sandbox clock; stop the bot when the sandbox process is gone."""
    parent = os.getppid()
    runs: JobRuns | None = None
    while not stop.is_set():
        if os.getppid() != parent:
            logger.info("The sandbox is gone; stopping")
            stop.set()
            return
        url = f"{driver_url}/sandbox/api/clock/watch?version={version}&timeout={WATCH_SECONDS}"
        try:
            async with http.get(url) as response:
                data: dict[str, Any] = await response.json()
        except (aiohttp.ClientError, TimeoutError):
            await asyncio.sleep(1)
            continue
        new_offset = timedelta(seconds=float(data["offset_seconds"]))
        queue = application.job_queue
        if queue is not None:
            runs = runs or JobRuns(queue)
            await _catch_up(clock, new_offset, queue, runs)
        else:
            clock.set_offset(new_offset)
        if int(data["version"]) != version:
            version = int(data["version"])
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                await http.post(f"{driver_url}/sandbox/api/clock/ack", json={"version": version})


async def _catch_up(
    clock: OffsetClock, offset: timedelta, queue: JobQueue[Any], runs: JobRuns
) -> None:
    """Follow the clock to ``offset``; after a jump, run what fell due and wait for it."""
    jump = offset - clock.offset
    clock.set_offset(offset)
    if jump > timedelta(0):
        runs.expect({job.job.id for job in queue.jobs()})
        due = retime_after_jump(queue, jump, datetime.now(UTC))
        logger.info("Sandbox clock jumped %s ahead; %d wake-ups due now", jump, len(due))
        unfinished = await runs.wait(due, CATCH_UP_SECONDS)
        if unfinished:
            names = sorted(str(job.name) for job in queue.jobs() if job.job.id in unfinished)
            logger.warning("Jobs made due by the jump did not finish in time: %s", names)
    align_calendar_jobs(queue, offset, datetime.now(UTC))


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``CONFIG DRIVER_URL``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bot.sandbox.bot_process CONFIG DRIVER_URL", file=sys.stderr)
        return 2
    settings = load_settings(Path(args[0]))
    configure_logging(settings.logging.level, [require_token(settings)])
    asyncio.run(serve(settings, args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
