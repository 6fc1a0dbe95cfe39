"""The table of Bot API methods the emulator implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState

MethodHandler = Callable[[EmulatorState, Params], Awaitable[Any]]

_METHODS: dict[str, tuple[str, MethodHandler]] = {}


def api_method(name: str) -> Callable[[MethodHandler], MethodHandler]:
    """Register a coroutine as the implementation of Bot API method ``name``."""

    def register(handler: MethodHandler) -> MethodHandler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def find_method(name: str) -> tuple[str, MethodHandler] | None:
    """The canonical name and implementation of a method; names are case-insensitive."""
    return _METHODS.get(name.lower())


def canonical_name(name: str) -> str:
    """The Bot API spelling of a method name, or ``name`` itself when unknown."""
    found = _METHODS.get(name.lower())
    return found[0] if found else name


def method_names() -> list[str]:
    """Every implemented method, sorted."""
    return sorted(canonical for canonical, _ in _METHODS.values())
