"""The full soak and fault run: thousands of updates, at least 20 SIGKILLs, Telegram faults.

    .venv/bin/python bench/soak.py [--seed 14] [--updates 3000] [--kills 24]

Starts the emulator here and the real bot as a separate process (`python -m bot run`) on
127.0.0.1, streams a seeded mix of chit-chat, `/report`s and staff taking requests into
8 building groups, lets 500 reminders fall due over the run, injects 5xx, client timeouts and
429 bursts with `retry_after`, and SIGKILLs and restarts the bot at seeded moments. Then it
checks the emulator's record and the database (see tests/e2e/soak.py): one request, one card
and its routing per request message; every card showing its request's state; every reminder
delivered, duplicates only right after a kill (counted); no update skipped. Writes the
figures to `bench/results/pacing_soak.md` (its "Soak" part) and exits 1 on any problem.
Unattended; a few minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pacing_burst import replace_part  # noqa: E402
from bot.sandbox import BotApiEmulator  # noqa: E402
from tests.e2e.soak import Soak, SoakPlan, SoakReport  # noqa: E402


async def run(plan: SoakPlan) -> SoakReport:
    async with BotApiEmulator() as emulator:
        with tempfile.TemporaryDirectory() as folder:
            soak = Soak(emulator, Path(folder), plan)
            try:
                return await soak.run()
            finally:
                await soak.stop()


def write_results(plan: SoakPlan, report: SoakReport, command: str) -> None:
    lines = [
        "<!-- soak:start -->",
        "## Soak and faults",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| seed | {plan.seed} |",
        f"| updates (request messages, takes) | {report.updates} "
        f"({report.request_messages}, {report.takes}) |",
        f"| SIGKILLs and restarts | {report.kills} |",
        f"| fault bursts injected (calls failed: 5xx, timeouts, 429) | {report.fault_bursts} "
        f"({report.faulted_calls}) |",
        f"| reminders due | {report.reminders} |",
        f"| cards sent twice (a kill between send and record) | {report.duplicate_cards} |",
        f"| reminders sent twice (a kill between send and record) | "
        f"{report.duplicate_reminders} |",
        f"| wall time | {report.elapsed:.0f} s |",
        f"| problems found | {len(report.problems)} |",
        "",
        f"- Aim: at least 20 kills in a full run — {'met' if report.kills >= 20 else 'missed'} "
        f"({report.kills}).",
        f"- Aim: the checks pass — {'met' if not report.problems else 'missed'}"
        + ("." if not report.problems else ": " + "; ".join(report.problems[:5])),
        "<!-- soak:end -->",
    ]
    replace_part("\n".join(lines), "soak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    plan = SoakPlan(
        seed=args.seed,
        buildings=8,
        residents=30,
        updates=args.updates,
        kills=args.kills,
        faults=max(10, args.updates // 50),
        reminders=500,
        mean_gap=0.03,
        drain_timeout=600.0,
    )
    report = asyncio.run(run(plan))
    print(report.summary())
    for problem in report.problems:
        print("PROBLEM:", problem)
    if not args.no_write:
        write_results(plan, report, "python bench/soak.py " + " ".join(sys.argv[1:]))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
