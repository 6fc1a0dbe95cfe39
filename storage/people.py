"""People: the Telegram users Courtyard has seen."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.clock import Clock, to_timestamp
from storage.database import Database, ReadCache

# How many entries the write-avoiding cache keeps (a few hundred bytes each).
CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Person:
    """A Telegram user as Courtyard knows them."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    language: str | None
    started_bot: bool
    blocked_bot: bool

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or (f"@{self.username}" if self.username else str(self.id))


def _person(row: sqlite3.Row) -> Person:
    return Person(
        id=int(row["id"]),
        first_name=str(row["first_name"]),
        last_name=row["last_name"],
        username=row["username"],
        language_code=row["language_code"],
        language=row["language"],
        started_bot=row["started_bot_at"] is not None,
        blocked_bot=row["blocked_bot_at"] is not None,
    )


person_from_row = _person  # for reads that take people along with something else


class PeopleRepository:
    """Reads and writes `people`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # The profile last written for each person: most messages come from people whose
        # profile did not change, and they cost no write at all.
        self._profiles: dict[int, tuple[str, str | None, str | None, str | None]] = {}
        # People as read, until their row changes (`Database.row_generation`): cards and
        # replies name the same few people (a building's staff) over and over.
        self._read: ReadCache[int, Person | None] = ReadCache(CACHE_LIMIT)

    def forget_cached(self, user_id: int) -> None:
        """The person's row was deleted (/forgetme): the next message writes it again, and
        nothing read of them is kept."""
        self._profiles.pop(user_id, None)
        self._read.discard(user_id)

    async def remember(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        """Insert or refresh a user's public profile (no write when it did not change)."""
        profile = (first_name, last_name, username, language_code)
        if self._profiles.get(user_id) == profile:
            return
        now = to_timestamp(self._clock.now())
        await self._db.execute(
            """
            INSERT INTO people (id, first_name, last_name, username, language_code,
                                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name,
                username = excluded.username, language_code = excluded.language_code,
                updated_at = excluded.updated_at
            WHERE people.forgotten_at IS NULL AND (
                  people.first_name IS NOT excluded.first_name
               OR people.last_name IS NOT excluded.last_name
               OR people.username IS NOT excluded.username
               OR people.language_code IS NOT excluded.language_code)
            """,
            (user_id, first_name, last_name, username, language_code, now, now),
        )
        if len(self._profiles) >= CACHE_LIMIT:
            self._profiles.clear()  # a district's people fit; anything beyond starts over
        self._profiles[user_id] = profile

    async def get(self, user_id: int) -> Person | None:
        stamp = self._db.row_generation("people", user_id)  # before the read
        found, cached = self._read.get(user_id, stamp)
        if found:
            return cached
        row = await self._db.fetch_one("SELECT * FROM people WHERE id = ?", (user_id,))
        person = None if row is None else _person(row)
        self._read.put(user_id, stamp, person)
        return person

    async def find_by_username(self, username: str) -> Person | None:
        row = await self._db.fetch_one(
            "SELECT * FROM people WHERE lower(username) = lower(?) ORDER BY updated_at DESC",
            (username.lstrip("@"),),
        )
        return None if row is None else _person(row)

    async def mark_started(self, user_id: int) -> None:
        """The user opened a private chat with the bot, so we may message them."""
        now = to_timestamp(self._clock.now())
        await self._db.execute(
            "UPDATE people SET started_bot_at = coalesce(started_bot_at, ?), "
            "blocked_bot_at = NULL, updated_at = ? WHERE id = ?",
            (now, now, user_id),
        )

    async def mark_blocked(self, user_id: int) -> None:
        """Telegram refused a private message: stop trying until they start the bot again."""
        now = to_timestamp(self._clock.now())
        await self._db.execute(
            "UPDATE people SET blocked_bot_at = ?, updated_at = ? WHERE id = ?",
            (now, now, user_id),
        )

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._db.execute(
            "UPDATE people SET language = ?, updated_at = ? WHERE id = ?",
            (language, to_timestamp(self._clock.now()), user_id),
        )
