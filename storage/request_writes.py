"""The request repository's write transactions, each run whole on the database thread.

Every function here takes the plain sqlite3 connection last and runs inside
`Database.write` (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error): a transaction of a dozen
statements costs one round trip to the database thread instead of one per statement (each
trip is a wait and about 0.1 ms of CPU, and a new request used to make twenty of them).
Functions that return the request read it back in the same trip.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.domain.due import DueRules
from bot.domain.lifecycle import RequestStatus
from storage.request_due import SCHEDULING_COLUMNS, reschedule
from storage.request_records import SELECT, NewRequest

# Which timestamp an arriving status stamps (first response is stamped separately).
_STAMPS = {
    RequestStatus.RESOLVED: "resolved_at",
    RequestStatus.REOPENED: "reopened_at",
    RequestStatus.CLOSED: "closed_at",
    RequestStatus.REJECTED: "closed_at",
}

# Actions that count as staff responding to a request.
_RESPONSES = "('take', 'assign', 'start', 'resolve')"


@dataclass(frozen=True)
class Moment:
    """When a write happens: the stored timestamp, and the same moment for due rules."""

    stamp: int
    now: datetime
    rules: DueRules | None


def read_request(conn: sqlite3.Connection, request_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(f"{SELECT} WHERE r.id = ?", (request_id,)).fetchone()
    return row


def updated(
    request_id: int, sql: str, params: tuple[object, ...], conn: sqlite3.Connection
) -> sqlite3.Row:
    """One UPDATE of a request, and the request after it."""
    conn.execute(sql, params)
    row = read_request(conn, request_id)
    assert row is not None, "no such request"
    return row


def routed(
    request_id: int,
    stamp: int,
    delivered: bool,
    level: int | None,
    at: Moment,
    conn: sqlite3.Connection,
) -> sqlite3.Row:
    """Routing done, with the rung it reached (and the due moment that moves); the request
    after it."""
    update(request_id, {"level": level}, at, conn)
    return updated(
        request_id,
        "UPDATE requests SET routed_at = coalesce(routed_at, ?), delivered = ? WHERE id = ?",
        (stamp, int(delivered), request_id),
        conn,
    )


def _ensure_person(conn: sqlite3.Connection, person_id: int, stamp: int) -> None:
    """A placeholder row for a user known only by id (filled in when they write)."""
    conn.execute(
        "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (person_id, stamp, stamp),
    )


def _household_of(conn: sqlite3.Connection, building_id: int | None, person_id: int) -> int | None:
    if building_id is None:
        return None
    row = conn.execute(
        "SELECT m.household_id FROM household_members m "
        "JOIN households h ON h.id = m.household_id "
        "WHERE h.building_id = ? AND m.person_id = ? AND m.status = 'approved'",
        (building_id, person_id),
    ).fetchone()
    return None if row is None else int(row[0])


def _existing(conn: sqlite3.Connection, new: NewRequest) -> sqlite3.Row | None:
    """The request this message (or update) already created, if it was handled before."""
    row: sqlite3.Row | None = None
    if new.chat_id is not None and new.source_message_id is not None:
        row = conn.execute(
            f"{SELECT} WHERE r.chat_id = ? AND r.source_message_id = ?",
            (new.chat_id, new.source_message_id),
        ).fetchone()
    if row is None and new.intake_update_id is not None:
        row = conn.execute(
            f"{SELECT} WHERE r.intake_update_id = ?", (new.intake_update_id,)
        ).fetchone()
    return row


def create(new: NewRequest, at: Moment, conn: sqlite3.Connection) -> tuple[sqlite3.Row, bool, int]:
    """The request, its reporter as first supporter, its photo, its history line, its due
    moment, and its building's boards marked for a redraw (how many: the last value); or the
    request a replayed message (or update) created before (False)."""
    existing = _existing(conn, new)
    if existing is not None:
        return existing, False, 0
    _ensure_person(conn, new.reporter_id, at.stamp)
    request_id = conn.execute(
        "INSERT INTO requests (building_id, chat_id, source_message_id, reporter_id, "
        "category, urgent, location, description, status, created_at, updated_at, "
        "intake_update_id, category_alternative) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.building_id,
            new.chat_id,
            new.source_message_id,
            new.reporter_id,
            new.category,
            int(new.urgent),
            new.location,
            new.description,
            RequestStatus.NEW.value,
            at.stamp,
            at.stamp,
            new.intake_update_id,
            new.category_alternative,
        ),
    ).lastrowid
    assert request_id is not None
    conn.execute(
        "INSERT INTO request_supporters (request_id, person_id, household_id, added_at) "
        "VALUES (?, ?, ?, ?)",
        (
            request_id,
            new.reporter_id,
            _household_of(conn, new.building_id, new.reporter_id),
            at.stamp,
        ),
    )
    if new.photo is not None:
        conn.execute(
            "INSERT OR IGNORE INTO request_photos VALUES (?, ?, ?, ?)",
            (request_id, new.photo[0], new.photo[1], at.stamp),
        )
    conn.execute(
        "INSERT INTO request_events (request_id, actor_id, action, to_status, at) "
        "VALUES (?, ?, 'report', 'new', ?)",
        (request_id, new.reporter_id, at.stamp),
    )
    reschedule(conn, request_id, at.rules, at.now)
    boards = 0
    if new.building_id is not None:
        # The pinned boards count open requests (as `BoardRepository.mark_dirty`).
        boards = conn.execute(
            "UPDATE boards SET dirty = 1 WHERE building_id = ? AND enabled = 1",
            (new.building_id,),
        ).rowcount
    row = read_request(conn, request_id)
    assert row is not None
    return row, True, boards


def change_status(
    request_id: int,
    expected: RequestStatus,
    new_status: RequestStatus,
    event: tuple[str, int | None, str],
    changes: dict[str, object],
    at: Moment,
    conn: sqlite3.Connection,
) -> sqlite3.Row | None:
    """Move a request from `expected` to `new_status` with `changes`, record the event
    (action, actor, note) and the next due moment; None if it is no longer in `expected`."""
    action, actor_id, note = event
    columns = dict(changes)
    stamp = _STAMPS.get(new_status)
    if stamp is not None:
        columns[stamp] = at.stamp
    if actor_id is not None and new_status in (
        RequestStatus.ASSIGNED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.RESOLVED,
    ):
        columns.setdefault("responded_at", at.stamp)
    assignments = "".join(f", {name} = ?" for name in columns)
    cursor = conn.execute(
        f"UPDATE requests SET status = ?, updated_at = ?{assignments} WHERE id = ? AND status = ?",
        (new_status.value, at.stamp, *columns.values(), request_id, expected.value),
    )
    if cursor.rowcount == 0:
        return None
    if "responded_at" in columns:
        # The first response counts; later ones must not move it.
        conn.execute(
            "UPDATE requests SET responded_at = "
            "(SELECT min(at) FROM request_events WHERE request_id = ? AND actor_id IS "
            f"NOT NULL AND action IN {_RESPONSES}) "
            "WHERE id = ? AND EXISTS (SELECT 1 FROM request_events WHERE request_id = ? "
            f"AND action IN {_RESPONSES})",
            (request_id, request_id, request_id),
        )
    conn.execute(
        "INSERT INTO request_events (request_id, actor_id, action, from_status, "
        "to_status, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (request_id, actor_id, action, expected.value, new_status.value, note, at.stamp),
    )
    reschedule(conn, request_id, at.rules, at.now)
    return read_request(conn, request_id)


def update(
    request_id: int, changes: dict[str, object], at: Moment, conn: sqlite3.Connection
) -> None:
    """Fields that are not the status; the due moment follows when they can move it."""
    assignments = ", ".join(f"{name} = ?" for name in changes)
    conn.execute(
        f"UPDATE requests SET {assignments} WHERE id = ?", (*changes.values(), request_id)
    )
    if SCHEDULING_COLUMNS & changes.keys():
        reschedule(conn, request_id, at.rules, at.now)


def add_supporter(request_id: int, person_id: int, stamp: int, conn: sqlite3.Connection) -> bool:
    """ "Me too", with its history line: False if this person is already counted."""
    _ensure_person(conn, person_id, stamp)
    row = conn.execute("SELECT building_id FROM requests WHERE id = ?", (request_id,)).fetchone()
    household = _household_of(conn, row[0] if row else None, person_id)
    added = conn.execute(
        "INSERT OR IGNORE INTO request_supporters (request_id, person_id, household_id, "
        "added_at) VALUES (?, ?, ?, ?)",
        (request_id, person_id, household, stamp),
    ).rowcount
    if added == 1:
        conn.execute(
            "INSERT INTO request_events (request_id, actor_id, action, at) "
            "VALUES (?, ?, 'me_too', ?)",
            (request_id, person_id, stamp),
        )
    return added == 1


def rate(request_id: int, actor_id: int, stars: int, stamp: int, conn: sqlite3.Connection) -> bool:
    """The first rating of a request and its history line; False if it was already rated."""
    rated = conn.execute(
        "UPDATE requests SET rating = ? WHERE id = ? AND rating IS NULL", (stars, request_id)
    ).rowcount
    if rated == 0:
        return False
    conn.execute(
        "INSERT INTO request_events (request_id, actor_id, action, note, at) "
        "VALUES (?, ?, 'rate', ?, ?)",
        (request_id, actor_id, str(stars), stamp),
    )
    return True


def note(
    request_id: int,
    actor_id: int | None,
    action: str,
    text: str,
    stamp: int,
    conn: sqlite3.Connection,
) -> None:
    """A history line that does not change the status; the same line twice in a row is one
    line (the update that wrote it was handled again)."""
    last = conn.execute(
        "SELECT actor_id, action, note FROM request_events WHERE request_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (request_id,),
    ).fetchone()
    if last is not None and tuple(last) == (actor_id, action, text):
        return
    conn.execute(
        "INSERT INTO request_events (request_id, actor_id, action, note, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (request_id, actor_id, action, text, stamp),
    )


def set_resolution_note(
    request_id: int, actor_id: int, text: str, stamp: int, conn: sqlite3.Connection
) -> None:
    conn.execute("UPDATE requests SET resolution_note = ? WHERE id = ?", (text, request_id))
    note(request_id, actor_id, "resolution_note", text, stamp, conn)


def answer_once(
    request_id: int, person_id: int, action: str, text: str, stamp: int, conn: sqlite3.Connection
) -> bool:
    """A supporter's answer to the latest resolution, once: False if they gave it already."""
    given = conn.execute(
        "SELECT 1 FROM request_events WHERE request_id = ? AND actor_id = ? "
        "AND action = ? AND id > coalesce((SELECT max(id) FROM request_events "
        "WHERE request_id = ? AND action = 'resolve'), 0)",
        (request_id, person_id, action, request_id),
    ).fetchone()
    if given is not None:
        return False
    conn.execute(
        "INSERT INTO request_events (request_id, actor_id, action, note, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (request_id, person_id, action, text, stamp),
    )
    return True
