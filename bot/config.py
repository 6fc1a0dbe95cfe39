"""Load `config.toml` into frozen, typed settings; every problem names its key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any

from bot.config_sections import (
    read_buildings,
    read_classifier,
    read_learning,
    read_polls,
    read_requests,
    read_sla,
    read_staff,
)
from bot.config_table import (
    ConfigError,
    ConfigTable,
    parse_quiet_hours,
    parse_timezone,
    read_quiet_hours,
)
from bot.settings import (
    CONFIG_ENV,
    DEFAULT_CONFIG_PATH,
    LANGUAGES,
    LOG_FORMATS,
    LOG_LEVELS,
    TELEGRAM_BASE_FILE_URL,
    TELEGRAM_BASE_URL,
    TOKEN_ENV,
    WEEKDAYS,
    BackupSettings,
    BuildingDeclaration,
    CommunitySettings,
    Language,
    LearningSettings,
    LoggingSettings,
    MetricsSettings,
    Mode,
    PollSettings,
    RateLimitSettings,
    RequestSettings,
    Settings,
    StaffDeclaration,
    StaffSettings,
    StorageSettings,
    TelegramSettings,
    WebhookSettings,
)

# The settings types and value parsers live in their own modules; this one re-exports
# them so that `from bot.config import ...` keeps working.
__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_PATH",
    "LANGUAGES",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "TELEGRAM_BASE_FILE_URL",
    "TELEGRAM_BASE_URL",
    "TOKEN_ENV",
    "WEEKDAYS",
    "BackupSettings",
    "BuildingDeclaration",
    "CommunitySettings",
    "ConfigError",
    "Language",
    "LearningSettings",
    "LoggingSettings",
    "MetricsSettings",
    "Mode",
    "PollSettings",
    "RateLimitSettings",
    "RequestSettings",
    "Settings",
    "StaffDeclaration",
    "StaffSettings",
    "StorageSettings",
    "TelegramSettings",
    "WebhookSettings",
    "default_config_path",
    "load_settings",
    "parse_quiet_hours",
    "parse_settings",
    "parse_timezone",
    "require_token",
]


def parse_settings(
    data: Mapping[str, Any],
    *,
    source: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Validate a parsed TOML document into `Settings` (raises `ConfigError`)."""
    env = os.environ if environ is None else environ
    root = ConfigTable(data, "")
    base_dir = source.parent if source is not None else Path.cwd()
    storage = _storage(root.table("storage"), base_dir)
    settings = Settings(
        telegram=_telegram(root.table("telegram"), env),
        storage=storage,
        community=_community(root.table("community")),
        requests=read_requests(root.table("requests")),
        polls=read_polls(root.table("polls")),
        sla=read_sla(root.table("sla")),
        staff=read_staff(root.table("staff")),
        logging=_logging(root.table("logging")),
        backup=_backup(root.table("backup"), base_dir, storage.database),
        metrics=_metrics(root.table("metrics")),
        buildings=read_buildings(root.table_list("buildings")),
        classifier=read_classifier(root),
        learning=read_learning(root.table("learning")),
        source=source,
    )
    root.finish()
    return settings


def _telegram(table: ConfigTable, env: Mapping[str, str]) -> TelegramSettings:
    file_token = table.string("token", "")
    token = env.get(TOKEN_ENV) or file_token
    base_url = table.string("base_url", TELEGRAM_BASE_URL).rstrip("/")
    base_file_url = table.string("base_file_url", TELEGRAM_BASE_FILE_URL).rstrip("/")
    for name, url in (("base_url", base_url), ("base_file_url", base_file_url)):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(table.key(name), f"must start with http:// or https://, got {url!r}")
    mode = table.choice("mode", "polling", ("polling", "webhook"))
    poll_timeout = table.integer("poll_timeout", 30, minimum=0)
    request_timeout = table.number("request_timeout", 10.0)
    webhook = _webhook(table.table("webhook"), required=mode == "webhook")
    rate_limit = _rate_limit(table.table("rate_limit"))
    table.finish()
    return TelegramSettings(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        mode=mode,  # type: ignore[arg-type]
        poll_timeout=poll_timeout,
        request_timeout=request_timeout,
        webhook=webhook,
        rate_limit=rate_limit,
    )


def _webhook(table: ConfigTable, *, required: bool) -> WebhookSettings:
    url = table.string("url", "")
    listen = table.string("listen", "127.0.0.1")
    port = table.integer("port", 8443, minimum=1)
    if port > 65535:
        raise ConfigError(table.key("port"), f"must be a TCP port (1-65535), got {port}")
    path = table.string("path", "/telegram")
    if not path.startswith("/"):
        raise ConfigError(table.key("path"), f"must start with '/', got {path!r}")
    secret = table.string("secret_token", "")
    table.finish()
    if required:
        if not url.startswith("https://") and not url.startswith("http://"):
            raise ConfigError(table.key("url"), "is required in webhook mode (a public https URL)")
        if not secret:
            raise ConfigError(table.key("secret_token"), "is required in webhook mode")
    if secret and not _valid_secret(secret):
        raise ConfigError(
            table.key("secret_token"), "must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return WebhookSettings(url=url, listen=listen, port=port, path=path, secret_token=secret)


def _valid_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 0 < len(secret) <= 256 and set(secret) <= allowed


def _rate_limit(table: ConfigTable) -> RateLimitSettings:
    settings = RateLimitSettings(
        overall_per_second=table.number("overall_per_second", 30.0),
        group_per_minute=table.number("group_per_minute", 20.0),
        private_per_second=table.number("private_per_second", 1.0),
        max_retries=table.integer("max_retries", 3, minimum=0),
    )
    table.finish()
    return settings


def _storage(table: ConfigTable, base_dir: Path) -> StorageSettings:
    raw = table.string("database", "courtyard.db")
    if not raw.strip():
        raise ConfigError(table.key("database"), "must not be empty")
    table.finish()
    path = Path(raw).expanduser()
    # Relative paths follow the config file, so a service started from any directory
    # finds the same database.
    return StorageSettings(database=path if path.is_absolute() else base_dir / path)


def _community(table: ConfigTable) -> CommunitySettings:
    name = table.string("name", "Courtyard")
    timezone = parse_timezone(table.string("timezone", "Asia/Shanghai"), table.key("timezone"))
    language = table.choice("language", "zh", LANGUAGES)
    admins = frozenset(table.integer_list("admins"))
    admin_chat_id = table.optional_integer("admin_chat_id")
    chat_admins_are_heads = table.boolean("chat_admins_are_heads", True)
    quiet = read_quiet_hours(table, "quiet_hours") or (time(22, 0), time(7, 0))
    open_creation = table.boolean("open_building_creation", False)
    table.finish()
    return CommunitySettings(
        name=name,
        timezone=timezone,
        language=language,  # type: ignore[arg-type]
        admins=admins,
        admin_chat_id=admin_chat_id,
        chat_admins_are_heads=chat_admins_are_heads,
        quiet_hours=quiet,
        open_building_creation=open_creation,
    )


def _logging(table: ConfigTable) -> LoggingSettings:
    level = table.string("level", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(table.key("level"), f"must be one of {', '.join(LOG_LEVELS)}")
    log_format = table.choice("format", "text", LOG_FORMATS)
    table.finish()
    return LoggingSettings(level=level, format=log_format)  # type: ignore[arg-type]


def _backup(table: ConfigTable, base_dir: Path, database: Path) -> BackupSettings:
    raw_directory = table.string("directory", "")
    if raw_directory:
        path = Path(raw_directory).expanduser()
        directory = path if path.is_absolute() else base_dir / path
    else:
        # Beside the database: wherever the data lives, its copies are found next to it.
        directory = database.parent / "backups"
    raw_time = table.string("time", "03:30")
    at: time | None
    if raw_time.strip().lower() == "off":
        at = None
    else:
        try:
            at = time.fromisoformat(raw_time.strip().zfill(5))
        except ValueError:
            raise ConfigError(
                table.key("time"), f"must look like 03:30 or 'off', got {raw_time!r}"
            ) from None
    settings = BackupSettings(
        directory=directory,
        at=at,
        keep_daily=table.integer("keep_daily", 7, minimum=1),
        keep_weekly=table.integer("keep_weekly", 4, minimum=0),
    )
    table.finish()
    return settings


def _metrics(table: ConfigTable) -> MetricsSettings:
    enabled = table.boolean("enabled", False)
    listen = table.string("listen", "127.0.0.1")
    if not listen.strip():
        raise ConfigError(table.key("listen"), "must be an address to listen on, e.g. 127.0.0.1")
    port = table.integer("port", 9464, minimum=1)
    if port > 65535:
        raise ConfigError(table.key("port"), f"must be a TCP port (1-65535), got {port}")
    table.finish()
    return MetricsSettings(enabled=enabled, listen=listen, port=port)


def load_settings(path: Path, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate a TOML config file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), "config file not found") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(str(path), "config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from None
    return parse_settings(data, source=path, environ=environ)


def require_token(settings: Settings) -> str:
    """The bot token, which only running the bot needs."""
    token = settings.telegram.token
    if not token:
        raise ConfigError("telegram.token", f"is required to run (or set ${TOKEN_ENV})")
    if ":" not in token or " " in token:
        raise ConfigError("telegram.token", "does not look like a bot token from @BotFather")
    return token


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """`$COURTYARD_CONFIG`, else `./config.toml`."""
    env = os.environ if environ is None else environ
    return Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else DEFAULT_CONFIG_PATH
