"""The bot object the application uses: python-telegram-bot's ExtBot, plus Telegram's size
limits applied to every request on its way out (see `bot.text_limits`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

from bot.text_limits import fit_request


class LimitedBot(ExtBot[int]):
    """ExtBot whose requests never exceed Telegram's text, caption and answer limits.

    `_do_post` is where every Bot API method ends up (python-telegram-bot's own ExtBot
    applies its rate limiter there too), so nothing reaches Telegram unchecked.
    """

    async def _do_post(
        self, endpoint: str, data: dict[str, Any], **timeouts: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        fit_request(endpoint, data)
        return await super()._do_post(endpoint, data, **timeouts)

    async def fetch_updates(
        self, *, offset: int | None, wait_seconds: int, allowed_updates: Sequence[str]
    ) -> list[tuple[Update, dict[str, Any]]]:
        """getUpdates, each Update with the JSON it came as.

        The runner stores every update as received; keeping Telegram's own JSON spares
        turning each Update back into JSON (`to_json` cost more than the rest of a line of
        chit-chat's handling put together)."""
        request = self._request[0]
        raw = await self._post(
            "getUpdates",
            {
                "timeout": wait_seconds,
                "offset": offset,
                "limit": None,
                "allowed_updates": list(allowed_updates),
            },
            # As python-telegram-bot's get_updates: the long poll's wait on top of the timeout.
            read_timeout=(request.read_timeout or 0) + wait_seconds,
        )
        return [(Update.de_json(data, self), data) for data in raw]
