"""Scheduled jobs and list commands on a district-sized database (issue 14, part b).

    python bench/scale_jobs.py [--db PATH] [--out bench/results/scale.md] [--quick]
    python bench/scale_jobs.py --only digest   # the digest's two figures, printed only

Uses the database `bench/scale_db.py` generates (1,000,000 requests, 100,000 open, 2,000
buildings, 5,000 staff); it is built at PATH (default /tmp/courtyard-scale/scale-1m.db) when
missing, which takes a few minutes, and copied to a scratch file for every run so runs are
repeatable. `--quick` uses a 100,000-request database instead (for trying the bench).

Measures, with the bot's own job functions and repositories on the real schema:

* a reminder tick (`plan_reminders`) a minute and an hour after the database's `NOW`;
* the daily digest (`send_digests`) for every staff member;
* the unrated auto-close (`close_unrated`) once the rating window of a day's resolutions ends;
* the weekly report (`send_weekly_reports`: every building's week, its chart and messages);
* `/summary` (one building's week and its chart, median of 20 buildings);
* `/export` of the last 30 days (about 27,000 requests) in a child process: time, RSS before,
  peak and after;
* the reads of `/requests` (a building's open requests, one page) and `/mine` (a staff
  member's), alone and while each job runs (p50/p99 of samples taken every 10 ms).

Sending is left out (the outbox keeps what the jobs queued; pacing is measured elsewhere), so
the figures are the jobs' own cost. Writes the figures to `--out` (Markdown).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import handlers.reminders  # noqa: E402
import handlers.weekly_report  # noqa: E402
from bench.scale_db import NOW, STAFF_BASE, Shape, build  # noqa: E402
from bench.scale_report import children_pids, figures_markdown, rss_mb, verdict  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.context import CourtyardContext  # noqa: E402
from bot.domain.report import rolling_period  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.services import Services  # noqa: E402
from handlers.reminders import plan_reminders, send_digests  # noqa: E402
from handlers.reports import build_report, chart_of  # noqa: E402
from handlers.request_export import write_export  # noqa: E402
from handlers.request_jobs import close_unrated  # noqa: E402
from handlers.weekly_report import send_weekly_reports  # noqa: E402

DEFAULT_DB = Path(tempfile.gettempdir()) / "courtyard-scale" / "scale-1m.db"
QUICK = Shape(requests=100_000, open=10_000, buildings=200, staff=500)


async def _nothing(*_args: object, **_kwargs: object) -> None:
    return None


def _services(path: Path, clock: FakeClock) -> Services:
    settings = parse_settings(
        {
            "storage": {"database": str(path)},
            "community": {"timezone": "Asia/Shanghai", "language": "zh"},
            "staff": {"digest_time": "08:00"},
        },
        environ={},
    )
    return Services.create(settings, clock)


class _Bot:
    """The bot as the jobs use it directly: its name, and card edits (answered at once)."""

    username = "courtyard_bench_bot"

    async def edit_message_text(self, *_args: object, **_kwargs: object) -> None:
        await asyncio.sleep(0)

    async def edit_message_caption(self, *_args: object, **_kwargs: object) -> None:
        await asyncio.sleep(0)


def _context(services: Services) -> CourtyardContext:
    """What the jobs use of a PTB context: the services and the bot."""
    return cast(CourtyardContext, SimpleNamespace(services=services, bot=_Bot()))


@dataclass
class Latencies:
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds * 1000)

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        ordered = sorted(self.samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, "
            f"max {ordered[-1]:.1f} ms (n={len(ordered)})"
        )

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


class Commands:
    """The reads behind `/requests` and `/mine`, on random buildings and staff."""

    def __init__(self, services: Services, shape: Shape) -> None:
        self.services = services
        self.shape = shape
        self.rng = random.Random(3)
        self.requests = Latencies()
        self.mine = Latencies()

    async def once(self) -> None:
        building = self.rng.randrange(1, self.shape.buildings + 1)
        started = time.perf_counter()
        await self.services.requests.open_in_building(building, limit=10)
        self.requests.add(time.perf_counter() - started)
        person = STAFF_BASE + self.rng.randrange(self.shape.staff)
        started = time.perf_counter()
        await self.services.digest_reads.open_cards([person])  # what /mine reads
        self.mine.add(time.perf_counter() - started)

    async def alongside(self, job: Awaitable[object]) -> float:
        """Run `job` while sampling both commands every 10 ms; returns the job's seconds."""
        task = asyncio.ensure_future(job)
        started = time.perf_counter()
        while not task.done():
            await self.once()
            await asyncio.sleep(0.01)
        await task
        return time.perf_counter() - started


async def _timed(job: Awaitable[object]) -> float:
    started = time.perf_counter()
    await job
    return time.perf_counter() - started


async def _timed_cpu(job: Awaitable[object]) -> tuple[float, float]:
    """Wall and CPU seconds of `job` (CPU: this process, its database threads included, so
    a figure that holds on a loaded machine)."""
    cpu = time.process_time()
    seconds = await _timed(job)
    return seconds, time.process_time() - cpu


def _count(path: Path, sql: str, params: tuple[object, ...] = ()) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(sql, params).fetchone()[0])


async def _measure(path: Path, shape: Shape) -> dict[str, Any]:
    clock = FakeClock(NOW + timedelta(minutes=1))
    services = _services(path, clock)
    await services.database.open()
    services.caught_up.set()
    context = _context(services)
    handlers.reminders.deliver_outbox = _nothing  # type: ignore[assignment]
    handlers.weekly_report.deliver_outbox = _nothing  # type: ignore[assignment]
    commands = Commands(services, shape)
    figures: dict[str, Any] = {}
    # As `courtyard run` does once started: what start-up built stays out of full collections.
    gc.collect()
    gc.freeze()

    for _ in range(300):
        await commands.once()
    figures["requests alone"] = commands.requests.summary()
    figures["mine alone"] = commands.mine.summary()
    figures["commands p99 alone"] = max(commands.requests.p99, commands.mine.p99)

    def due_now() -> int:
        return _count(
            path,
            "SELECT count(*) FROM requests WHERE next_due_at <= ? "
            "AND status IN ('new', 'assigned', 'in_progress', 'reopened')",
            (int(clock.now().timestamp()),),
        )

    figures["open requests"] = _count(
        path,
        "SELECT count(*) FROM requests WHERE status IN "
        "('new', 'assigned', 'in_progress', 'reopened')",
    )
    figures["due at +1 min"] = due_now()
    figures["tick +1 min s"] = await _timed(plan_reminders(context))
    clock.advance(timedelta(hours=1))
    figures["due at +1 h"] = due_now()
    figures["tick +1 h s"] = await _timed(plan_reminders(context))

    figures["digest s"] = await _timed(send_digests(context))
    figures["digests claimed"] = _count(
        path, "SELECT count(*) FROM staff_settings WHERE last_digest_on IS NOT NULL"
    )

    clock.advance(timedelta(days=1))
    figures["resolved due"] = _count(
        path,
        "SELECT count(*) FROM requests WHERE status = 'resolved' AND next_due_at <= ?",
        (int(clock.now().timestamp()),),
    )
    figures["auto-close s"] = await _timed(close_unrated(context))

    figures["weekly s"] = await _timed(send_weekly_reports(context))
    figures["buildings"] = shape.buildings

    summary_times = []
    for building_id in range(1, min(shape.buildings, 20) + 1):
        building = await services.buildings.get(building_id)
        assert building is not None
        start, end = rolling_period("week", clock.now())
        started = time.perf_counter()
        report = await build_report(services, building, start, end)
        await chart_of(report)
        summary_times.append(time.perf_counter() - started)
    figures["summary median s"] = statistics.median(summary_times)
    figures["summary max s"] = max(summary_times)

    # The commands while each job runs (each job given fresh work).
    _ = translator("zh")
    month = (clock.now() - timedelta(days=30), clock.now())
    jobs: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("reminder tick (+1 h)", lambda: plan_reminders(context)),
        ("digest", lambda: send_digests(context)),
        ("auto-close", lambda: close_unrated(context)),
        ("weekly report", lambda: send_weekly_reports(context)),
        ("/export", lambda: _export_in(context, _, month)),
    ]
    during: dict[str, str] = {}
    worst = 0.0
    for name, job in jobs:
        clock.advance(timedelta(days=1, hours=1))
        commands.requests, commands.mine = Latencies(), Latencies()
        seconds = await commands.alongside(job())
        during[name] = (
            f"job {seconds:.2f} s; /requests {commands.requests.summary()}; "
            f"/mine {commands.mine.summary()}"
        )
        worst = max(worst, commands.requests.p99, commands.mine.p99)
    figures["during"] = during
    figures["commands p99 during jobs"] = worst
    await services.database.close()
    return figures


async def _measure_digest(path: Path, shape: Shape) -> list[str]:
    """The digest alone and with the commands beside it: the report's digest rows."""
    clock = FakeClock(NOW + timedelta(minutes=1))
    services = _services(path, clock)
    await services.database.open()
    services.caught_up.set()
    context = _context(services)
    handlers.reminders.deliver_outbox = _nothing  # type: ignore[assignment]
    commands = Commands(services, shape)
    for _ in range(300):
        await commands.once()
    alone, cpu = await _timed_cpu(send_digests(context))
    claimed = _count(path, "SELECT count(*) FROM staff_settings WHERE last_digest_on IS NOT NULL")
    queued = _count(path, "SELECT count(*) FROM outbox WHERE dedup_key LIKE 'digest:%'")
    clock.advance(timedelta(days=1, hours=1))
    commands.requests, commands.mine = Latencies(), Latencies()
    cpu_during = time.process_time()
    seconds = await commands.alongside(send_digests(context))
    cpu_during = time.process_time() - cpu_during
    await services.database.close()
    worst = max(commands.requests.p99, commands.mine.p99)
    return [
        f"| daily digest ({claimed:,} staff, {queued:,} messages) | {alone:.2f} s "
        f"(CPU {cpu:.2f} s) |",
        f"| /requests, /mine while digest | job {seconds:.2f} s (CPU {cpu_during:.2f} s, the "
        f"commands' included); /requests {commands.requests.summary()}; "
        f"/mine {commands.mine.summary()} |",
        f"- digest, 5,000 staff < 2 s: {verdict(alone, 2, 's')}",
        f"- /requests and /mine p99 < 50 ms while the digest runs: {verdict(worst, 50, 'ms')}",
    ]


async def _export_in(context: CourtyardContext, _: Any, period: tuple[datetime, datetime]) -> int:
    with tempfile.TemporaryDirectory() as directory:
        return await write_export(context, _, period[0], period[1], Path(directory))


async def _export_child(path: Path) -> dict[str, float]:
    """In a fresh process: RSS before, the export's time and peak RSS, RSS after."""
    import gc

    clock = FakeClock(NOW)
    services = _services(path, clock)
    await services.database.open()
    context = _context(services)
    _ = translator("zh")
    # Warm up what any running bot has loaded (the translations).
    with tempfile.TemporaryDirectory() as directory:
        await write_export(context, _, NOW - timedelta(minutes=1), NOW, Path(directory))
    gc.collect()
    before = rss_mb()
    peak = before
    child_peak = 0.0
    done = False

    async def watch() -> None:
        nonlocal peak, child_peak
        while not done:
            peak = max(peak, rss_mb())
            child_peak = max(child_peak, sum(rss_mb(pid=pid) for pid in children_pids()))
            await asyncio.sleep(0.005)

    watcher = asyncio.ensure_future(watch())
    children_before = os.times()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        count = await write_export(context, _, NOW - timedelta(days=30), NOW, Path(directory))
        seconds = time.perf_counter() - started
        children = os.times()
        # CPU of the (reaped) children: what the export costs whatever else the machine runs.
        child_cpu = (children.children_user - children_before.children_user) + (
            children.children_system - children_before.children_system
        )
        size = sum(f.stat().st_size for f in Path(directory).iterdir()) / 2**20  # noqa: ASYNC240
    done = True
    await watcher
    gc.collect()
    await services.database.close()
    return {
        "count": count,
        "seconds": seconds,
        "rss before": before,
        "rss peak": max(peak, rss_mb("VmHWM") if before == 0 else peak),
        "rss after": rss_mb(),
        "child rss peak": child_peak,
        "child cpu": child_cpu,
        "files MB": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.md")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only", choices=["digest"], help="measure one job alone and beside the commands; print"
    )
    parser.add_argument("--export-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        print(json.dumps(asyncio.run(_export_child(args.export_child))))
        return
    shape = QUICK if args.quick else Shape()
    source = args.db or (DEFAULT_DB.with_name("scale-100k.db") if args.quick else DEFAULT_DB)
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {source} ({shape}) ...", flush=True)
        build(source, shape)
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        work = Path(scratch) / "work.db"
        shutil.copyfile(source, work)
        if args.only == "digest":
            print("\n".join(asyncio.run(_measure_digest(work, shape))))
            return
        child = subprocess.run(
            [sys.executable, __file__, "--export-child", str(work)],
            check=True,
            capture_output=True,
            text=True,
        )
        export = json.loads(child.stdout.strip().splitlines()[-1])
        figures = asyncio.run(_measure(work, shape))
        command = "python bench/scale_jobs.py" + (" --quick" if args.quick else "")
        text = figures_markdown(figures, export, source, command)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
