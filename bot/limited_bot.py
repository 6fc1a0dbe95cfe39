"""The bot object the application uses: python-telegram-bot's ExtBot, plus Telegram's size
limits applied to every request on its way out (see `bot.text_limits`)."""

from __future__ import annotations

from typing import Any

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
