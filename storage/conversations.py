"""Multi-step private conversations ("send your flat number"), kept across restarts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock, to_timestamp
from storage.database import Database
from storage.roles import ensure_person

CONVERSATION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Conversation:
    """What the bot expects next from a person in their private chat."""

    kind: str
    payload: dict[str, Any]


class ConversationRepository:
    """Reads and writes `conversations` (one open conversation per person)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def begin(self, person_id: int, kind: str, payload: dict[str, Any]) -> None:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await ensure_person(conn, person_id, to_timestamp(now))
            await conn.execute(
                "INSERT INTO conversations (person_id, kind, payload, expires_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
                "kind = excluded.kind, payload = excluded.payload, "
                "expires_at = excluded.expires_at",
                (
                    person_id,
                    kind,
                    json.dumps(payload, ensure_ascii=False),
                    to_timestamp(now + CONVERSATION_LIFETIME),
                ),
            )

    async def current(self, person_id: int) -> Conversation | None:
        row = await self._db.fetch_one(
            "SELECT kind, payload FROM conversations WHERE person_id = ? AND expires_at > ?",
            (person_id, to_timestamp(self._clock.now())),
        )
        if row is None:
            return None
        return Conversation(str(row["kind"]), json.loads(row["payload"]))

    async def end(self, person_id: int) -> None:
        await self._db.execute("DELETE FROM conversations WHERE person_id = ?", (person_id,))
