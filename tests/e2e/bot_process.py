"""The real `courtyard run` process as a child: for crash tests, the soak and benchmarks."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def toml_text(data: dict[str, object]) -> str:
    """A tiny TOML writer for our nested config tables (and arrays of tables)."""
    lines: list[str] = []

    def is_tables(value: object) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    def body(prefix: str, values: dict[str, object]) -> None:
        for key, value in values.items():
            if not isinstance(value, dict) and not is_tables(value):
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        for key, value in values.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                lines.append(f"[{name}]")
                body(name, value)
            elif is_tables(value):
                assert isinstance(value, list)
                for item in value:
                    lines.append(f"[[{name}]]")
                    body(name, item)

    body("", data)
    text = "\n".join(lines) + "\n"
    assert tomllib.loads(text) == json.loads(json.dumps(data))  # our own output must parse
    return text


class BotProcess:
    """`python -m bot run` as a child process, logging to a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        handle = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(self.config),
            cwd=ROOT,
            stdout=handle,
            stderr=handle,
            env={**os.environ, "COURTYARD_TOKEN": ""},
        )
        handle.close()

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def wait(self, timeout: float = 30) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
