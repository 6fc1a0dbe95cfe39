"""The journal: what handling an update (or one piece of work) already did.

Telegram offers no idempotency for sending, and an update is handled again after a crash or a
passing Telegram error. The journal narrows what can repeat: a message Telegram confirmed is
recorded at once, and a decision (a vote's new choices, an approval) is recorded before it is
applied, so handling the update again reads them instead of sending or deciding twice.

Rows of an update are deleted when the update is marked handled (`UpdateInbox.mark_handled`);
rows of other work are pruned after a few days.

Most scopes are new: an update just received, a request just created. Asking the database
before every send of such a scope only ever answers "nothing yet", so a caller that knows a
scope is new says so (`begin_fresh`), and from then on this process answers from what it
recorded itself: every record of this journal is written here, so for a scope that began
empty, the memory is complete. A restart forgets it all, and the database answers again.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from bot.clock import Clock, to_timestamp
from storage.database import Database

T = TypeVar("T")

# How many new scopes are remembered (a few steps each); older ones ask the database again.
KNOWN_SCOPES_LIMIT = 4096


def update_scope(update_id: int) -> str:
    """The journal scope of one update."""
    return f"u{update_id}"


def scope_family(scope: str) -> str:
    """The piece of work a named scope belongs to: `request:12` for `request:12:staff:7`."""
    return ":".join(scope.split(":", 2)[:2])


class KnownScopes:
    """Scopes whose every journal row this process knows: they began empty (`begin`), and
    each record since was noted here. Bounded; a forgotten scope is simply not known (a
    family's scopes are forgotten with it, never one by one, so none seems empty again)."""

    def __init__(self, limit: int = KNOWN_SCOPES_LIMIT) -> None:
        self._limit = limit
        self._scopes: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._families: OrderedDict[str, dict[str, dict[str, str]]] = OrderedDict()

    def begin(self, scope: str) -> None:
        if scope not in self._scopes:
            self._scopes[scope] = {}
            self._bound(self._scopes)

    def begin_family(self, family: str) -> None:
        if family not in self._families:
            self._families[family] = {}
            self._bound(self._families)

    def steps(self, scope: str) -> dict[str, str] | None:
        """The scope's recorded steps (their values as stored, JSON), or None when this
        process does not know them all."""
        steps = self._scopes.get(scope)
        if steps is None:
            family = self._families.get(scope_family(scope))
            if family is not None:
                steps = family.setdefault(scope, {})
        return steps

    def note(self, scope: str, step: str, value: str) -> None:
        steps = self.steps(scope)
        if steps is not None:
            steps.setdefault(step, value)

    def forget(self, scope: str) -> None:
        self._scopes.pop(scope, None)

    def clear(self) -> None:
        self._scopes.clear()
        self._families.clear()

    def _bound(self, entries: OrderedDict[str, Any]) -> None:
        while len(entries) > self._limit:
            entries.popitem(last=False)


@dataclass(frozen=True)
class JournalRecord:
    """A step's record not yet written: written by `write_records` inside the caller's own
    transaction (a card's record with the card's id: one round trip instead of two)."""

    scope: str
    step: str
    chat_id: int | None
    value: str  # JSON
    at: int


def write_records(records: Iterable[JournalRecord], conn: sqlite3.Connection) -> None:
    """Write records in the caller's transaction (the first record of a step stays)."""
    conn.executemany(
        "INSERT INTO journal (scope, step, chat_id, value, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (scope, step) DO NOTHING",
        [(r.scope, r.step, r.chat_id, r.value, r.at) for r in records],
    )


def recording(
    records: Sequence[JournalRecord],
    work: Callable[[sqlite3.Connection], T],
    conn: sqlite3.Connection,
) -> T:
    """`work` and the records in one transaction (for `Database.write`)."""
    write_records(records, conn)
    return work(conn)


class Journal:
    """Reads and writes `journal`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._known = KnownScopes()

    def begin_fresh(self, scope: str) -> None:
        """The caller vouches that nothing is recorded for `scope` yet (an update first seen
        now): until this process forgets it, reads of it are answered from memory."""
        self._known.begin(scope)

    def begin_fresh_family(self, family: str) -> None:
        """Likewise for every scope of a piece of work just created (`request:12`)."""
        self._known.begin_family(family)

    def forget_scope(self, scope: str) -> None:
        """The scope's rows are gone (an update marked handled)."""
        self._known.forget(scope)

    async def recorded(self, scope: str, step: str) -> Any | None:
        """The value recorded for a step, or None."""
        known = self._known.steps(scope)
        if known is not None:
            text = known.get(step)
            return None if text is None else json.loads(text)
        value = await self._db.fetch_value(
            "SELECT value FROM journal WHERE scope = ? AND step = ?", (scope, step)
        )
        return None if value is None else json.loads(value)

    async def record(self, scope: str, step: str, value: Any, *, chat_id: int | None) -> None:
        """Record what a step did (the first record of a step stays)."""
        await self.write([self.prepare(scope, step, value, chat_id=chat_id)])

    def prepare(self, scope: str, step: str, value: Any, *, chat_id: int | None) -> JournalRecord:
        """A record to write later in a transaction of the caller's (`recording`); once that
        committed, `written` must be told."""
        return JournalRecord(
            scope, step, chat_id, json.dumps(value), to_timestamp(self._clock.now())
        )

    async def write(self, records: Sequence[JournalRecord]) -> None:
        """Write prepared records in a transaction of their own."""
        if records:
            await self._db.write(partial(write_records, list(records)))
            self.written(records)

    def written(self, records: Iterable[JournalRecord]) -> None:
        """Prepared records are on disk (written by the caller's transaction)."""
        for record in records:
            self._known.note(record.scope, record.step, record.value)

    async def settle(self, scope: str, step: str, value: Any) -> tuple[Any, bool]:
        """The first value recorded for a step, and whether this call recorded it."""
        known = self._known.steps(scope)
        if known is not None and step in known:
            return json.loads(known[step]), False
        at = to_timestamp(self._clock.now())
        first, taken = await self._db.write(partial(_settle, scope, step, json.dumps(value), at))
        self._known.note(scope, step, first)
        return json.loads(first), taken

    async def prune(self, older_than: timedelta) -> int:
        """Forget old records (an update's own go when it is marked handled)."""
        cutoff = to_timestamp(self._clock.now() - older_than)
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM journal WHERE at < ?", (cutoff,))
            removed = cursor.rowcount
        self._known.clear()  # cheaper than finding which remembered rows went
        return removed


def _settle(
    scope: str, step: str, text: str, at: int, connection: sqlite3.Connection
) -> tuple[str, bool]:
    """The step's first value (JSON) and whether it is this one."""
    inserted = connection.execute(
        "INSERT INTO journal (scope, step, value, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (scope, step) DO NOTHING",
        (scope, step, text, at),
    ).rowcount
    if inserted == 1:
        return text, True
    row = connection.execute(
        "SELECT value FROM journal WHERE scope = ? AND step = ?", (scope, step)
    ).fetchone()
    assert row is not None
    return str(row[0]), False
