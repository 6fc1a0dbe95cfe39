"""Start, kill and restart the sandbox's bot process, and tell the page how it is doing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import bot

BotStatus = Literal["stopped", "starting", "running", "killed", "exited"]
_PROJECT_ROOT = Path(bot.__file__).resolve().parent.parent


class BotSupervisor:
    """One bot process at a time: ``python -m bot.sandbox.bot_process CONFIG DRIVER_URL``."""

    def __init__(
        self,
        config: Path,
        driver_url: str,
        log_path: Path,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        self.driver_url = driver_url
        self.log_path = log_path
        self.status: BotStatus = "stopped"
        self.exit_code: int | None = None
        self.starts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._on_change = on_change
        self._ready = asyncio.Event()

    @property
    def pid(self) -> int | None:
        """The running process's id, if any."""
        return self._process.pid if self._process and self.status in _ALIVE else None

    async def start(self) -> None:
        """Start the bot unless it is already running or starting."""
        if self.status in _ALIVE:
            return
        self._ready.clear()
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.sandbox.bot_process",
                str(self.config),
                self.driver_url,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=_child_environment(),
                # Its own session: a Ctrl+C in the terminal reaches the sandbox, which then
                # stops the bot in order.
                start_new_session=True,
            )
        self.starts += 1
        self.exit_code = None
        self._set("starting")
        self._watcher = asyncio.create_task(self._watch(self._process))

    def mark_ready(self, pid: int) -> None:
        """The bot process reports that it polls for updates."""
        if self._process is not None and pid == self._process.pid and self.status == "starting":
            self._ready.set()
            self._set("running")

    async def wait_ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Wait until the bot polls; raises RuntimeError (with its log) if it exits first."""
        ready = asyncio.ensure_future(self._ready.wait())
        watcher = self._watcher
        waiters: set[asyncio.Future[Any]] = {ready}
        if watcher is not None:
            waiters.add(watcher)
        done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if ready in done and self._ready.is_set():
            return
        tail = "\n".join(self.log_tail(20))
        raise RuntimeError(f"the bot did not start (status {self.status}); its log:\n{tail}")

    async def kill(self) -> None:
        """SIGKILL, like a crash or a power cut: nothing is cleaned up."""
        await self._end(signal.SIGKILL, "killed")

    async def stop(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """SIGTERM: the bot finishes the updates in hand and stops (SIGKILL after timeout)."""
        await self._end(signal.SIGTERM, "stopped", timeout)

    async def restart(self) -> None:
        """Stop gracefully if running, then start."""
        await self.stop()
        await self.start()

    async def _end(
        self,
        signum: int,
        status: BotStatus,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        process, watcher = self._process, self._watcher
        if process is None or watcher is None or self.status not in _ALIVE:
            return
        self._ready.clear()
        self._set(status)
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)
        try:
            await asyncio.wait_for(asyncio.shield(watcher), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await watcher
        self.status = status
        self._on_change()

    async def _watch(self, process: asyncio.subprocess.Process) -> None:
        code = await process.wait()
        if process is self._process:
            self.exit_code = code
            self._ready.clear()
            if self.status in _ALIVE:
                self._set("exited")
            else:
                self._on_change()

    def _set(self, status: BotStatus) -> None:
        self.status = status
        self._on_change()

    def log_tail(self, lines: int = 40) -> list[str]:
        """The last lines the bot process logged."""
        try:
            with self.log_path.open(encoding="utf-8", errors="replace") as log:
                return [line.rstrip("\n") for line in deque(log, maxlen=lines)]
        except FileNotFoundError:
            return []


_ALIVE: frozenset[BotStatus] = frozenset({"starting", "running"})


def _child_environment() -> dict[str, str]:
    """The environment minus Courtyard settings meant for a real bot (a real token must never
    reach the sandbox), with this source tree importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURTYARD_")}
    paths = [str(_PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
