"""getMe and the bot's profile settings: commands, descriptions, menu button."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import Json
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SCOPE_TYPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}


def scope_key(scope: Any) -> str:
    """A canonical string for a BotCommandScope (None means the default scope)."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    parts = [str(scope["type"])]
    for name in ("chat_id", "user_id"):
        if name in scope:
            parts.append(f"{name}={scope[name]}")
    return ";".join(parts)


@api_method("getMe")
async def get_me(state: EmulatorState, params: Params) -> Json:
    """The bot's own User object, with the capability flags only getMe returns."""
    return {
        **state.bot_user.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("setMyCommands")
async def set_my_commands(state: EmulatorState, params: Params) -> bool:
    """Store the command list for a scope and language."""
    commands = params.json_value("commands")
    if not isinstance(commands, list):
        raise bad_request("commands must be an array")
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("command description is empty or too long")
    key = (scope_key(params.json_value("scope")), params.optional_text("language_code") or "")
    state.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@api_method("getMyCommands")
async def get_my_commands(state: EmulatorState, params: Params) -> list[Json]:
    """The commands stored for exactly this scope and language ([] when none)."""
    key = (scope_key(params.json_value("scope")), params.optional_text("language_code") or "")
    return list(state.commands.get(key, []))


@api_method("deleteMyCommands")
async def delete_my_commands(state: EmulatorState, params: Params) -> bool:
    """Forget the commands of a scope and language."""
    key = (scope_key(params.json_value("scope")), params.optional_text("language_code") or "")
    state.commands.pop(key, None)
    return True


async def _set_text_setting(state: EmulatorState, params: Params, name: str, limit: int) -> bool:
    value = params.optional_text(name) or ""
    if len(value) > limit:
        raise bad_request(f"{name} is too long")
    key = (name, params.optional_text("language_code") or "")
    if value:
        state.descriptions[key] = value
    else:
        state.descriptions.pop(key, None)
    return True


@api_method("setMyDescription")
async def set_my_description(state: EmulatorState, params: Params) -> bool:
    """Store the description shown in an empty private chat."""
    return await _set_text_setting(state, params, "description", 512)


@api_method("setMyShortDescription")
async def set_my_short_description(state: EmulatorState, params: Params) -> bool:
    """Store the short description shown on the bot's profile."""
    return await _set_text_setting(state, params, "short_description", 120)


@api_method("setMyName")
async def set_my_name(state: EmulatorState, params: Params) -> bool:
    """Store the bot's name for a language."""
    return await _set_text_setting(state, params, "name", 64)


@api_method("getMyDescription")
async def get_my_description(state: EmulatorState, params: Params) -> Json:
    """The stored description for a language."""
    key = ("description", params.optional_text("language_code") or "")
    return {"description": state.descriptions.get(key, "")}


@api_method("getMyShortDescription")
async def get_my_short_description(state: EmulatorState, params: Params) -> Json:
    """The stored short description for a language."""
    key = ("short_description", params.optional_text("language_code") or "")
    return {"short_description": state.descriptions.get(key, "")}


@api_method("setChatMenuButton")
async def set_chat_menu_button(state: EmulatorState, params: Params) -> bool:
    """Accepted and ignored: menu buttons have no effect in the emulator."""
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(state: EmulatorState, params: Params) -> Json:
    """Always the default commands menu."""
    return {"type": "commands"}
