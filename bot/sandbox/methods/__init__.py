"""Bot API method implementations; importing this package registers all of them."""

from bot.sandbox.methods import (
    bot_info,
    chats,
    editing,
    interaction,
    sending,
    updates,
)
from bot.sandbox.methods.registry import canonical_name, find_method, method_names

__all__ = [
    "bot_info",
    "canonical_name",
    "chats",
    "editing",
    "find_method",
    "interaction",
    "method_names",
    "sending",
    "updates",
]
