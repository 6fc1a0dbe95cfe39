"""The processes of a throughput run and how they are driven: the Bot API emulator, Courtyard
or the echo bot in its own process (`BotProcess`), and the stage that feeds them a stream and
times their answers (`Stage`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_stream import PRESS_PREFIXES, StreamEvent  # noqa: E402
from bench.throughput_report import (  # noqa: E402
    ECHO_UVLOOP,
    Plan,
)
from bot.sandbox import BotApiEmulator  # noqa: E402
from bot.sandbox.models import SentMessage, SimChat, SimUser  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPLY_METHODS = frozenset({"sendMessage", "sendPhoto"})
POLL_TIMEOUT = 10
PYCACHE = Path(tempfile.gettempdir()) / "courtyard-bench" / "pycache"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _courtyard_config(
    emulator: BotApiEmulator,
    database: Path,
    buildings: list[tuple[SimChat, SimUser, SimUser]],
) -> str:
    lines = [
        "[telegram]",
        f'token = "{emulator.token}"',
        f'base_url = "{emulator.base_url}"',
        f'base_file_url = "{emulator.base_file_url}"',
        f"poll_timeout = {POLL_TIMEOUT}",
        "[telegram.rate_limit]",
        "overall_per_second = 100000",
        "group_per_minute = 1000000",
        "private_per_second = 100000",
        "[storage]",
        f'database = "{database}"',
        "[community]",
        'timezone = "Asia/Shanghai"',
        'language = "zh"',
        'quiet_hours = "03:00-03:01"',
        "[learning]",
        "adapt = false",
    ]
    for number, (group, head, staff) in enumerate(buildings, start=1):
        lines += [
            "[[buildings]]",
            f'name = "{number}号楼"',
            f"chats = [{group.id}]",
            f"heads = [{head.id}]",
            "residents_may_poll = true",
            "[[buildings.staff]]",
            f"user = {staff.id}",
            'categories = ["*"]',
            "level = 1",
        ]
    return "\n".join(lines) + "\n"


class BotProcess:
    """A bot (Courtyard or echo) in a process of its own."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log: Path,
        root: Path = ROOT,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self._root = root
        self._extra_env = extra_env or {}
        self._argv = argv
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(self._root), PYTHONPYCACHEPREFIX=str(PYCACHE))
        env.update(self._extra_env)
        # An installed bot starts from compiled bytecode; a checkout run with
        # PYTHONDONTWRITEBYTECODE would compile every module at every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.started_at = time.time()
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                self._argv, cwd=self._root, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while self.process.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# -- one bot, one stream ---------------------------------------------------------------------


class Stage:
    """The emulator, the community in it, and one bot process."""

    def __init__(self, plan: Plan, workdir: Path, bot: str) -> None:
        self.plan = plan
        self.workdir = workdir
        self.bot = bot
        self.emulator = BotApiEmulator()
        self.buildings: list[tuple[SimChat, SimUser, SimUser]] = []
        self.residents: list[list[SimUser]] = []
        self.database = workdir / f"{bot}.db"
        self.process: BotProcess | None = None
        self._calls_seen = 0
        # (chat id, message id) of stream messages and query ids of presses → event index
        self._message_events: dict[tuple[int, int], int] = {}
        self._query_events: dict[str, int] = {}
        self.pushed_at: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}

    async def __aenter__(self) -> Stage:
        await self.emulator.start()
        self._populate()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None:
            await self.process.stop()
        await self.emulator.stop()

    def _populate(self) -> None:
        e = self.emulator
        for number in range(self.plan.buildings):
            head = e.create_user(f"Head{number}", username=f"head{number}")
            staff = e.create_user(f"Staff{number}", username=f"staff{number}")
            residents = [
                e.create_user(f"R{number}x{i}", language_code="en" if i % 3 == 0 else "zh")
                for i in range(self.plan.residents)
            ]
            group = e.create_group(f"{number + 1}号楼", creator=head, members=[staff, *residents])
            self.buildings.append((group, head, staff))
            self.residents.append(residents)

    def launch(self) -> None:
        log = self.workdir / f"{self.bot}.log"
        if self.bot == "courtyard":
            config = self.workdir / "courtyard.toml"
            config.write_text(
                _courtyard_config(self.emulator, self.database, self.buildings), encoding="utf-8"
            )
            profile = [] if self.plan.profile is None else ["-m", "cProfile", "-o"]
            if self.plan.profile is not None:
                profile.append(str(self.plan.profile.with_suffix(f".{self.workdir.name}.prof")))
            argv = [sys.executable, *profile, "-m", "bot", "run", "--config", str(config)]
        else:
            e = self.emulator
            argv = [
                sys.executable,
                str(ROOT / "bench" / "echo_bot.py"),
                e.token,
                e.base_url,
                e.base_file_url,
                str(POLL_TIMEOUT),
            ]
            if self.bot == ECHO_UVLOOP:
                argv.append("uvloop")
        root = self.plan.courtyard_root if self.bot == "courtyard" else ROOT
        extra_env = {}
        if self.bot == "courtyard" and self.plan.courtyard_loop:
            extra_env["COURTYARD_EVENT_LOOP"] = self.plan.courtyard_loop
        self.process = BotProcess(self.bot, argv, log, root, extra_env)
        self.process.start()

    async def wait_polling(self, limit: float = 120) -> float:
        """Seconds from the process's start to its first getUpdates."""
        assert self.process is not None
        deadline = time.monotonic() + limit
        while True:
            for call in self.emulator.state.calls:
                if call.method == "getUpdates":
                    return call.time - self.process.started_at
            if not self.process.alive():
                raise RuntimeError(f"{self.bot} exited; see {self.workdir}/{self.bot}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.bot} did not start polling in {limit} s")
            await asyncio.sleep(0.01)

    # -- sending -------------------------------------------------------------------------------

    def _latest_button(
        self, group: SimChat, prefixes: tuple[str, ...]
    ) -> tuple[SentMessage, str] | None:
        fallback: tuple[SentMessage, str] | None = None
        for message in reversed(list(group.history.values())[-200:]):
            if not message.from_bot or message.deleted or not message.callback_data:
                continue
            for data in message.callback_data:
                if data.startswith(prefixes):
                    return message, data
            if fallback is None:
                fallback = (message, message.callback_data[0])
        return fallback

    def push(self, index: int, event: StreamEvent) -> None:
        group, _head, staff = self.buildings[event.building]
        resident = self.residents[event.building][event.resident]
        e = self.emulator
        now = time.time()
        if event.kind in PRESS_PREFIXES:
            presser = staff if event.kind == "staff" else resident
            target = self._latest_button(group, PRESS_PREFIXES[event.kind])
            if target is not None:
                message, data = target
                query = e.press_button(presser, message, callback_data=data, stale=True)
                self._query_events[query] = index
                self.pushed_at[index] = now
                return
            event = StreamEvent("chat", event.building, event.resident, "👍")
        if event.kind == "photo":
            sent = e.send_message(resident, group, photo=True, caption=event.text)
        else:
            sent = e.send_message(resident, group, event.text)
        self._message_events[(group.id, int(sent["message_id"]))] = index
        self.pushed_at[index] = now

    def collect(self) -> None:
        """Match the bot's new calls to the stream events they answer."""
        calls = self.emulator.state.calls
        for call in calls[self._calls_seen :]:
            if not call.ok:
                continue
            index: int | None = None
            if call.method in REPLY_METHODS and isinstance(call.result, dict):
                replied = call.result.get("reply_to_message")
                if replied is not None:
                    key = (int(call.result["chat"]["id"]), int(replied["message_id"]))
                    index = self._message_events.get(key)
            elif call.method == "answerCallbackQuery":
                index = self._query_events.get(str(call.params.get("callback_query_id")))
            if index is not None and index not in self.answered_at:
                self.answered_at[index] = call.time
        self._calls_seen = len(calls)

    # -- waiting -------------------------------------------------------------------------------

    def _courtyard_unhandled(self) -> int:
        """Updates not yet handled, and requests whose routing to staff (which goes on after
        their update) is not done: the work is over when both are none."""
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as db:
            db.execute("PRAGMA busy_timeout = 2000")
            row = db.execute(
                "SELECT (SELECT count(*) FROM inbox WHERE handled_at IS NULL) + "
                "(SELECT count(*) FROM requests WHERE routed_at IS NULL)"
            ).fetchone()
            return int(row[0])

    def _courtyard_handled(self) -> int:
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as db:
            db.execute("PRAGMA busy_timeout = 2000")
            row = db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NOT NULL").fetchone()
            return int(row[0])

    async def settled(self, expected: set[int], limit: float) -> float:
        """Wait until the bot is done with everything pushed; returns when (time.time())."""
        assert self.process is not None
        deadline = time.monotonic() + limit
        while True:
            self.collect()
            if self.emulator.pending_update_count == 0:
                if self.bot == "courtyard":
                    if self._courtyard_unhandled() == 0:
                        return time.time()
                elif expected <= self.answered_at.keys():
                    return time.time()
            if not self.process.alive():
                raise RuntimeError(f"{self.bot} exited; see {self.workdir}/{self.bot}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.bot} did not finish in {limit} s")
            await asyncio.sleep(0.02)

    async def quiet(self, calm: float = 1.0, limit: float = 120) -> None:
        """Wait until the bot took every update and made no call for `calm` seconds."""
        deadline = time.monotonic() + limit
        last_count, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.emulator.state.calls)
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif (
                self.emulator.pending_update_count == 0 and time.monotonic() - last_change >= calm
            ):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.bot} did not settle in {limit} s")


async def warm_up(stage: Stage) -> None:
    """One request and one poll per building, so cards and ballots exist to be pressed."""
    for number, (group, head, staff) in enumerate(stage.buildings):
        stage.emulator.user_starts_bot(staff)
        resident = stage.residents[number][0]
        stage.emulator.send_message(resident, group, "3单元502家里水管漏水了，楼下天花板都湿了")
        stage.emulator.send_message(head, group, "/poll 周六大扫除去不去？ | 去 | 不去")
    await stage.quiet()
