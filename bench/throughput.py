"""Inbound throughput, CPU, latency, RSS and startup: Courtyard against a bare PTB echo bot.

    .venv/bin/python bench/throughput.py          # full run, writes bench/results/throughput.md
    .venv/bin/python bench/throughput.py --quick  # a few seconds' worth, prints the figures
    .venv/bin/python bench/throughput.py --startup-only 5  # startup alone, 5 tries each

For each bot in turn (Courtyard, then `bench/echo_bot.py`), this process starts a fresh Bot
API emulator (`bot.sandbox`) on 127.0.0.1 and the bot as a separate process against it, and
drives the same seeded stream (`bench/load_stream.py`): many buildings with hundreds of
residents each, mostly chit-chat, a share of requests in Chinese and English, photos,
"me too" presses, staff actions and votes. Send limits are lifted for both bots.

- Throughput: the whole stream waits at the emulator at once; updates/s is the stream's
  length over the time until the last update is done (Courtyard: marked handled in its
  inbox; echo: answered). CPU per update is the bot process's user+system CPU over that
  time divided by the number of updates.
- Latency: the stream arrives at a steady rate (75 msg/s by default); latency runs from the
  moment an update is available at the emulator to the bot's reply to it (a message quoting
  it, or the answer to a button press). Only updates both bots answer count (Courtyard
  answers requests and presses, not chit-chat), so both are measured on the same updates.
- Peak RSS: the bot process's VmHWM at the end.
- Startup: from starting the process to its first getUpdates, on an empty database and on
  one with `--startup-requests` requests (default 1,000,000; built once by
  `bench/operations_scale.py`'s generator and kept in the temporary directory's
  `courtyard-bench`). The bots run from compiled bytecode (kept there too), as installed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_stream import StreamEvent, StreamMix, generate  # noqa: E402
from bench.throughput_report import (  # noqa: E402
    ECHO_UVLOOP,
    Figures,
    Plan,
    Report,
    machine_summary,
    render,
)
from bench.throughput_stage import Stage, cpu_seconds, peak_rss_mb, warm_up  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "throughput.md"


async def run_stream(
    plan: Plan, workdir: Path, bot: str, stream: list[StreamEvent], label: str, *, rate: float
) -> Figures:
    """One bot, one fresh emulator, one stream: backlog (rate 0) or at a steady rate."""
    async with Stage(plan, workdir, bot) as stage:
        stage.launch()
        assert stage.process is not None
        startup = await stage.wait_polling()
        await warm_up(stage)
        handled_before = stage._courtyard_handled() if bot == "courtyard" else 0
        cpu_before = cpu_seconds(stage.process.pid)
        started = time.time()
        if rate <= 0:
            for index, event in enumerate(stream):
                stage.push(index, event)
            started = time.time()
            for index in stage.pushed_at:
                stage.pushed_at[index] = started
        else:
            interval = 1 / rate
            for index, event in enumerate(stream):
                due = started + index * interval
                delay = due - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                stage.push(index, event)
                stage.collect()
        expected = set(stage.pushed_at)
        finished = await stage.settled(expected, limit=max(120.0, len(stream) / 5))
        cpu = cpu_seconds(stage.process.pid) - cpu_before
        handled = (
            stage._courtyard_handled() - handled_before
            if bot == "courtyard"
            else len(stage.answered_at)
        )
        latencies = {
            i: stage.answered_at[i] - stage.pushed_at[i]
            for i in stage.answered_at
            if i in stage.pushed_at
        }
        return Figures(
            bot=bot,
            stream=label,
            updates=len(stream),
            seconds=finished - started,
            cpu_seconds=cpu,
            handled=handled,
            replies=len(stage.answered_at),
            latencies=latencies,
            peak_rss_mb=peak_rss_mb(stage.process.pid),
            startup_seconds=startup,
        )


# -- startup on a big database ---------------------------------------------------------------


async def startup_seconds(plan: Plan, workdir: Path, database: Path, tries: int = 3) -> float:
    """Median seconds from process start to first getUpdates on a copy of `database`."""
    return statistics.median(await startup_tries(plan, workdir, database, tries))


async def startup_tries(
    plan: Plan, workdir: Path, database: Path | None, tries: int = 3
) -> list[float]:
    """Seconds from process start to first getUpdates, each try on a fresh copy of
    `database` (None: a new, empty one). The copies are of a database the bot has started
    on once, untimed: what a restart finds (a release's migration, or re-planning after a
    change of deadline rules, runs at the first start only)."""
    prepared: Path | None = None
    if database is not None:
        prepared = workdir / "started-once.db"
        shutil.copyfile(database, prepared)
        await _one_start(plan, workdir, prepared)
    results = []
    for attempt in range(tries):
        copy = workdir / f"startup-{attempt}.db"
        _remove_database(copy)
        if prepared is not None:
            shutil.copyfile(prepared, copy)
        results.append(await _one_start(plan, workdir, copy))
        _remove_database(copy)
    if prepared is not None:
        _remove_database(prepared)
    return results


async def _one_start(plan: Plan, workdir: Path, database: Path) -> float:
    stage_plan = Plan(buildings=1, residents=1, courtyard_root=plan.courtyard_root)
    stage = Stage(stage_plan, workdir, "courtyard")
    stage.database = database
    async with stage:
        stage.launch()
        return await stage.wait_polling()


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def startup_only(plan: Plan, workdir: Path, tries: int) -> str:
    """`--startup-only`: startup on an empty and on the big database, every try."""
    lines = []
    for name, database in (
        ("empty database", None),
        (
            f"{plan.startup_requests:,} requests",
            await big_database(plan) if plan.startup_requests else None,
        ),
    ):
        if name != "empty database" and database is None:
            continue
        sub = workdir / name.split()[0].replace(",", "")
        sub.mkdir(exist_ok=True)
        seconds = await startup_tries(plan, sub, database, tries)
        figures = ", ".join(f"{value:.2f}" for value in seconds)
        lines.append(
            f"startup, {name}: median {statistics.median(seconds):.2f} s "
            f"(range {min(seconds):.2f}–{max(seconds):.2f}; {figures})"
        )
    return "\n".join(lines)


async def big_database(plan: Plan) -> Path:
    """A database with `plan.startup_requests` requests, built once and kept."""
    from bench.operations_scale import build

    plan.cache_dir.mkdir(parents=True, exist_ok=True)
    path = plan.cache_dir / f"requests-{plan.startup_requests}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        print(f"building {path} ({plan.startup_requests:,} requests, once)…", flush=True)
        await build(partial, plan.startup_requests)
        with contextlib.closing(sqlite3.connect(partial)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.rename(path)
    # Startup is measured at the newest schema: a release's migration runs once, not per start.
    from storage.database import Database

    database = Database(path)
    await database.open()
    await database.close()
    return path


# -- the run ---------------------------------------------------------------------------------


async def run(plan: Plan, workdir: Path) -> Report:
    mixed = generate(
        plan.updates,
        buildings=plan.buildings,
        residents=plan.residents,
        mix=StreamMix(),
        seed=plan.seed,
    )
    requests = generate(
        max(1, plan.updates // 2),
        buildings=plan.buildings,
        residents=plan.residents,
        mix=StreamMix.requests_only(),
        seed=plan.seed + 1,
    )
    paced = generate(
        max(1, int(plan.latency_rate * plan.latency_seconds)),
        buildings=plan.buildings,
        residents=plan.residents,
        mix=StreamMix(),
        seed=plan.seed + 2,
    )
    backlog: dict[str, Figures] = {}
    requests_only: dict[str, Figures] = {}
    latency: dict[str, Figures] = {}
    bots = ["courtyard", "echo"] + ([ECHO_UVLOOP] if plan.echo_on_uvloop else [])
    for bot in bots:
        sub = workdir / bot
        for name, target, stream, rate in (
            ("mixed", backlog, mixed, 0.0),
            ("requests", requests_only, requests, 0.0),
            ("paced", latency, paced, plan.latency_rate),
        ):
            (sub / name).mkdir(parents=True, exist_ok=True)
            print(f"{bot}: {name} stream of {len(stream)}…", flush=True)
            target[bot] = await run_stream(plan, sub / name, bot, stream, name, rate=rate)
    startup_empty = latency["courtyard"].startup_seconds
    startup_big: float | None = None
    if plan.startup_requests:
        database = await big_database(plan)
        (workdir / "startup").mkdir(exist_ok=True)
        startup_big = await startup_seconds(plan, workdir / "startup", database)
    return Report(plan, backlog, requests_only, latency, startup_empty, startup_big)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run; prints, writes nothing")
    parser.add_argument("--updates", type=int, help="length of the mixed stream")
    parser.add_argument("--buildings", type=int)
    parser.add_argument("--residents", type=int)
    parser.add_argument("--rate", type=float, help="msg/s of the latency stream")
    parser.add_argument("--seconds", type=float, help="length of the latency stream")
    parser.add_argument("--startup-requests", type=int, help="0 skips the big-database startup")
    parser.add_argument("--profile", type=Path, help="cProfile Courtyard into this file")
    parser.add_argument(
        "--courtyard-root", type=Path, help="run Courtyard from this checkout (e.g. main)"
    )
    parser.add_argument(
        "--courtyard-loop",
        choices=("uvloop", "asyncio"),
        help="Courtyard's event loop (default: uvloop where installed)",
    )
    parser.add_argument(
        "--no-uvloop-echo", action="store_true", help="skip the extra echo bot on uvloop"
    )
    parser.add_argument(
        "--startup-only",
        type=int,
        metavar="TRIES",
        help="only startup, empty and big database, TRIES times each; prints, writes nothing",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    for name, attribute in (
        ("updates", "updates"),
        ("buildings", "buildings"),
        ("residents", "residents"),
        ("rate", "latency_rate"),
        ("seconds", "latency_seconds"),
        ("startup_requests", "startup_requests"),
        ("profile", "profile"),
        ("courtyard_root", "courtyard_root"),
        ("courtyard_loop", "courtyard_loop"),
    ):
        value = getattr(args, name)
        if value is not None:
            setattr(plan, attribute, value)
    if args.no_uvloop_echo:
        plan.echo_on_uvloop = False
    machine = machine_summary()
    if args.startup_only:
        with tempfile.TemporaryDirectory(prefix="courtyard-startup-") as tmp:
            print(asyncio.run(startup_only(plan, Path(tmp), args.startup_only)))
        return 0
    with tempfile.TemporaryDirectory(prefix="courtyard-throughput-") as tmp:
        report = asyncio.run(run(plan, Path(tmp)))
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python bench/throughput.py", *given])
    text = render(report, command, machine)
    print(text)
    if not args.quick:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
