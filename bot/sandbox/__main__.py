"""Run the emulator alone: ``python -m bot.sandbox [--port 8081] [--token ...]``.

It serves the Bot API and the driver API (``/sandbox/api``), not the bot: point a bot at the
printed URLs and token. ``courtyard sandbox`` runs everything together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.sandbox.driver import DEFAULT_TOKEN, BotApiEmulator
from bot.sandbox.driver_api import DriverApi
from bot.sandbox.session import SandboxSession
from bot.sandbox.timeshift import OffsetClock


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox", description="Serve a local Telegram Bot API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bot token the server accepts")
    parser.add_argument("--bot-username", default="courtyard_test_bot")
    parser.add_argument(
        "--privacy-mode", action="store_true", help="withhold group messages not meant for the bot"
    )
    return parser.parse_args(argv)


async def _serve(options: argparse.Namespace) -> None:
    clock = OffsetClock()
    emulator = BotApiEmulator(
        options.token,
        bot_username=options.bot_username,
        privacy_mode=options.privacy_mode,
        host=options.host,
        port=options.port,
        clock=clock.timestamp,
    )
    emulator.add_routes(DriverApi(SandboxSession.create(emulator, clock)).setup)
    async with emulator:
        print(f"Bot API emulator listening: base_url={emulator.base_url}", flush=True)
        print(f"File downloads:             base_file_url={emulator.base_file_url}")
        print(f"Bot token it accepts:       token={emulator.token}")
        print(f"Driver API (act as users):  {emulator.root_url}/sandbox/api")
        print(
            "Point Courtyard at it with the same token and these URLs as the bot's "
            "base_url / base_file_url. Ctrl+C stops it.",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_arguments(argv)))


if __name__ == "__main__":
    main()
