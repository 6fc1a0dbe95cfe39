"""A burst of reminders leaves at Telegram's limits and never over them.

    .venv/bin/python bench/pacing_burst.py [--messages 2000] [--people 200] [--groups 20]

Starts the emulator here in strict mode (every message over 30 a second overall, 20 a minute
in one group or one a second in one private chat is refused with 429 and `retry_after`) and
the real bot as a separate process (`python -m bot run`) with production limits, on
127.0.0.1. The bot's database holds the burst in its outbox before it starts (90 % to the
people, 10 % to the groups, interleaved). Reports the 429s, the time from the first message
to the last and the limit-bound minimum for the same burst, and writes the figures to
`bench/results/pacing_soak.md` (its "Pacing" part). Unattended; about 75 s.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402

from bot.clock import SystemClock  # noqa: E402
from bot.sandbox import BotApiEmulator  # noqa: E402
from bot.sandbox.limits import counts_as_message  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.outbox import OutboxRepository, OutgoingMessage  # noqa: E402
from tests.e2e.bot_process import BotProcess, toml_text  # noqa: E402
from tests.e2e.harness import config_for  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "pacing_soak.md"
MARK = "Reminder burst"


def limit_bound_minimum(per_chat: Counter[int], overall: float = 30.0) -> float:
    """The shortest time from the first message to the last that Telegram's limits allow."""
    total = sum(per_chat.values())
    bounds = [(total - 1) / overall]
    for chat, count in per_chat.items():
        if chat > 0:
            bounds.append(float(count - 1))  # one a second
        else:
            bounds.append(60.0 * ((count - 1) // 20))  # twenty a minute
    return max(bounds)


def plan(messages: int, people: list[int], groups: list[int]) -> list[OutgoingMessage]:
    to_groups = messages // 10
    chats = [groups[n % len(groups)] for n in range(to_groups)]
    chats += [people[n % len(people)] for n in range(messages - to_groups)]
    # Interleave so that neither kind comes first in the queue.
    order = sorted(range(len(chats)), key=lambda n: (n * 7919) % len(chats))
    return [
        OutgoingMessage(f"bench:{n}", chats[n], f"{MARK} {n}: your request #{n} is waiting")
        for n in order
    ]


async def prepare(database: Path, outgoing: list[OutgoingMessage]) -> None:
    db = Database(database)
    await db.open()
    try:
        await OutboxRepository(db, SystemClock()).add(outgoing)
    finally:
        await db.close()


async def run(messages: int, people: int, groups: int) -> dict[str, float]:
    async with BotApiEmulator() as emulator:
        head = emulator.create_user("Head")
        users = [emulator.create_user(f"Person {n}") for n in range(people)]
        for user in users:
            user.started_bot = True  # they pressed Start long ago
        chats = [emulator.create_group(f"Building {n}", creator=head) for n in range(groups)]
        outgoing = plan(messages, [u.id for u in users], [c.id for c in chats])
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            await prepare(base / "courtyard.db", outgoing)
            data = config_for(emulator, base / "courtyard.db", logging={"level": "WARNING"})
            data["telegram"]["rate_limit"] = {
                "overall_per_second": 30,
                "group_per_minute": 20,
                "private_per_second": 1,
            }
            config = base / "config.toml"
            config.write_text(toml_text(data), encoding="utf-8")
            limits = emulator.enforce_limits()
            bot = BotProcess(config, base / "bot.log")
            await bot.start()
            try:

                def delivered() -> int:
                    return sum(
                        1
                        for c in emulator.calls("sendMessage")
                        if c.ok and str(c.params.get("text", "")).startswith(MARK)
                    )

                await emulator.wait_for(lambda: delivered() >= messages, 600, "the burst")
            finally:
                await bot.kill()
        burst = [
            c
            for c in emulator.calls("sendMessage")
            if c.ok and str(c.params.get("text", "")).startswith(MARK)
        ]
        per_chat = Counter(int(c.params["chat_id"]) for c in burst)
        others = [c for c in emulator.calls() if counts_as_message(c.method) and c not in burst]
        elapsed = burst[-1].time - burst[0].time
        minimum = limit_bound_minimum(per_chat)
        return {
            "messages": float(len(burst)),
            "distinct": float(len({str(c.params["text"]) for c in burst})),
            "other_messages": float(len(others)),
            "refused_429": float(limits.refused),
            "elapsed_s": elapsed,
            "minimum_s": minimum,
            "ratio": elapsed / minimum,
            "rate": (len(burst) - 1) / elapsed,
        }


def write_results(figures: dict[str, float], command: str) -> None:
    met_429 = "met" if figures["refused_429"] == 0 else "missed"
    within = figures["ratio"] <= 1.10
    section = "\n".join(
        [
            "<!-- pacing:start -->",
            "## Pacing: a burst of reminders",
            "",
            f"Command: `{command}`  ",
            f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
            f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            "",
            "| figure | value |",
            "| --- | --- |",
            f"| messages delivered (distinct) | {figures['messages']:.0f} "
            f"({figures['distinct']:.0f}) |",
            f"| 429 answers from the strict emulator | {figures['refused_429']:.0f} |",
            f"| first to last message | {figures['elapsed_s']:.1f} s |",
            f"| limit-bound minimum | {figures['minimum_s']:.1f} s |",
            f"| ratio | {figures['ratio']:.3f} |",
            f"| sustained rate | {figures['rate']:.1f} msg/s |",
            "",
            f"- Aim: zero 429s — {met_429} ({figures['refused_429']:.0f}).",
            f"- Aim: within 10 % of the limit-bound minimum — "
            f"{'met' if within else 'missed'} ({(figures['ratio'] - 1) * 100:+.1f} %).",
            f"- Aim: sustained ≥ 27 msg/s with a backlog — "
            f"{'met' if figures['rate'] >= 27 else 'missed'} ({figures['rate']:.1f}).",
            "<!-- pacing:end -->",
        ]
    )
    replace_part(section, "pacing")


def replace_part(section: str, name: str) -> None:
    """Put `section` in the results file in place of its earlier version."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Pacing and soak\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    figures = asyncio.run(run(args.messages, args.people, args.groups))
    for name, value in figures.items():
        print(f"{name:>16}: {value:.3f}")
    if not args.no_write:
        write_results(figures, "python bench/pacing_burst.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
