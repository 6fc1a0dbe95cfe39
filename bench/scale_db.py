"""Generate a district-sized Courtyard database for the scale benchmark (issue 14).

    python bench/scale_db.py PATH [--requests N] [--open N] [--buildings N] [--staff N]

Defaults: 1,000,000 requests over three years (about 27,000 a month), 100,000 of them open,
2,000 buildings (one group chat and one head each, 100 residents each), 5,000 staff (one
level-1 and one level-2 member per building, a level-3 member for half of them). Every
request has its card in the building's group, its reporter and a "me too" for one in five,
a private card for the building's level-1 staff member (and level 2 when it escalated) and
its history (report, take, start, resolve, close, rating: 4 lines on average). Resolved
requests wait for their rating (those of the last three days), the rest are closed or
rejected. Open ones are from the last half year and `next_due_at` holds what the running bot
would have stored after its last tick at `NOW` (computed with the same domain function).

The build is deterministic (fixed seed and `NOW`) and takes a few minutes on two cores; the
file is about 1.5 GB. `bench/scale_jobs.py` builds it when its cache is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import from_timestamp, to_timestamp  # noqa: E402
from bot.domain.due import DueRules, next_due_at  # noqa: E402
from bot.domain.escalation import StaffLevel  # noqa: E402
from bot.domain.lifecycle import RequestStatus  # noqa: E402
from bot.domain.ping_planner import RequestSnapshot  # noqa: E402
from bot.domain.sla import RequestTimes, SlaPolicy, Urgency  # noqa: E402
from storage.database import Database  # noqa: E402

# 10:00 in Shanghai on a Wednesday: the digest time (08:00) has passed, nobody got one yet.
NOW = datetime(2030, 5, 8, 2, 0, tzinfo=UTC)
RULES = DueRules(SlaPolicy(), timedelta(days=3))
CATEGORIES = ("water", "heating", "electricity", "elevator", "noise", "cleaning", "other")
TEXTS = (
    "楼道灯不亮，麻烦尽快处理",
    "3单元电梯又停了，老人下不了楼",
    "The kitchen tap in 2-301 has been leaking since yesterday",
    "暖气不热，家里只有十五度",
    "Loud music from 5-602 every night after midnight",
    "垃圾桶满了好几天没人清理",
)
HOUR = 3600
DAY = 24 * HOUR
RESIDENTS_PER_BUILDING = 100
STAFF_BASE = 1_000_000
HEAD_BASE = 3_000_000
RESIDENT_BASE = 5_000_000


@dataclass(frozen=True)
class Shape:
    requests: int = 1_000_000
    open: int = 100_000
    buildings: int = 2_000
    staff: int = 5_000


def group_of(building: int) -> int:
    return -1_000_000_000_000 - building


def staff_of(shape: Shape, building: int, level: int) -> int | None:
    """Staff j serves building j % buildings + 1 at level j // buildings + 1."""
    person = (level - 1) * shape.buildings + building - 1
    return STAFF_BASE + person if person < shape.staff else None


def build(path: Path, shape: Shape, *, seed: int = 14) -> None:
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    now = to_timestamp(NOW)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -400000")
        db.execute("BEGIN")
        _people_and_places(db, shape, now)
        db.execute("COMMIT")
        db.execute("BEGIN")
        _requests(db, shape, rng, now)
        db.execute("COMMIT")
        db.execute("ANALYZE")
        db.execute("PRAGMA journal_mode = WAL")


async def _migrate(path: Path) -> None:
    database = Database(path)
    await database.open()
    await database.close()


def _people_and_places(db: sqlite3.Connection, shape: Shape, now: int) -> None:
    db.executemany(
        "INSERT INTO buildings (id, name, name_key, language, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            (b, f"Building {b}", f"building {b}", "zh" if b % 3 else "en", now, now)
            for b in range(1, shape.buildings + 1)
        ),
    )
    db.executemany(
        "INSERT INTO chats (id, type, title, language, created_at, updated_at) "
        "VALUES (?, 'supergroup', ?, ?, ?, ?)",
        (
            (group_of(b), f"Building {b}", "zh" if b % 3 else "en", now, now)
            for b in range(1, shape.buildings + 1)
        ),
    )
    people = [
        *((STAFF_BASE + j, f"Staff {j}", "zh") for j in range(shape.staff)),
        *((HEAD_BASE + b, f"Head {b}", "zh") for b in range(1, shape.buildings + 1)),
        *(
            (RESIDENT_BASE + k, f"Resident {k}", "zh" if k % 4 else "en")
            for k in range(shape.buildings * RESIDENTS_PER_BUILDING)
        ),
    ]
    db.executemany(
        "INSERT INTO people (id, first_name, language_code, started_bot_at, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        ((pid, name, code, now - 400 * DAY, now, now) for pid, name, code in people),
    )
    db.executemany(
        "INSERT INTO roles (building_id, person_id, role, categories, level, created_at) "
        "VALUES (?, ?, 'staff', '*', ?, ?)",
        (
            (j % shape.buildings + 1, STAFF_BASE + j, j // shape.buildings + 1, now)
            for j in range(shape.staff)
        ),
    )
    db.executemany(
        "INSERT INTO roles (building_id, person_id, role, created_at) VALUES (?, ?, 'head', ?)",
        ((b, HEAD_BASE + b, now) for b in range(1, shape.buildings + 1)),
    )


def _requests(db: sqlite3.Connection, shape: Shape, rng: random.Random, now: int) -> None:
    span = 3 * 365 * DAY
    # Numbers follow time: the oldest request is #1.
    created = sorted(now - rng.randrange(span) for _ in range(shape.requests))
    recent = [i for i, at in enumerate(created) if at >= now - 180 * DAY]
    open_ids = set(rng.sample(recent, min(shape.open, len(recent))))
    requests, events, deliveries, supporters = [], [], [], []
    for index, at in enumerate(created):
        number = index + 1
        row, history, cards, backers = _request(shape, rng, number, at, index in open_ids, now)
        requests.append(row)
        events += history
        deliveries += cards
        supporters += backers
        if len(requests) >= 50_000:
            _flush(db, requests, events, deliveries, supporters)
    _flush(db, requests, events, deliveries, supporters)


def _flush(
    db: sqlite3.Connection,
    requests: list[tuple[object, ...]],
    events: list[tuple[object, ...]],
    deliveries: list[tuple[object, ...]],
    supporters: list[tuple[object, ...]],
) -> None:
    db.executemany(
        "INSERT INTO requests (id, building_id, chat_id, source_message_id, card_chat_id, "
        "card_message_id, reporter_id, category, urgent, description, status, assignee_id, "
        "level, delivered, satisfied, rating, created_at, updated_at, responded_at, "
        "resolved_at, reopened_at, closed_at, escalated_at, routed_at, next_due_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        requests,
    )
    db.executemany(
        "INSERT INTO request_events (request_id, actor_id, action, from_status, to_status, "
        "note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    db.executemany(
        "INSERT INTO request_deliveries (request_id, person_id, message_id, at) "
        "VALUES (?, ?, ?, ?)",
        deliveries,
    )
    db.executemany(
        "INSERT INTO request_supporters (request_id, person_id, added_at) VALUES (?, ?, ?)",
        supporters,
    )
    for batch in (requests, events, deliveries, supporters):
        batch.clear()


Row = tuple[object, ...]


def _request(
    shape: Shape, rng: random.Random, number: int, at: int, is_open: bool, now: int
) -> tuple[Row, list[Row], list[Row], list[Row]]:
    building = rng.randrange(1, shape.buildings + 1)
    reporter = RESIDENT_BASE + (building - 1) * RESIDENTS_PER_BUILDING + rng.randrange(100)
    level1 = staff_of(shape, building, 1)
    urgent = rng.random() < 0.05
    category = rng.choice(CATEGORIES)
    history: list[tuple[object, ...]] = [(number, reporter, "report", None, "new", "", at)]
    responded = resolved = closed = reopened = escalated = None
    assignee: int | None = None
    level = 1
    satisfied = rating = None
    if is_open:
        status = rng.choices(
            (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS),
            (40, 35, 25),
        )[0]
        if rng.random() < 0.05:
            status = RequestStatus.REOPENED
    else:
        status = RequestStatus.REJECTED if rng.random() < 0.05 else RequestStatus.CLOSED
    if status is not RequestStatus.NEW and status is not RequestStatus.REJECTED:
        assignee = level1
        responded = at + rng.randrange(HOUR // 2, 30 * HOUR)
        if responded >= now:
            responded = at + 60
        history.append((number, assignee, "take", "new", "assigned", "", responded))
        if status is not RequestStatus.ASSIGNED:
            history.append((number, assignee, "start", "assigned", "in_progress", "", responded))
    if status is RequestStatus.REOPENED:
        reopened = min(now - 60, responded + rng.randrange(HOUR, 10 * DAY)) if responded else at
        history.append((number, reporter, "reopen", "resolved", "reopened", "", reopened))
    if status is RequestStatus.CLOSED:
        assert responded is not None
        resolved = min(now - 60, responded + rng.randrange(HOUR, 100 * HOUR))
        closed = min(now - 30, resolved + rng.randrange(0, 3 * DAY))
        history.append((number, assignee, "resolve", "in_progress", "resolved", "", resolved))
        if resolved > now - 3 * DAY:
            status, closed = RequestStatus.RESOLVED, None
        elif rng.random() < 0.6:
            satisfied, rating = 1, rng.randint(3, 5)
            history.append((number, reporter, "rate", None, None, str(rating), closed))
        if closed is not None:
            history.append((number, None, "close", "resolved", "closed", "", closed))
    if status is RequestStatus.REJECTED:
        closed = min(now - 30, at + rng.randrange(HOUR, DAY))
        history.append((number, level1, "reject", "new", "rejected", "duplicate", closed))
    if status is RequestStatus.NEW and now - at > DAY and staff_of(shape, building, 2):
        # Nobody took it by the deadline: it climbed to level 2.
        level, escalated = 2, at + DAY
        history.append((number, None, "escalate_unassigned", None, None, "level 2", escalated))
    due = _due(number, building, category, urgent, status, at, responded, reopened, resolved)
    row = (
        number,
        building,
        group_of(building),
        number,
        group_of(building),
        number,
        reporter,
        category,
        int(urgent),
        f"#{number} {rng.choice(TEXTS)}",
        status.value,
        assignee,
        level,
        satisfied,
        rating,
        at,
        max(x for x in (at, responded, resolved, closed, reopened) if x is not None),
        responded,
        resolved,
        reopened,
        closed,
        escalated,
        at,
        None if due is None else to_timestamp(due),
    )
    cards = [(number, level1, 500_000_000 + number, at)] if level1 else []
    level2 = staff_of(shape, building, 2)
    if escalated and level2:
        cards.append((number, level2, 600_000_000 + number, escalated))
    backers = [(number, reporter, at)]
    if rng.random() < 0.2:
        neighbour = reporter + 1 if (reporter - RESIDENT_BASE) % 100 != 99 else reporter - 1
        backers.append((number, neighbour, at + 600))
    return row, history, cards, backers


def _due(
    number: int,
    building: int,
    category: str,
    urgent: bool,
    status: RequestStatus,
    at: int,
    responded: int | None,
    reopened: int | None,
    resolved: int | None,
) -> datetime | None:
    """What the bot stored after its last tick at NOW (the pings due by then were sent)."""
    if status in (RequestStatus.CLOSED, RequestStatus.REJECTED):
        return None
    snapshot = RequestSnapshot(
        request_id=number,
        building_id=building,
        category=category,
        urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
        status=status,
        times=RequestTimes(
            created_at=from_timestamp(at),
            responded_at=None if responded is None else from_timestamp(responded),
            reopened_at=None if reopened is None else from_timestamp(reopened),
        ),
        level=StaffLevel(1),
    )
    resolved_at = None if resolved is None else from_timestamp(resolved)
    return next_due_at(snapshot, resolved_at, RULES, NOW, planned=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--requests", type=int, default=Shape.requests)
    parser.add_argument("--open", type=int, default=Shape.open)
    parser.add_argument("--buildings", type=int, default=Shape.buildings)
    parser.add_argument("--staff", type=int, default=Shape.staff)
    args = parser.parse_args()
    if args.path.exists():
        sys.exit(f"{args.path} exists; remove it first")
    shape = Shape(args.requests, args.open, args.buildings, args.staff)
    started = time.perf_counter()
    build(args.path, shape)
    size = args.path.stat().st_size / 2**20
    print(f"built {shape} in {time.perf_counter() - started:.0f} s: {size:.0f} MB")


if __name__ == "__main__":
    main()
