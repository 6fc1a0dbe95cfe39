"""Typed python-telegram-bot context: `context.services` instead of string keys."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, BaseHandler, CallbackContext, ContextTypes, ExtBot

from bot.services import Services


class BotData:
    """The application's `bot_data`: exactly one attribute, the services."""

    __slots__ = ("_services",)

    def __init__(self) -> None:
        self._services: Services | None = None

    def attach(self, services: Services) -> None:
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are attached when the application is built")
        return self._services


class CourtyardContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with typed access to Courtyard's services."""

    @property
    def services(self) -> Services:
        return self.bot_data.services


CONTEXT_TYPES = ContextTypes(context=CourtyardContext, bot_data=BotData)

CourtyardApplication = Application[
    ExtBot[int], CourtyardContext, dict[Any, Any], dict[Any, Any], BotData, Any
]

# What each handlers module's `handlers()` returns.
CourtyardHandler = BaseHandler[Any, CourtyardContext, Any]
