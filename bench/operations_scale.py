"""`courtyard status` and `courtyard backup` on a district-sized database.

Builds a database with N requests (default one million; 2 % open, the rest resolved or closed),
three history lines each for a tenth of them, and a month of outbox traffic, then times
`status` (its queries are indexed: it should not grow with N) and a verified backup.

    python bench/operations_scale.py [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import parse_settings  # noqa: E402
from bot.status import collect_status  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.snapshot import take_snapshot  # noqa: E402

CATEGORIES = ("water", "heating", "electricity", "elevator", "noise", "other")


async def build(path: Path, count: int) -> None:
    database = Database(path)
    await database.open()
    await database.close()
    now = int(time.time())
    rng = random.Random(17)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO requests (building_id, reporter_id, category, urgent, description, "
            "status, created_at, updated_at) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    1000 + i % 5000,
                    CATEGORIES[i % len(CATEGORIES)],
                    int(i % 40 == 0),
                    f"报修 {i}: 楼道灯不亮，麻烦尽快处理",
                    "new" if rng.random() < 0.02 else rng.choice(("resolved", "closed")),
                    created := now - rng.randrange(3 * 365 * 86400),
                    created,
                )
                for i in range(count)
            ),
        )
        connection.executemany(
            "INSERT INTO request_events (request_id, action, to_status, at) VALUES (?, ?, ?, ?)",
            ((i, "report", "new", now) for i in range(1, count + 1, 10) for _ in range(3)),
        )
        connection.executemany(
            "INSERT INTO outbox (dedup_key, chat_id, text, created_at, next_attempt_at, "
            "sent_at, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"k{i}",
                    1000 + i % 5000,
                    "您有 3 个待处理的报修",
                    now - i * 60,
                    now - i * 60,
                    None if i % 50 == 0 else now - i * 60 + 1,
                    now - i * 60 + 1 if i % 50 == 0 else None,
                )
                for i in range(1, 30 * 24 * 60 // 2)
            ),
        )
        connection.execute("COMMIT")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "district.db"
        started = time.perf_counter()
        asyncio.run(build(path, count))
        print(f"built {count:,} requests in {time.perf_counter() - started:.1f} s")
        print(f"database: {path.stat().st_size / 2**20:.0f} MB")
        settings = parse_settings({"storage": {"database": str(path)}}, environ={})
        for attempt in range(3):
            started = time.perf_counter()
            report = collect_status(settings, datetime.now(UTC))
            print(f"status #{attempt + 1}: {(time.perf_counter() - started) * 1000:.0f} ms")
        print("\n".join(f"    {line}" for line in report.lines))
        started = time.perf_counter()
        snapshot = take_snapshot(path, Path(scratch) / "backups", datetime.now(UTC))
        print(
            f"backup (VACUUM INTO + integrity_check): {time.perf_counter() - started:.1f} s, "
            f"{snapshot.size / 2**20:.0f} MB"
        )


if __name__ == "__main__":
    main()
