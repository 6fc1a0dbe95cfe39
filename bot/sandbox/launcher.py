"""`courtyard sandbox`: the emulator, the real bot and the page, all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import webbrowser
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config import Language, load_settings
from bot.sandbox.cast import Cast, create_cast
from bot.sandbox.demo_content import DEMO_CONTENT
from bot.sandbox.driver import BotApiEmulator
from bot.sandbox.driver_api import DriverApi
from bot.sandbox.seed import Story, add_bot, story_start
from bot.sandbox.session import Community, SandboxSession
from bot.sandbox.supervisor import BotSupervisor
from bot.sandbox.timeshift import OffsetClock, system_now
from bot.sandbox.web.pages import Page
from storage.database import Database

HOST = "127.0.0.1"
BOT_USERNAME = "courtyard_sandbox_bot"


@dataclass
class SandboxOptions:
    """What `courtyard sandbox` was asked for."""

    port: int = 8080
    language: Language = "en"
    database: Path | None = None
    open_browser: bool = False
    empty: bool = False


def default_language(environ: dict[str, str] | None = None) -> Language:
    """Chinese when the locale is Chinese, else English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def write_config(
    path: Path, emulator: BotApiEmulator, database: Path, language: Language, cast: Cast
) -> None:
    """A config for the sandbox's bot: the emulator as Telegram, the head as admin."""
    content = cast.content
    values: dict[str, dict[str, Any]] = {
        "telegram": {
            "token": emulator.token,
            "base_url": emulator.base_url,
            "base_file_url": emulator.base_file_url,
            "poll_timeout": 10,
            # Telegram's real group limit (20 a minute) would only slow the demo down.
            "rate_limit": {"overall_per_second": 30, "group_per_minute": 600},
        },
        "storage": {"database": str(database)},
        "community": {
            "name": content.community,
            "timezone": content.timezone,
            "language": language,
            "admins": [cast.head.id],
        },
        "polls": {"edit_delay_seconds": 1},
        "logging": {"level": "INFO"},
    }
    lines: list[str] = []
    for table, entries in values.items():
        scalars = {k: v for k, v in entries.items() if not isinstance(v, dict)}
        lines.append(f"[{table}]")
        lines.extend(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in scalars.items())
        for name, sub in entries.items():
            if isinstance(sub, dict):
                lines.append(f"[{table}.{name}]")
                lines.extend(f"{k} = {json.dumps(v)}" for k, v in sub.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def run_sandbox(options: SandboxOptions) -> int:
    """Serve until SIGINT/SIGTERM; returns the exit status."""
    if options.database is not None and options.database.exists():
        print(
            f"courtyard sandbox: {options.database} exists; the sandbox's Telegram starts "
            "empty every time, so its database must too (pick a new file or delete it)",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="courtyard-sandbox-") as folder:
        return await _serve(options, Path(folder))


async def _serve(options: SandboxOptions, folder: Path) -> int:
    content = DEMO_CONTENT[options.language]
    clock = OffsetClock()
    emulator = BotApiEmulator(
        f"7000000001:sandbox-{secrets.token_urlsafe(12)}",
        bot_username=BOT_USERNAME,
        host=HOST,
        port=options.port,
        clock=clock.timestamp,
    )
    session = SandboxSession.create(emulator, clock)
    emulator.add_routes(DriverApi(session).setup)
    emulator.add_routes(Page(session).setup)
    try:
        await emulator.start()
    except OSError as error:
        print(
            f"courtyard sandbox: cannot listen on {HOST}:{options.port} ({error.strerror}); "
            "try another --port",
            file=sys.stderr,
        )
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    cast = create_cast(emulator, content, options.language)
    # Absolute: the config lives in the temporary folder, and relative paths follow it.
    database = options.database.resolve() if options.database else folder / "courtyard.db"
    config = folder / "config.toml"
    write_config(config, emulator, database, options.language, cast)
    session.community = Community(load_settings(config), database, cast.group, cast.personas())
    supervisor = BotSupervisor(config, emulator.root_url, folder / "bot.log", session.changed)
    session.supervisor = supervisor
    url = f"{emulator.root_url}/"
    print(f"Courtyard sandbox: {url}", flush=True)
    if options.open_browser and not webbrowser.open(url):
        print("(could not open a browser; open the address above)", flush=True)
    try:
        if not options.empty:
            clock.set_offset(story_start(session) - system_now())
        await supervisor.start()
        await supervisor.wait_ready()
        session.bot_database = Database(database)
        await session.bot_database.open(migrate=False)
        await _prepare(session, cast, empty=options.empty)
        print("Ready. Ctrl+C stops the sandbox.", flush=True)
        await stop.wait()
    except RuntimeError as error:
        print(f"courtyard sandbox: {error}", file=sys.stderr)
        return 1
    finally:
        print("Stopping…", flush=True)
        await supervisor.stop()
        if session.bot_database is not None:
            await session.bot_database.close()
        await emulator.stop()
    return 0


async def _prepare(session: SandboxSession, cast: Cast, *, empty: bool) -> None:
    if empty:
        add_bot(session, cast)
        return

    def progress(scene: int, scenes: int) -> None:
        session.preparing = f"{scene}/{scenes}"
        session.changed()
        print(f"  preparing the demo community: {scene}/{scenes}", flush=True)

    try:
        await Story(session, cast, progress).play()
    except (AssertionError, RuntimeError) as error:
        # The sandbox stays useful without the full history: say so and carry on.
        print(f"courtyard sandbox: the demo history is incomplete: {error}", file=sys.stderr)
    finally:
        session.preparing = ""
        # The history is the starting point, not news: nothing is unread yet.
        for chat in session.emulator.state.chats.values():
            session.seen[chat.id] = chat.last_message_id
        session.changed()
    # Time only moves forward: a slow seeding may have left the clock behind the present.
    lag = system_now() - session.clock.now()
    if lag > timedelta(seconds=1):
        await session.time.advance(lag)


def main_sandbox(options: SandboxOptions) -> int:
    """Run the sandbox in a fresh event loop."""
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_sandbox(options))
    return 130
