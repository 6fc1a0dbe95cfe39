"""Small named values the bot keeps between runs (e.g. when a report last went out)."""

from __future__ import annotations

from storage.database import Database


class StateRepository:
    """Reads and writes `bot_state`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> str | None:
        value = await self._db.fetch_value("SELECT value FROM bot_state WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
