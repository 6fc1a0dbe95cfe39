"""The `courtyard` command line: run, check-config, migrate, classify, train, backup,
restore, status."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot import __version__, cli_learning, event_loop
from bot.collector import keep_imported_modules, pause_for_start_up, resume_after_start_up
from bot.config import ConfigError, Settings, default_config_path, load_settings, require_token
from bot.logging_setup import configure_logging
from storage.database import Database
from storage.db_lock import DatabaseLocked, database_lock
from storage.migrations import MigrationError

EXIT_CONFIG = 2

logger = logging.getLogger("courtyard")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="courtyard",
        description="Courtyard: a Telegram bot for apartment-building group chats.",
    )
    parser.add_argument("--version", action="version", version=f"courtyard {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (polling, or webhook if configured)")
    run.add_argument(
        "--config", type=Path, help="config file (default: $COURTYARD_CONFIG or ./config.toml)"
    )

    check = commands.add_parser("check-config", help="validate a config file and summarize it")
    check.add_argument("path", nargs="?", type=Path, help="config file (default as for run)")

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--config", type=Path, help="config file (default as for run)")

    classify = commands.add_parser(
        "classify",
        help="classify messages from stdin (one per line) and print one JSON object per line",
    )
    classify.add_argument(
        "--config",
        type=Path,
        help="config file whose [classifier] to use "
        "(default: as for run if it exists, else the built-in rules)",
    )
    classify.add_argument(
        "--explain", action="store_true", help="add which rules and learned evidence decided"
    )
    cli_learning.add_commands(commands)
    add_operations_commands(commands)
    add_sandbox_parser(commands)
    return parser


def add_operations_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """backup, restore, status (see bot/operations_cli.py)."""
    config_help = "config file (default as for run)"
    backup = commands.add_parser("backup", help="make a verified copy of the database now")
    backup.add_argument("--config", type=Path, help=config_help)
    backup.add_argument(
        "--to", type=Path, metavar="DIR", help="where to write it (default: [backup] directory)"
    )
    restore = commands.add_parser(
        "restore", help="replace the database by a backup (the bot must be stopped)"
    )
    restore.add_argument("file", type=Path, help="the backup file to restore")
    restore.add_argument("--config", type=Path, help=config_help)
    status = commands.add_parser(
        "status", help="print the bot's health; exit 1 if something needs attention"
    )
    status.add_argument("--config", type=Path, help=config_help)


def add_sandbox_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`courtyard sandbox`: see bot/sandbox/launcher.py and the README."""
    # The sandbox is imported only when it runs: `courtyard run` starts without it.
    sandbox = commands.add_parser(
        "sandbox",
        help="try Courtyard in a browser: the bot, a local Telegram and demo residents",
    )
    sandbox.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    sandbox.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the demo community and the page (default: from the locale)",
    )
    sandbox.add_argument(
        "--db", type=Path, help="keep the bot's database in this new file (default: temporary)"
    )
    sandbox.add_argument("--open", action="store_true", help="open the page in a browser")
    sandbox.add_argument(
        "--empty", action="store_true", help="no demo history: set the building up yourself"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `courtyard` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "run":
        pause_for_start_up()  # until the bot polls (see bot.collector)
        keep_imported_modules()
    try:
        if args.command == "check-config":
            return check_config(args.path or default_config_path())
        if args.command == "classify":
            return classify_lines(args.config, explain=args.explain)
        if args.command == "train" and args.corpus is not None:
            return cli_learning.train_packaged(args.corpus, args.output)
        if args.command == "sandbox":
            return sandbox(args)
        settings = load_settings(args.config or default_config_path())
        if args.command == "train":
            return cli_learning.run_train(args, settings)
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "run":
            return run(settings)
        # backup, restore, status: imported only for them (`run` starts without them).
        from bot.operations_cli import OPERATIONS

        return OPERATIONS[args.command](settings, args)
    except ConfigError as exc:
        print(f"courtyard: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"courtyard: database error: {exc}", file=sys.stderr)
        return 1
    finally:
        resume_after_start_up()


def check_config(path: Path) -> int:
    settings = load_settings(path)
    telegram, community = settings.telegram, settings.community
    token_state = "set" if telegram.token else "missing (set telegram.token or $COURTYARD_TOKEN)"
    print(f"{path}: OK")
    print(f"  telegram:  mode={telegram.mode}, base_url={telegram.base_url}, token {token_state}")
    print(f"  storage:   database={settings.storage.database}")
    print(
        f"  community: {community.name!r}, timezone={community.timezone.key}, "
        f"language={community.language}, {len(community.admins)} admin(s), "
        f"admin chat {'set' if community.admin_chat_id is not None else 'not set'}"
    )
    print(f"  buildings: {len(settings.buildings)} declared in the file")
    rules = settings.classifier
    print(
        f"  classifier: {len(rules.categories)} categories, "
        f"confident ≥ {rules.confident}, borderline ≥ {rules.borderline}"
    )
    print(f"  logging:   level={settings.logging.level}, format={settings.logging.format}")
    backup = settings.backup
    schedule = f"daily at {backup.at:%H:%M}" if backup.at is not None else "scheduled backups off"
    print(
        f"  backup:    {backup.directory}, {schedule}, "
        f"keep {backup.keep_daily} daily / {backup.keep_weekly} weekly"
    )
    metrics = settings.metrics
    print(f"  metrics:   {f'{metrics.listen}:{metrics.port}' if metrics.enabled else 'off'}")
    return 0


def classify_lines(config: Path | None, *, explain: bool = False) -> int:
    """The tuning tool: how would each line of stdin be classified (with the learned model)?"""
    path = config or default_config_path()
    settings = load_settings(path) if config is not None or path.exists() else Settings()
    understanding = asyncio.run(cli_learning.deployed_understanding(settings))
    return cli_learning.classify_lines(understanding, explain=explain)


def sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.launcher import SandboxOptions, default_language, main_sandbox

    options = SandboxOptions(
        port=args.port,
        language=args.lang or default_language(),
        database=args.db,
        open_browser=args.open,
        empty=args.empty,
    )
    return main_sandbox(options)


async def migrate(settings: Settings) -> int:
    database = Database(settings.storage.database)
    await database.open(migrate=False)
    try:
        applied = await database.migrate()
        version = await database.schema_version()
    finally:
        await database.close()
    if applied:
        print(f"{settings.storage.database}: applied migrations {applied}; now at v{version}")
    else:
        print(f"{settings.storage.database}: up to date (v{version})")
    return 0


def run(settings: Settings) -> int:
    token = require_token(settings)
    configure_logging(settings.logging.level, [token], log_format=settings.logging.format)
    try:
        # Held while the bot runs: `courtyard restore` refuses, and so does a second bot.
        with database_lock(settings.storage.database):
            event_loop.run(serve(settings))  # uvloop where installed
    except DatabaseLocked as exc:
        print(f"courtyard: already running on this database: {exc}", file=sys.stderr)
        return 1
    except InvalidToken:
        print("courtyard: config error: telegram.token: rejected by Telegram", file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then drain and stop."""
    # Imported here so that check-config and migrate stay light.
    from bot.app import build_application
    from bot.runner import CourtyardRunner
    from bot.services import Services

    keep_imported_modules()

    services = Services.create(settings)
    application = build_application(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    logger.info("Starting Courtyard %s", __version__)
    runner = CourtyardRunner(application, services, freeze_startup_objects=True)
    after_start_up = asyncio.ensure_future(_once_polling(runner.ready, settings))
    try:
        await runner.run(stop)
    finally:
        after_start_up.cancel()


async def _once_polling(ready: asyncio.Event, settings: Settings) -> None:
    """What start-up leaves until the bot polls: the automatic collector, and compiling the
    classifier's patterns (a tenth of a second; one group of rules a turn of the event loop,
    while the first getUpdates waits; a message that comes first compiles what it needs)."""
    await ready.wait()
    resume_after_start_up()
    for cue in settings.classifier.cues():
        cue.compile()
        await asyncio.sleep(0)
