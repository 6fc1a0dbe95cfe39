"""The sandbox clock, and how the bot's job queue follows its jumps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ApplicationBuilder, JobQueue

from bot.sandbox.timekeeper import JobRuns, align_calendar_jobs, retime_after_jump
from bot.sandbox.timeshift import ClockBroadcast, OffsetClock, next_local

WALL = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def test_the_offset_clock_runs_with_real_time_and_only_jumps_forward() -> None:
    wall = [WALL]
    clock = OffsetClock(timedelta(days=-2), wall=lambda: wall[0])
    assert clock.now() == WALL - timedelta(days=2)
    wall[0] += timedelta(minutes=5)
    assert clock.now() == WALL - timedelta(days=2) + timedelta(minutes=5)
    clock.advance(timedelta(hours=1))
    assert clock.offset == timedelta(days=-2, hours=1)
    assert clock.move_to(clock.now() - timedelta(hours=3)) == timedelta(0)  # the past: stays
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.set_offset(timedelta(0)) == timedelta(days=2, hours=-1)


def test_next_local_finds_the_next_weekday_and_time_in_the_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    monday_nine = next_local(WALL, shanghai, time(9, 0), weekday=0)
    assert monday_nine.astimezone(shanghai) == datetime(2026, 11, 30, 9, 0, tzinfo=shanghai)
    assert next_local(WALL, shanghai, time(9, 0)).astimezone(shanghai).day == 26


async def test_a_jump_waits_for_the_follower_to_acknowledge_it() -> None:
    broadcast = ClockBroadcast(OffsetClock())
    assert await broadcast.advance(timedelta(hours=1), ack_within=1) is False  # nobody follows

    async def follower() -> None:
        await broadcast.watch(broadcast.version, timeout=10)
        await broadcast.acknowledge(broadcast.version)

    task = asyncio.create_task(follower())
    await asyncio.sleep(0)  # the follower starts watching
    assert broadcast.watchers == 1
    assert await broadcast.advance(timedelta(hours=1), ack_within=10) is True
    await task
    assert broadcast.acknowledged == broadcast.version == 2


@pytest.fixture
async def queue() -> AsyncIterator[JobQueue[Any]]:
    application = ApplicationBuilder().token("1:sandbox").updater(None).build()
    job_queue = application.job_queue
    assert job_queue is not None
    await job_queue.start()
    try:
        yield job_queue
    finally:
        await job_queue.stop(wait=False)


async def test_after_a_jump_due_wakeups_run_and_later_ones_come_closer(
    queue: JobQueue[Any],
) -> None:
    ran: list[str] = []

    async def record(context: Any) -> None:
        ran.append(context.job.name)

    queue.run_once(record, when=3600, name="closes-in-an-hour")
    queue.run_once(record, when=5 * 3600, name="closes-in-five-hours")
    queue.run_repeating(record, interval=60, first=50, name="planner")
    (later,) = queue.get_jobs_by_name("closes-in-five-hours")
    planned = later.next_t
    assert planned is not None
    runs = JobRuns(queue)
    runs.expect({job.job.id for job in queue.jobs()})
    due = retime_after_jump(queue, timedelta(hours=2), datetime.now(UTC))
    assert {job.name for job in queue.jobs() if job.job.id in due} == {
        "closes-in-an-hour",
        "planner",
    }
    assert await runs.wait(due, timeout=10) == set()
    assert sorted(ran) == ["closes-in-an-hour", "planner"]
    assert later.next_t is not None
    assert abs(later.next_t - (planned - timedelta(hours=2))) < timedelta(seconds=1)


async def test_calendar_jobs_fire_at_their_time_on_the_sandbox_clock(
    queue: JobQueue[Any],
) -> None:
    async def report(context: Any) -> None:
        return None

    shanghai = ZoneInfo("Asia/Shanghai")
    queue.run_daily(report, time=time(9, 0, tzinfo=shanghai), days=(1,), name="weekly")  # Monday
    offset = timedelta(days=-3, hours=5)
    real_now = datetime.now(UTC)
    assert align_calendar_jobs(queue, offset, real_now) == 1
    (weekly,) = queue.get_jobs_by_name("weekly")
    assert weekly.next_t is not None
    sandbox_fire = (weekly.next_t + offset).astimezone(shanghai)
    assert (sandbox_fire.weekday(), sandbox_fire.hour, sandbox_fire.minute) == (0, 9, 0)
    assert sandbox_fire > real_now + offset
    assert sandbox_fire - (real_now + offset) <= timedelta(days=7)
