"""Run the real Courtyard Application (with its own update loop) against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings, parse_settings
from bot.context import CourtyardApplication
from bot.runner import CourtyardRunner
from bot.sandbox import BotApiEmulator
from bot.services import Services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge config tables (extra wins)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def config_for(emulator: BotApiEmulator, database: Path, **extra: Any) -> dict[str, Any]:
    """A config pointing at the emulator, fast polling, generous rate limits."""
    base: dict[str, Any] = {
        "telegram": {
            "token": emulator.token,
            "base_url": emulator.base_url,
            "base_file_url": emulator.base_file_url,
            "poll_timeout": 1,
            "rate_limit": {
                "overall_per_second": 1000,
                "group_per_minute": 10000,
                "private_per_second": 1000,
            },
        },
        "storage": {"database": str(database)},
        # Tests of other features let the group's admins create buildings with /setup;
        # tests of the approval flow (the default) turn this off.
        "community": {
            "timezone": "Asia/Shanghai",
            "language": "zh",
            "open_building_creation": True,
        },
    }
    return merge(base, extra)


def settings_for(emulator: BotApiEmulator, database: Path, **extra: Any) -> Settings:
    return parse_settings(config_for(emulator, database, **extra), environ={})


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, description: str = ""
) -> None:
    """Wait until an async check (e.g. of the database) holds, failing after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {description or check}")
        await asyncio.sleep(0.02)


@dataclass
class RunningBot:
    """A bot running in this event loop; stop it with `await bot.shutdown()`."""

    emulator: BotApiEmulator
    services: Services
    application: CourtyardApplication
    runner: CourtyardRunner
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every update the emulator queued has been fetched and handled, and
        every new request's routing (which goes on after its update) is done."""
        if self.services.settings.telegram.mode == "polling":
            await self.emulator.wait_for_updates_consumed(timeout=timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # `pending` counts the routing still going on after its update (`bot.intake_tails`).
        while self.runner.dispatcher.pending or await self.services.inbox.unhandled():
            if loop.time() > deadline:
                raise AssertionError("updates were not handled in time")
            await asyncio.sleep(0.02)

    async def outbox_sent(self, timeout: float = 10.0) -> None:
        """Wait until the outbox holds nothing unsent (whichever sender sends it)."""

        async def empty() -> bool:
            return await self.services.outbox.pending_count() == 0

        await eventually(empty, timeout=timeout, description="the outbox to be sent")

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=20)


async def start_bot(
    emulator: BotApiEmulator,
    settings: Settings,
    clock: Clock | None = None,
    *,
    freeze_startup_objects: bool = False,
) -> RunningBot:
    services = Services.create(settings, clock)
    application = build_application(services)
    runner = CourtyardRunner(application, services, freeze_startup_objects=freeze_startup_objects)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    ready = asyncio.create_task(runner.ready.wait())
    done, _ = await asyncio.wait({task, ready}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if task.done():
            task.result()  # re-raise the startup failure
        raise AssertionError("bot did not become ready")
    return RunningBot(emulator, services, application, runner, stop, task)


@contextlib.asynccontextmanager
async def running_bot(
    emulator: BotApiEmulator, settings: Settings, clock: Clock | None = None
) -> AsyncIterator[RunningBot]:
    bot = await start_bot(emulator, settings, clock)
    try:
        yield bot
    finally:
        if not bot.task.done():
            await bot.shutdown()
