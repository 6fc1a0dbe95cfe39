"""Chats: groups the bot is in and private chats with people."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.clock import Clock, to_timestamp
from storage.database import Database, ReadCache

# How many entries the write-avoiding cache keeps (a few hundred bytes each).
CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Chat:
    """A Telegram chat as Courtyard knows it."""

    id: int
    type: str
    title: str | None
    language: str | None
    active: bool

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


def _chat(row: sqlite3.Row) -> Chat:
    return Chat(
        id=int(row["id"]),
        type=str(row["type"]),
        title=row["title"],
        language=row["language"],
        active=bool(row["active"]),
    )


class ChatRepository:
    """Reads and writes `chats`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # What was last written for each chat: an unchanged chat costs no write.
        self._written: dict[int, tuple[str, str | None]] = {}
        # Every answer in a group asks for its languages: kept until a write to the chat's
        # row or to `buildings` (`Database.generation`).
        self._languages: ReadCache[int, tuple[str | None, str | None]] = ReadCache(CACHE_LIMIT)

    def forget_cached(self, chat_id: int) -> None:
        """The chat's row was deleted (/forgetme of a private chat): write it again."""
        self._written.pop(chat_id, None)

    async def remember(self, chat_id: int, *, type: str, title: str | None) -> None:
        """Insert or refresh a chat (only my_chat_member updates change whether it is active).

        No write when type and title are what this process last wrote: the row exists then
        (chats are deleted only by /forgetme, which calls `forget_cached`)."""
        if self._written.get(chat_id) == (type, title):
            return
        now = to_timestamp(self._clock.now())
        await self._db.execute(
            """
            INSERT INTO chats (id, type, title, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                type = excluded.type, title = excluded.title, updated_at = excluded.updated_at
            WHERE chats.type IS NOT excluded.type OR chats.title IS NOT excluded.title
            """,
            (chat_id, type, title, now, now),
        )
        if len(self._written) >= CACHE_LIMIT:
            self._written.clear()  # a district's chats fit; anything beyond starts over
        self._written[chat_id] = (type, title)

    async def ensure_exists(self, chat_id: int) -> None:
        """A row for a chat known only by id (from the config file)."""
        now = to_timestamp(self._clock.now())
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        await self._db.execute(
            "INSERT INTO chats (id, type, created_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (chat_id, kind, now, now),
        )

    async def get(self, chat_id: int) -> Chat | None:
        row = await self._db.fetch_one("SELECT * FROM chats WHERE id = ?", (chat_id,))
        return None if row is None else _chat(row)

    async def languages(self, chat_id: int) -> tuple[str | None, str | None]:
        """The language chosen for a group and the one of its building (while the group is
        active there), in one round trip: every answer in a group needs them."""
        stamp = (self._db.row_generation("chats", chat_id), self._db.generation("buildings"))
        found, cached = self._languages.get(chat_id, stamp)
        if found and cached is not None:
            return cached
        row = await self._db.fetch_one(
            "SELECT c.language, CASE WHEN c.active = 1 THEN b.language END "
            "FROM chats c LEFT JOIN buildings b ON b.id = c.building_id WHERE c.id = ?",
            (chat_id,),
        )
        languages: tuple[str | None, str | None] = (
            (None, None) if row is None else (row[0], row[1])
        )
        self._languages.put(chat_id, stamp, languages)
        return languages

    async def set_language(self, chat_id: int, language: str | None) -> None:
        await self._db.execute(
            "UPDATE chats SET language = ?, updated_at = ? WHERE id = ?",
            (language, to_timestamp(self._clock.now()), chat_id),
        )

    async def set_active(self, chat_id: int, active: bool) -> None:
        await self._db.execute(
            "UPDATE chats SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), to_timestamp(self._clock.now()), chat_id),
        )
