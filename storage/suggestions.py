"""Questions the bot asked about a group message ("track this?", "same as #41?")."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock, to_timestamp
from storage.database import Database


class SuggestionKind(StrEnum):
    BORDERLINE = "borderline"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Suggestion:
    """A pending question about one message, answered with its buttons."""

    id: int
    kind: SuggestionKind
    chat_id: int
    message_id: int
    author_id: int
    building_id: int
    text: str
    photo: tuple[str, str] | None
    candidate_request_id: int | None
    prompt_message_id: int | None
    resolved: bool


def _suggestion(row: sqlite3.Row) -> Suggestion:
    photo = (
        (str(row["photo_file_id"]), str(row["photo_unique_id"])) if row["photo_file_id"] else None
    )
    return Suggestion(
        id=int(row["id"]),
        kind=SuggestionKind(row["kind"]),
        chat_id=int(row["chat_id"]),
        message_id=int(row["message_id"]),
        author_id=int(row["author_id"]),
        building_id=int(row["building_id"]),
        text=str(row["text"]),
        photo=photo,
        candidate_request_id=row["candidate_request_id"],
        prompt_message_id=row["prompt_message_id"],
        resolved=row["resolved_at"] is not None,
    )


class SuggestionRepository:
    """Reads and writes `suggestions`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self,
        kind: SuggestionKind,
        *,
        chat_id: int,
        message_id: int,
        author_id: int,
        building_id: int,
        text: str,
        photo: tuple[str, str] | None,
        candidate_request_id: int | None = None,
    ) -> tuple[Suggestion, bool]:
        """Record a question; a replayed message returns the existing one (created=False)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO suggestions (kind, chat_id, message_id, author_id, building_id, "
                "text, photo_file_id, photo_unique_id, candidate_request_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id, message_id) DO NOTHING",
                (
                    kind.value,
                    chat_id,
                    message_id,
                    author_id,
                    building_id,
                    text,
                    photo[0] if photo else None,
                    photo[1] if photo else None,
                    candidate_request_id,
                    to_timestamp(self._clock.now()),
                ),
            )
            created = cursor.rowcount == 1
        row = await self._db.fetch_one(
            "SELECT * FROM suggestions WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        assert row is not None
        return _suggestion(row), created

    async def get(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetch_one("SELECT * FROM suggestions WHERE id = ?", (suggestion_id,))
        return None if row is None else _suggestion(row)

    async def for_message(self, chat_id: int, message_id: int) -> Suggestion | None:
        row = await self._db.fetch_one(
            "SELECT * FROM suggestions WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        return None if row is None else _suggestion(row)

    async def set_prompt(self, suggestion_id: int, prompt_message_id: int) -> None:
        await self._db.execute(
            "UPDATE suggestions SET prompt_message_id = ? WHERE id = ?",
            (prompt_message_id, suggestion_id),
        )

    async def resolve(self, suggestion_id: int) -> bool:
        """Mark answered; False if someone answered first."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE suggestions SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL",
                (to_timestamp(self._clock.now()), suggestion_id),
            )
            return cursor.rowcount == 1
