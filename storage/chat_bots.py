"""Other bots seen in groups: Telegram counts them as members; turnout must not."""

from __future__ import annotations

from storage.database import Database


class ChatBotRepository:
    """Reads and writes `chat_bots`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def note(self, chat_id: int, bot_id: int, *, present: bool) -> None:
        if present:
            await self._db.execute(
                "INSERT INTO chat_bots (chat_id, bot_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (chat_id, bot_id),
            )
        else:
            await self._db.execute(
                "DELETE FROM chat_bots WHERE chat_id = ? AND bot_id = ?", (chat_id, bot_id)
            )

    async def count(self, chat_id: int) -> int:
        value = await self._db.fetch_value(
            "SELECT count(*) FROM chat_bots WHERE chat_id = ?", (chat_id,)
        )
        return int(value or 0)
