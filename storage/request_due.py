"""Keeping each request's `next_due_at` right, so scheduled jobs read only what is due.

Every write that changes what a request is waiting for (its status, assignee, level,
category, urgency, the moments that start its clocks) calls `reschedule` in the same
transaction. Without due rules (a repository used on its own) the request is simply marked
due now: the next tick re-plans it and stores the exact moment, which is never late.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import datetime

import aiosqlite

from bot.clock import from_timestamp, to_timestamp
from bot.domain.due import DueRules, next_due_at
from bot.domain.escalation import StaffLevel
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.ping_planner import RequestSnapshot
from bot.domain.sla import RequestTimes, Urgency

DueRulesSource = Callable[[], DueRules]

# Columns whose change can move a request's due moment (`RequestRepository.update`).
SCHEDULING_COLUMNS = frozenset(
    {"status", "category", "urgent", "level", "assignee_id", "building_id", "escalated_at"}
)
_SCHEDULED = frozenset({*OPEN_STATUSES, RequestStatus.RESOLVED})


def snapshot_from_row(row: sqlite3.Row) -> RequestSnapshot | None:
    """The planner's view of a stored request (None: it has no building, nothing plans it)."""
    if row["building_id"] is None:
        return None
    return RequestSnapshot(
        request_id=int(row["id"]),
        building_id=int(row["building_id"]),
        category=str(row["category"]),
        urgency=Urgency.URGENT if row["urgent"] else Urgency.NORMAL,
        status=RequestStatus(row["status"]),
        times=RequestTimes(
            created_at=from_timestamp(int(row["created_at"])),
            responded_at=_maybe(row["responded_at"]),
            reopened_at=_maybe(row["reopened_at"]),
        ),
        level=None if row["level"] is None else StaffLevel(int(row["level"])),
        assignee_id=row["assignee_id"],
        escalated_at=_maybe(row["escalated_at"]),
    )


def due_after_change(row: sqlite3.Row, rules: DueRules | None, now: datetime) -> datetime | None:
    """The stored moment for a request whose state just changed at `now`."""
    status = RequestStatus(row["status"])
    if status not in _SCHEDULED:
        return None
    snapshot = snapshot_from_row(row)
    if snapshot is None:
        return None
    if rules is None:
        return now
    return next_due_at(snapshot, _maybe(row["resolved_at"]), rules, now)


def reschedule(
    conn: sqlite3.Connection, request_id: int, rules: DueRules | None, now: datetime
) -> None:
    """Recompute and store one request's due moment (inside the caller's transaction, on the
    database thread: see `storage.request_writes`)."""
    row = conn.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        return
    moment = due_after_change(row, rules, now)
    conn.execute(
        "UPDATE requests SET next_due_at = ? WHERE id = ?",
        (None if moment is None else to_timestamp(moment), request_id),
    )


def _maybe(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


RULES_KEY = "due_rules"


def follow_rules(rules: DueRules, conn: sqlite3.Connection) -> int:
    """Inside a transaction (`Database.write`): if `rules` differ from those the stored moments
    were computed with, move every scheduled request to the earliest moment it could need (never
    later than what is stored) and remember the rules. Returns how many requests were moved."""
    fingerprint = hashlib.sha256(repr(rules).encode()).hexdigest()
    row = conn.execute("SELECT value FROM bot_state WHERE key = ?", (RULES_KEY,)).fetchone()
    if row is not None and row[0] == fingerprint:
        return 0
    cursor = conn.execute(
        "UPDATE requests SET next_due_at = min(coalesce(next_due_at, moment), moment) FROM "
        "(SELECT id AS due_id, CASE WHEN status = 'resolved' THEN coalesce(resolved_at, "
        "updated_at) ELSE coalesce(reopened_at, created_at) END AS moment FROM requests "
        "WHERE status IN ('new', 'assigned', 'in_progress', 'reopened', 'resolved') "
        "AND building_id IS NOT NULL) WHERE id = due_id AND "
        "(next_due_at IS NULL OR next_due_at > moment)"
    )
    moved = cursor.rowcount
    conn.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (RULES_KEY, fingerprint),
    )
    return moved


async def replan_building(conn: aiosqlite.Connection, building_id: int, now: int) -> None:
    """Staff changed in a building: its open requests may have owners to remind now, so the
    next tick re-plans them (a request nobody owned had no reminder to send before)."""
    await conn.execute(
        "UPDATE requests SET next_due_at = min(coalesce(next_due_at, ?), ?) "
        "WHERE building_id = ? AND status IN ('new', 'assigned', 'in_progress', 'reopened')",
        (now, now, building_id),
    )
