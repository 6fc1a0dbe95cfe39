"""The lists' every-minute scans stay cheap in a district with a million rows.

Fills a database with N decisions, meetings and projects (a few due now, the rest due later
or finished), then times each query the planner runs every minute (median of 50 runs).

    python bench/lists_due_scan.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import FakeClock, to_timestamp  # noqa: E402
from storage.boards import BoardRepository  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.decisions import DecisionRepository  # noqa: E402
from storage.evaluations import EvaluationRepository  # noqa: E402
from storage.meetings import MeetingRepository  # noqa: E402
from storage.projects import ProjectRepository  # noqa: E402

NOW = datetime(2030, 5, 1, 4, 0, tzinfo=UTC)
DUE_SHARE = 1000  # one row in a thousand is due now


async def fill(db: Database, count: int) -> None:
    now = to_timestamp(NOW)

    def moment(n: int) -> int | None:
        if n % DUE_SHARE == 0:
            return now - 60
        return None if n % 3 == 0 else now + 86_400 * (1 + n % 30)

    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO buildings (id, name, name_key, created_at, updated_at) "
            "VALUES (1, 'B', 'b', ?, ?)",
            (now, now),
        )
        await conn.executemany(
            "INSERT INTO meetings (building_id, chat_id, source_key, creator_id, starts_at, "
            "place, next_reminder_at, created_at) VALUES (1, -1, ?, 1, ?, 'room', ?, ?)",
            [(f"k{n}", now + 86_400, moment(n), now) for n in range(count)],
        )
        await conn.executemany(
            "INSERT INTO decisions (meeting_id, item_position, building_id, kind, text, "
            "owner_id, due_at, status, next_ping_at, created_at) "
            "VALUES (?, 1, 1, 'other', 'x', 1, ?, ?, ?, ?)",
            [
                (n + 1, now + 86_400, "open" if moment(n) else "done", moment(n), now)
                for n in range(count)
            ],
        )
        await conn.executemany(
            "INSERT INTO projects (building_id, source_key, title, status, created_at, "
            "updated_at, evaluation_closes_at) VALUES (1, ?, 't', 'done', ?, ?, ?)",
            [(f"p{n}", now, now, moment(n)) for n in range(count)],
        )


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.db")
        await db.open()
        clock = FakeClock(NOW)
        started = time.perf_counter()
        await fill(db, count)
        print(
            f"filled {count:,} meetings, decisions and projects in "
            f"{time.perf_counter() - started:.1f} s"
        )
        scans = {
            "decisions due": lambda: DecisionRepository(db, clock).due(NOW),
            "meeting reminders due": lambda: MeetingRepository(db, clock).reminders_due(NOW),
            "evaluations closing": lambda: EvaluationRepository(db, clock).due(NOW),
            "boards to refresh": lambda: BoardRepository(db, clock).refresh_due(NOW),
            "projects deciding polls": lambda: ProjectRepository(
                db, clock
            ).voting_on_finished_polls(),
        }
        for name, scan in scans.items():
            timings = []
            for _run in range(50):
                begin = time.perf_counter()
                found = await scan()
                timings.append(time.perf_counter() - begin)
            print(
                f"{name:>24}: {len(found):>4} rows, median "
                f"{statistics.median(timings) * 1000:.2f} ms"
            )
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
