"""What runs on a schedule or lists things reads an index, never a whole large table.

The queries are not copied here: the repositories' own calls run against a small database
while a trace records every statement, and each recorded statement's `EXPLAIN QUERY PLAN`
must not scan a large table. A district holds a million requests and their history.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.due import DueRules
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.sla import SlaPolicy
from storage.buildings import BuildingRepository
from storage.database import Database
from storage.digest_reads import DigestReads
from storage.reports import ReportRepository
from storage.requests import NewRequest, RequestRepository
from storage.roles import ensure_person
from storage.staff_settings import StaffSettingsRepository

START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
LARGE_TABLES = frozenset(
    {
        "requests",
        "request_events",
        "request_deliveries",
        "request_supporters",
        "request_photos",
        "sent_pings",
        "outbox",
    }
)
# "SCAN requests", "SCAN r", "SCAN r USING INDEX x" (a whole index is a whole table too).
_SCAN = re.compile(r"^SCAN (\w+)")
# An index on the status alone reads every open (or resolved, or closed) request: 100k+ rows.
_WHOLE_STATUS = re.compile(
    r"^SEARCH (\w+) USING (?:COVERING )?INDEX requests_status \(status=\?\)$"
)
_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.IGNORECASE)


@dataclass
class Traced:
    db: Database
    requests: RequestRepository
    reports: ReportRepository
    staff: StaffSettingsRepository
    building_id: int
    statements: list[str]


@pytest.fixture
async def traced(tmp_path: Path) -> AsyncIterator[Traced]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(START)
    building, _ = await BuildingRepository(db, clock).ensure("Building 5")
    requests = RequestRepository(db, clock, lambda: DueRules(SlaPolicy(), timedelta(days=3)))
    async with db.transaction() as conn:
        await ensure_person(conn, 5, int(START.timestamp()))
        await conn.execute(
            "INSERT INTO roles (building_id, person_id, role, level, created_at) "
            "VALUES (?, 5, 'staff', 1, 0)",
            (building.id,),
        )
    for reporter in range(100, 104):
        request, _ = await requests.create(
            NewRequest(building.id, -1, reporter, reporter, "water", False, None, "leak")
        )
        await requests.record_delivery(request.id, 5, 77, None)
    statements: list[str] = []
    async with db.job_reads():
        pass  # opens the job connection, so its statements are traced too
    for connection in (db.connection, db._job_connection):
        assert connection is not None
        await connection.set_trace_callback(statements.append)
    yield Traced(
        db,
        requests,
        ReportRepository(db, clock),
        StaffSettingsRepository(db),
        building.id,
        statements,
    )
    await db.close()


OPEN = sorted(OPEN_STATUSES)
WEEK = (START - timedelta(days=7), START)

Call = Callable[[Traced], Awaitable[object]]
CALLS: dict[str, Call] = {
    "reminder tick: due page": lambda t: t.requests.due(START, OPEN, limit=200),
    "reminder tick: next page": lambda t: t.requests.due(START, OPEN, after=(START, 3)),
    "reminder tick: store the next moment": lambda t: t.requests.set_next_due(
        1, START, expected=None
    ),
    "auto-close: due page": lambda t: t.requests.due(START, [RequestStatus.RESOLVED]),
    "digest: staff page": lambda t: t.staff.digest_candidates(after=0, limit=200),
    "digest: a page of staff's open cards": lambda t: DigestReads(t.db).open_cards([5, 6]),
    "digest: a page of staff's languages": lambda t: t.staff.languages([5, 6]),
    "digest: claim": lambda t: t.staff.claim_digests(START.date(), [(5, [])], START),
    "weekly report and /summary: the week": lambda t: t.reports.report_data(t.building_id, *WEEK),
    "/requests": lambda t: t.requests.open_in_building(t.building_id),
    "/mine": lambda t: DigestReads(t.db).open_cards([5]),
    "undelivered cards": lambda t: t.requests.undelivered_to(5),
    "unfinished intakes": lambda t: t.requests.unfinished(START),
    "a state change": lambda t: t.requests.change_status(
        2,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.ASSIGNED,
        action="take",
        actor_id=5,
        assignee_id=5,
    ),
}


async def _export(traced: Traced) -> None:
    async for _page in traced.reports.export_pages(START - timedelta(days=30), START, 2):
        pass


CALLS["/export"] = _export


def _scanned_tables(
    statement: str, plan: list[str], partial_indexes: frozenset[str] = frozenset()
) -> set[str]:
    """Large tables the plan reads whole. Walking a partial index is fine: it holds only
    the few rows it was made for (unfinished intakes, due moments)."""
    aliases = {}
    for table, alias in _ALIAS.findall(statement):
        aliases[table.lower()] = table.lower()
        if alias and alias.upper() not in {"WHERE", "ON", "LEFT", "JOIN", "ORDER", "GROUP"}:
            aliases[alias.lower()] = table.lower()
    scanned = set()
    for line in plan:
        match = _SCAN.match(line) or _WHOLE_STATUS.match(line)
        walked = re.search(r"USING (?:COVERING )?INDEX (\w+)", line)
        if match and line.startswith("SCAN") and walked and walked.group(1) in partial_indexes:
            continue
        if match:
            name = match.group(1).lower()
            scanned.add(aliases.get(name, name))
    return scanned & LARGE_TABLES


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_scheduled_and_listing_queries_read_an_index(traced: Traced, name: str) -> None:
    await CALLS[name](traced)
    statements = [
        s
        for s in traced.statements
        if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"))
    ]
    assert statements, "the call ran no query"
    partial = frozenset(
        str(row[0])
        for row in await traced.db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
        )
    )
    for statement in statements:
        rows = await traced.db.fetch_all(f"EXPLAIN QUERY PLAN {statement}")
        plan = [str(row[3]) for row in rows]
        assert not _scanned_tables(statement, plan, partial), f"{name}: {statement}\n" + "\n".join(
            plan
        )


@pytest.mark.parametrize(
    "statement",
    [
        # The old planner query: every open request everywhere.
        "SELECT r.* FROM requests r WHERE r.building_id IS NOT NULL "
        "AND r.status IN ('new', 'assigned') ORDER BY r.id",
        # The old digest query: every open request for each staff member.
        "SELECT r.* FROM requests r WHERE r.status IN ('new', 'assigned') AND (r.assignee_id = 5 "
        "OR (r.assignee_id IS NULL AND r.id IN (SELECT request_id FROM request_deliveries "
        "WHERE person_id = 5 AND message_id IS NOT NULL))) ORDER BY r.id",
        "SELECT * FROM request_events WHERE note LIKE 'x%'",
    ],
)
async def test_the_check_catches_a_whole_table_read(traced: Traced, statement: str) -> None:
    rows = await traced.db.fetch_all(f"EXPLAIN QUERY PLAN {statement}")
    assert _scanned_tables(statement, [str(row[3]) for row in rows])
