"""Polls and their ballots."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.poll_ballots import latest_per_household
from bot.domain.poll_rules import (
    CountQuorum,
    DefaultOption,
    PassThreshold,
    PollOption,
    Quorum,
    ShareQuorum,
)
from bot.domain.poll_syntax import PollSpec
from bot.domain.tally import Ballot
from storage.database import Database
from storage.outbox import OutgoingMessage, enqueue


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Poll:
    """A stored poll; satisfies the tally's `TallyRules`."""

    id: int
    building_id: int | None
    chat_id: int
    message_id: int | None
    creator_id: int
    question: str
    options: tuple[PollOption, ...]
    secret: bool
    per_household: bool
    multi: bool
    quorum: Quorum
    pass_threshold: PassThreshold
    closes_at: datetime
    status: PollStatus
    closed_at: datetime | None
    cancel_reason: str | None
    result: dict[str, Any] | None
    reminders_sent: tuple[int, ...]
    # Household polls, as the poll opened: registered households, the building's stated
    # total (None when not set, or for polls from before these were kept).
    registered_at_open: frozenset[int] | None = None
    household_total: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status is PollStatus.OPEN


def _encode_rules(spec: PollSpec) -> str:
    options = [
        {"default": o.value} if isinstance(o, DefaultOption) else {"label": o}
        for o in spec.options
    ]
    quorum: dict[str, Any] | None
    match spec.quorum:
        case ShareQuorum(share=share):
            quorum = {"share": str(share)}
        case CountQuorum(count=count):
            quorum = {"count": count}
        case _:
            quorum = None
    return json.dumps(
        {
            "options": options,
            "secret": spec.secret,
            "per_household": spec.per_household,
            "multi": spec.multi,
            "quorum": quorum,
            "pass": {
                "share": str(spec.pass_threshold.share),
                "strict": spec.pass_threshold.strict,
            },
        },
        ensure_ascii=False,
    )


def _option(data: Mapping[str, str]) -> PollOption:
    return DefaultOption(data["default"]) if "default" in data else data["label"]


def _poll(row: sqlite3.Row) -> Poll:
    rules = json.loads(row["rules"])
    quorum_data = rules["quorum"]
    quorum: Quorum = None
    if quorum_data and "share" in quorum_data:
        quorum = ShareQuorum(Fraction(quorum_data["share"]))
    elif quorum_data:
        quorum = CountQuorum(int(quorum_data["count"]))
    return Poll(
        id=int(row["id"]),
        building_id=row["building_id"],
        chat_id=int(row["chat_id"]),
        message_id=row["message_id"],
        creator_id=int(row["creator_id"]),
        question=str(row["question"]),
        options=tuple(_option(o) for o in rules["options"]),
        secret=bool(rules["secret"]),
        per_household=bool(rules["per_household"]),
        multi=bool(rules["multi"]),
        quorum=quorum,
        pass_threshold=PassThreshold(
            Fraction(rules["pass"]["share"]), strict=bool(rules["pass"]["strict"])
        ),
        closes_at=from_timestamp(int(row["closes_at"])),
        status=PollStatus(row["status"]),
        closed_at=None if row["closed_at"] is None else from_timestamp(int(row["closed_at"])),
        cancel_reason=row["cancel_reason"],
        result=None if row["result"] is None else json.loads(row["result"]),
        reminders_sent=tuple(json.loads(row["reminders_sent"])),
        registered_at_open=None
        if row["eligible_households"] is None
        else frozenset(json.loads(row["eligible_households"])),
        household_total=row["household_total"],
    )


@dataclass(frozen=True)
class StoredBallot:
    """A ballot with who cast it (for named polls' details)."""

    ballot: Ballot
    voter_name: str | None


def _ballot(row: sqlite3.Row) -> Ballot:
    return Ballot(
        voter_id=int(row["voter_id"]),
        household_id=row["household_id"],
        choices=frozenset(json.loads(row["choices"])),
        cast_at=datetime.fromtimestamp(int(row["cast_at_us"]) / 1_000_000, UTC),
        proxy_by=row["proxy_by"],
    )


async def _write_ballot(
    conn: aiosqlite.Connection,
    poll_id: int,
    voter_id: int,
    household_id: int | None,
    choices: frozenset[int],
    proxy_by: int | None,
    now: datetime,
) -> None:
    """Insert or replace one voter's ballot, inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO poll_votes (poll_id, voter_id, household_id, choices, cast_at_us, "
        "proxy_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (poll_id, voter_id) DO UPDATE "
        "SET household_id = excluded.household_id, choices = excluded.choices, "
        "cast_at_us = excluded.cast_at_us, proxy_by = excluded.proxy_by",
        (
            poll_id,
            voter_id,
            household_id,
            json.dumps(sorted(choices)),
            int(now.timestamp() * 1_000_000),
            proxy_by,
        ),
    )


class PollRepository:
    """Reads and writes `polls` and `poll_votes`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self,
        spec: PollSpec,
        *,
        building_id: int | None,
        chat_id: int,
        source_message_id: int,
        creator_id: int,
        registered_households: frozenset[int] | None = None,
        household_total: int | None = None,
    ) -> tuple[Poll, bool]:
        """Store a new poll; a replayed /poll message returns the existing one.

        Household polls keep the households registered now and the building's stated total,
        the fixed measure of their turnout."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO polls (building_id, chat_id, source_message_id, creator_id, "
                "question, rules, closes_at, created_at, eligible_households, household_total) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id, source_message_id) DO NOTHING",
                (
                    building_id,
                    chat_id,
                    source_message_id,
                    creator_id,
                    spec.question,
                    _encode_rules(spec),
                    to_timestamp(spec.closes_at),
                    to_timestamp(self._clock.now()),
                    None
                    if registered_households is None
                    else json.dumps(sorted(registered_households)),
                    household_total,
                ),
            )
            created = cursor.rowcount == 1
        row = await self._db.fetch_one(
            "SELECT * FROM polls WHERE chat_id = ? AND source_message_id = ?",
            (chat_id, source_message_id),
        )
        assert row is not None
        return _poll(row), created

    async def get(self, poll_id: int) -> Poll | None:
        row = await self._db.fetch_one("SELECT * FROM polls WHERE id = ?", (poll_id,))
        return None if row is None else _poll(row)

    async def open_polls(self) -> list[Poll]:
        rows = await self._db.fetch_all(
            "SELECT * FROM polls WHERE status = 'open' ORDER BY closes_at"
        )
        return [_poll(row) for row in rows]

    async def in_building(
        self, building_id: int, *, limit: int, offset: int
    ) -> tuple[list[Poll], int]:
        """Open polls first (closing soonest first), then the most recent closed ones."""
        rows = await self._db.fetch_all(
            "SELECT * FROM polls WHERE building_id = ? ORDER BY status != 'open', "
            "CASE WHEN status = 'open' THEN closes_at ELSE -coalesce(closed_at, closes_at) END "
            "LIMIT ? OFFSET ?",
            (building_id, limit, offset),
        )
        total = await self._db.fetch_value(
            "SELECT count(*) FROM polls WHERE building_id = ?", (building_id,)
        )
        return [_poll(row) for row in rows], int(total)

    async def set_message(self, poll_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id)
        )

    async def vote(
        self,
        poll_id: int,
        voter_id: int,
        household_id: int | None,
        choices: frozenset[int],
        *,
        proxy_by: int | None = None,
    ) -> None:
        """Record (or replace) a ballot; an empty choice set withdraws it."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if not choices:
                await conn.execute(
                    "DELETE FROM poll_votes WHERE poll_id = ? AND voter_id = ?",
                    (poll_id, voter_id),
                )
                return
            await _write_ballot(conn, poll_id, voter_id, household_id, choices, proxy_by, now)

    async def vote_by_proxy(
        self, poll_id: int, household_id: int, choice: int, *, proxy_by: int
    ) -> bool:
        """Record a head's vote for a household (its voter id is minus the household id);
        False, recording nothing, when the ballot that speaks for the household is its own.
        Checked and written in one transaction, so a member's vote cannot slip between."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT voter_id, household_id, choices, cast_at_us, proxy_by FROM poll_votes "
                "WHERE poll_id = ?",
                (poll_id,),
            ) as cursor:
                rows = await cursor.fetchall()
            counted = latest_per_household(
                [_ballot(row) for row in rows], eligible_households={household_id}
            )
            if any(ballot.proxy_by is None for ballot in counted):
                return False
            voter_id = -household_id
            await _write_ballot(
                conn, poll_id, voter_id, household_id, frozenset({choice}), proxy_by, now
            )
            return True

    async def ballot_of(self, poll_id: int, voter_id: int) -> frozenset[int]:
        value = await self._db.fetch_value(
            "SELECT choices FROM poll_votes WHERE poll_id = ? AND voter_id = ?",
            (poll_id, voter_id),
        )
        return frozenset(json.loads(value)) if value else frozenset()

    async def ballots(self, poll_id: int) -> list[StoredBallot]:
        rows = await self._db.fetch_all(
            "SELECT v.*, p.first_name, p.last_name FROM poll_votes v "
            "LEFT JOIN people p ON p.id = v.voter_id WHERE v.poll_id = ? ORDER BY v.cast_at_us",
            (poll_id,),
        )
        return [
            StoredBallot(
                _ballot(r), " ".join(p for p in (r["first_name"], r["last_name"]) if p) or None
            )
            for r in rows
        ]

    async def finish(
        self,
        poll_id: int,
        status: PollStatus,
        *,
        result: dict[str, Any] | None = None,
        reason: str | None = None,
        announce: Sequence[OutgoingMessage] = (),
    ) -> bool:
        """Close or cancel an open poll, queueing `announce` with it; False if it was no
        longer open (then nothing is queued)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE polls SET status = ?, closed_at = ?, result = ?, cancel_reason = ? "
                "WHERE id = ? AND status = 'open'",
                (
                    status.value,
                    to_timestamp(self._clock.now()),
                    None if result is None else json.dumps(result, ensure_ascii=False),
                    reason,
                    poll_id,
                ),
            )
            if cursor.rowcount != 1:
                return False
            for message in announce:
                await enqueue(conn, message, self._clock.now())
            return True

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Polls of a group that became a supergroup now live under its new id."""
        await self._db.execute(
            "UPDATE polls SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
        )

    async def extend(self, poll_id: int, closes_at: datetime) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE polls SET closes_at = ?, reminders_sent = '[]' "
                "WHERE id = ? AND status = 'open'",
                (to_timestamp(closes_at), poll_id),
            )
            return cursor.rowcount == 1

    async def mark_reminder(
        self, poll_id: int, hours: int, announce: Sequence[OutgoingMessage] = ()
    ) -> bool:
        """Record the `hours`-before reminder and queue its messages together; False if it
        was already recorded (then nothing is queued)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT reminders_sent FROM polls WHERE id = ?", (poll_id,)
            ) as cursor:
                row = await cursor.fetchone()
            sent = json.loads(row[0]) if row else []
            if row is None or hours in sent:
                return False
            await conn.execute(
                "UPDATE polls SET reminders_sent = ? WHERE id = ?",
                (json.dumps(sorted([*sent, hours])), poll_id),
            )
            for message in announce:
                await enqueue(conn, message, self._clock.now())
            return True
