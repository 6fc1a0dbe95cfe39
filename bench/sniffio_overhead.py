"""Does installing sniffio make python-telegram-bot cheaper per request?

httpx/httpcore try `import sniffio` on every request when it is missing; a failed import
walks sys.path each time. This bench runs N Bot API calls against the local emulator twice,
in child processes: once with sniffio importable, once with its import blocked, and compares
CPU milliseconds per request.

    python bench/sniffio_overhead.py [N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, sys, time
BLOCK = sys.argv[1] == "block"
if BLOCK:
    class _Blocker:
        def find_spec(self, name, path=None, target=None):
            if name == "sniffio" or name.startswith("sniffio."):
                raise ModuleNotFoundError("No module named 'sniffio'")
            return None
    sys.meta_path.insert(0, _Blocker())
from telegram import Bot
from bot.sandbox import BotApiEmulator

async def main(n):
    async with BotApiEmulator() as emulator:
        user = emulator.create_user("Bench")
        emulator.user_starts_bot(user)
        async with Bot(emulator.token, base_url=emulator.base_url) as bot:
            for _ in range(50):
                await bot.send_message(user.id, "warm-up")
            start = time.process_time()
            for _ in range(n):
                await bot.send_message(user.id, "hello")
            cpu = time.process_time() - start
    print(json.dumps({"cpu": cpu, "n": n, "sniffio_blocked": BLOCK}))

asyncio.run(main(int(sys.argv[2])))
"""


def run(mode: str, n: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["cpu"]) / n * 1000  # ms per request


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = 3
    with_sniffio = min(run("allow", n) for _ in range(rounds))
    without = min(run("block", n) for _ in range(rounds))
    print(f"requests per run: {n}, best of {rounds} (CPU includes the in-process emulator)")
    print(f"with sniffio:    {with_sniffio:6.2f} ms CPU per request")
    print(f"without sniffio: {without:6.2f} ms CPU per request")
    print(f"saving:          {100 * (without - with_sniffio) / without:5.1f} %")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
