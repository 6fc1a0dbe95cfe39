"""The bot process's event loop: uvloop where it is installed, asyncio's own otherwise.

uvloop (libuv) turns the loop's work per update (sockets to Telegram, wake-ups from the
database thread, timers) into C. It is a dependency on Linux; elsewhere, or when
`COURTYARD_EVENT_LOOP=asyncio` asks for it (to compare, or to rule the loop out), the
standard loop runs the same code. Tests run on the standard loop (pytest-asyncio's).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
CHOICE_VARIABLE = "COURTYARD_EVENT_LOOP"


def fast_loop_wanted() -> bool:
    return os.environ.get(CHOICE_VARIABLE, "").strip().lower() != "asyncio"


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, on uvloop when it is installed and not declined."""
    if fast_loop_wanted():
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.run(main)
    return asyncio.run(main)


def loop_name() -> str:
    """`uvloop` or `asyncio`: the loop running now (for the start-up log line)."""
    loop = asyncio.get_running_loop()
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
