"""A local Telegram Bot API emulator for tests and offline demos.

:class:`BotApiEmulator` serves the Bot API over HTTP the way python-telegram-bot uses it and
lets a test act as Telegram's users: see :mod:`bot.sandbox.driver`.
"""

from bot.sandbox.driver import DEFAULT_TOKEN, BotApiEmulator
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import FaultKind, FaultRule
from bot.sandbox.models import (
    ApiCall,
    CallbackAnswer,
    DeliveredUpdate,
    MessageEdit,
    SentMessage,
    SimChat,
    SimPoll,
    SimUser,
    StoredFile,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "DeliveredUpdate",
    "FaultKind",
    "FaultRule",
    "MessageEdit",
    "SentMessage",
    "SimChat",
    "SimPoll",
    "SimUser",
    "StoredFile",
]
