"""CPU-heavy work (a big export, a week of charts) in a child process.

A worker thread would hold the GIL against every command for as long as the work runs, so
commands would wait behind it; a child process leaves the bot's process free. The child is
`python -m bot.child_process`: a fresh interpreter (never a fork of the bot, which has
threads) that imports only what the work needs, runs the calls it is sent one after another
and exits when its input closes, so nothing the work loaded stays in memory.

Calls go over the child's stdin and stdout as length-prefixed pickles of a module-level
function (by name) and its arguments; the answer is the result or the error's traceback.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pickle
import struct
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, TypeVar

T = TypeVar("T")
_LENGTH = struct.Struct(">Q")


class ChildProcessFailed(RuntimeError):
    """The call raised in the child (the message holds its traceback), or the child died."""


def _frame(payload: object) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


class ChildWorker:
    """One child process running calls in the order they are made (`async with`)."""

    def __init__(self, *, niceness: int = 0) -> None:
        """`niceness` > 0 for background work: the OS then lets the bot's process (and its
        commands) run first whenever both want the CPU."""
        self._niceness = niceness
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> ChildWorker:
        # The child finds the same modules as this process (the bench adds its root).
        paths = [path for path in sys.path if path]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.child_process",
            str(self._niceness),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=environment,
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            if error is not None:
                process.kill()  # abandoned (cancelled, failed): stop its work now
            elif process.stdin is not None:
                process.stdin.close()  # the child exits when its input ends
        await process.wait()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def call(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in the child; `function` must be importable by its name."""
        process = self._process
        assert process is not None
        assert process.stdin is not None
        assert process.stdout is not None
        request = _frame((function.__module__, function.__qualname__, args))
        async with self._lock:
            try:
                process.stdin.write(request)
                await process.stdin.drain()
                header = await process.stdout.readexactly(_LENGTH.size)
                (length,) = _LENGTH.unpack(header)
                ok, value = pickle.loads(await process.stdout.readexactly(length))
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                raise ChildProcessFailed("the child process ended without an answer") from exc
        if not ok:
            raise ChildProcessFailed(str(value))
        result: T = value
        return result


async def in_child(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a fresh child process that exits afterwards."""
    async with ChildWorker() as worker:
        return await worker.call(function, *args)


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    while header := requests.read(_LENGTH.size):
        (length,) = _LENGTH.unpack(header)
        module, name, args = pickle.loads(requests.read(length))
        try:
            function: Any = importlib.import_module(module)
            for part in name.split("."):
                function = getattr(function, part)
            answer: tuple[bool, object] = (True, function(*args))
        except Exception:
            answer = (False, traceback.format_exc())
        answers.write(_frame(answer))
        answers.flush()


if __name__ == "__main__":
    # The answers keep the real stdout; anything the work prints goes to stderr instead.
    os.nice(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, answers)
