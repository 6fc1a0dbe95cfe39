"""Load `config.toml` into frozen, typed settings; every problem names its key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.building_names import clean_name, look_alike_key
from bot.domain.classifier_rules import (
    ClassifierRules,
    RulesError,
    default_rules,
    rules_from_mapping,
)
from bot.domain.community import CATEGORY_KEYS, resolve_category
from bot.domain.sla import SlaOverrides, SlaPolicy, SlaTargets, Urgency

TOKEN_ENV = "COURTYARD_TOKEN"
CONFIG_ENV = "COURTYARD_CONFIG"
DEFAULT_CONFIG_PATH = Path("config.toml")
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
LANGUAGES = ("zh", "en")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")

Language = Literal["zh", "en"]
Mode = Literal["polling", "webhook"]


class ConfigError(Exception):
    """A configuration problem, reported as one line naming the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram should push updates in webhook mode."""

    url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"
    secret_token: str = ""


@dataclass(frozen=True)
class RateLimitSettings:
    """Outgoing message limits, kept below Telegram's flood thresholds."""

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    private_per_second: float = 1.0
    max_retries: int = 3


@dataclass(frozen=True)
class TelegramSettings:
    """How to reach the Bot API."""

    token: str = field(default="", repr=False)
    base_url: str = TELEGRAM_BASE_URL
    base_file_url: str = TELEGRAM_BASE_FILE_URL
    mode: Mode = "polling"
    poll_timeout: int = 30
    request_timeout: float = 10.0
    webhook: WebhookSettings = WebhookSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()


@dataclass(frozen=True)
class StorageSettings:
    """Where the SQLite database lives."""

    database: Path = Path("courtyard.db")


@dataclass(frozen=True)
class CommunitySettings:
    """Community-wide defaults; buildings may override some of them."""

    name: str = "Courtyard"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    language: Language = "zh"
    admins: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    chat_admins_are_heads: bool = True
    quiet_hours: tuple[time, time] = (time(22, 0), time(7, 0))
    # Any group's administrators may create a building with /setup, without a community
    # admin approving it (a stranger's look-alike building could then mislead residents).
    open_building_creation: bool = False


@dataclass(frozen=True)
class StaffDeclaration:
    """A staff member declared in the config file."""

    user_id: int
    categories: frozenset[str]
    level: int = 1


@dataclass(frozen=True)
class BuildingDeclaration:
    """A building declared in the config file; the config wins over the database for it."""

    name: str
    chats: tuple[int, ...] = ()
    heads: tuple[int, ...] = ()
    staff: tuple[StaffDeclaration, ...] = ()
    total_households: int | None = None
    language: Language | None = None
    timezone: ZoneInfo | None = None
    quiet_hours: tuple[time, time] | None = None
    auto_approve: bool | None = None
    residents_may_poll: bool | None = None
    chat_admins_are_heads: bool | None = None
    public: bool | None = None
    sla: SlaOverrides = field(default_factory=SlaOverrides)


@dataclass(frozen=True)
class RequestSettings:
    """How tracked requests behave."""

    rating_days: int = 3
    duplicate_window_hours: int = 48


@dataclass(frozen=True)
class LearningSettings:
    """The learned model beside the classifier rules, and learning from corrections."""

    model: bool = True  # use the packaged model (false: the rules alone)
    adapt: bool = True  # learn from this deployment's corrections
    min_corrections: int = 20  # before the first adaptation
    adapt_every_hours: int = 24


@dataclass(frozen=True)
class PollSettings:
    """Defaults for polls and votes."""

    default_hours: int = 24
    reminder_hours: tuple[int, ...] = (24, 1)
    edit_delay_seconds: float = 3.0


@dataclass(frozen=True)
class StaffSettings:
    """When staff and building heads hear from the bot."""

    digest_time: time = time(9, 0)
    report_weekday: int = 0  # Monday, as in datetime.weekday()
    report_time: time = time(9, 0)


@dataclass(frozen=True)
class LoggingSettings:
    """Log verbosity and line format."""

    level: str = "INFO"
    format: Literal["text", "json"] = "text"


@dataclass(frozen=True)
class BackupSettings:
    """Scheduled backups of the database (`courtyard backup` works without them)."""

    directory: Path = Path("backups")
    # Local (community) time of the daily backup; None: no scheduled backups.
    at: time | None = time(3, 30)
    keep_daily: int = 7
    keep_weekly: int = 4


@dataclass(frozen=True)
class MetricsSettings:
    """The optional Prometheus endpoint."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = 9464


@dataclass(frozen=True)
class Settings:
    """Everything Courtyard reads from its configuration file."""

    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    community: CommunitySettings = CommunitySettings()
    requests: RequestSettings = RequestSettings()
    polls: PollSettings = PollSettings()
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    staff: StaffSettings = StaffSettings()
    logging: LoggingSettings = LoggingSettings()
    backup: BackupSettings = BackupSettings()
    metrics: MetricsSettings = MetricsSettings()
    buildings: tuple[BuildingDeclaration, ...] = ()
    classifier: ClassifierRules = field(default_factory=default_rules)
    learning: LearningSettings = LearningSettings()
    source: Path | None = None


class _Table:
    """A TOML table being read: typed getters, and unknown keys are errors."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self._data = data
        self._prefix = prefix
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self._prefix}.{name}" if self._prefix else name

    def _get(self, name: str, kind: type | tuple[type, ...], kind_name: str) -> Any:
        self._seen.add(name)
        if name not in self._data:
            return None
        value = self._data[name]
        # bool is an int subclass; a `true` where a number belongs is a mistake.
        if isinstance(value, bool) and bool not in _as_tuple(kind):
            raise ConfigError(self.key(name), f"must be {kind_name}, got {value!r}")
        if not isinstance(value, kind):
            raise ConfigError(self.key(name), f"must be {kind_name}, got {value!r}")
        return value

    def string(self, name: str, default: str) -> str:
        value = self._get(name, str, "a string")
        return default if value is None else value

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value: int | None = self._get(name, int, "an integer")
        if value is None:
            return default
        if minimum is not None and value < minimum:
            raise ConfigError(self.key(name), f"must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: float, *, positive: bool = True) -> float:
        value = self._get(name, (int, float), "a number")
        if value is None:
            return default
        if positive and value <= 0:
            raise ConfigError(self.key(name), f"must be a positive number, got {value}")
        return float(value)

    def optional_integer(self, name: str) -> int | None:
        value: int | None = self._get(name, int, "an integer")
        return value

    def integer_list(self, name: str) -> tuple[int, ...]:
        value = self._get(name, list, "a list of Telegram user ids")
        if value is None:
            return ()
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int):
                raise ConfigError(
                    self.key(name), f"must be a list of Telegram ids, got item {item!r}"
                )
        return tuple(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, bool, "true or false")
        return default if value is None else bool(value)

    def optional_boolean(self, name: str) -> bool | None:
        value: bool | None = self._get(name, bool, "true or false")
        return value

    def table_list(self, name: str) -> list[_Table]:
        value = self._get(name, list, "a list of tables")
        tables = []
        for index, item in enumerate(value or []):
            if not isinstance(item, dict):
                raise ConfigError(f"{self.key(name)}[{index}]", "must be a table")
            tables.append(_Table(item, f"{self.key(name)}[{index}]"))
        return tables

    def string_list(self, name: str) -> tuple[str, ...]:
        value = self._get(name, list, "a list of strings")
        if value is None:
            return ()
        for item in value:
            if not isinstance(item, str):
                raise ConfigError(self.key(name), f"must be a list of strings, got item {item!r}")
        return tuple(value)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise ConfigError(self.key(name), f"must be one of {allowed}, got {value!r}")
        return value

    def mapping(self, name: str) -> Mapping[str, Any] | None:
        """A sub-table validated elsewhere."""
        value: Mapping[str, Any] | None = self._get(name, dict, "a table")
        return value

    def table(self, name: str) -> _Table:
        value = self._get(name, dict, "a table")
        return _Table(value or {}, self.key(name))

    def names(self) -> list[str]:
        """Keys of a table whose keys are data (e.g. category names)."""
        self._seen.update(self._data)
        return list(self._data)

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def finish(self) -> None:
        """Reject keys nobody asked for: they are almost always typos."""
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            raise ConfigError(self.key(unknown[0]), "unknown key")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def parse_settings(
    data: Mapping[str, Any],
    *,
    source: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Validate a parsed TOML document into `Settings` (raises `ConfigError`)."""
    env = os.environ if environ is None else environ
    root = _Table(data, "")
    base_dir = source.parent if source is not None else Path.cwd()
    storage = _storage(root.table("storage"), base_dir)
    settings = Settings(
        telegram=_telegram(root.table("telegram"), env),
        storage=storage,
        community=_community(root.table("community")),
        requests=_requests(root.table("requests")),
        polls=_polls(root.table("polls")),
        sla=_sla(root.table("sla")),
        staff=_staff(root.table("staff")),
        logging=_logging(root.table("logging")),
        backup=_backup(root.table("backup"), base_dir, storage.database),
        metrics=_metrics(root.table("metrics")),
        buildings=_buildings(root.table_list("buildings")),
        classifier=_classifier(root),
        learning=_learning(root.table("learning")),
        source=source,
    )
    root.finish()
    return settings


def _telegram(table: _Table, env: Mapping[str, str]) -> TelegramSettings:
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


def _webhook(table: _Table, *, required: bool) -> WebhookSettings:
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


def _rate_limit(table: _Table) -> RateLimitSettings:
    settings = RateLimitSettings(
        overall_per_second=table.number("overall_per_second", 30.0),
        group_per_minute=table.number("group_per_minute", 20.0),
        private_per_second=table.number("private_per_second", 1.0),
        max_retries=table.integer("max_retries", 3, minimum=0),
    )
    table.finish()
    return settings


def _storage(table: _Table, base_dir: Path) -> StorageSettings:
    raw = table.string("database", "courtyard.db")
    if not raw.strip():
        raise ConfigError(table.key("database"), "must not be empty")
    table.finish()
    path = Path(raw).expanduser()
    # Relative paths follow the config file, so a service started from any directory
    # finds the same database.
    return StorageSettings(database=path if path.is_absolute() else base_dir / path)


def _community(table: _Table) -> CommunitySettings:
    name = table.string("name", "Courtyard")
    timezone = parse_timezone(table.string("timezone", "Asia/Shanghai"), table.key("timezone"))
    language = table.choice("language", "zh", LANGUAGES)
    admins = frozenset(table.integer_list("admins"))
    admin_chat_id = table.optional_integer("admin_chat_id")
    chat_admins_are_heads = table.boolean("chat_admins_are_heads", True)
    quiet = _quiet_hours(table, "quiet_hours") or (time(22, 0), time(7, 0))
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


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """`22:00-07:00` → (22:00, 07:00); `off` → (00:00, 00:00), meaning none."""
    cleaned = text.strip().lower().replace("–", "-").replace("～", "-").replace("~", "-")
    if cleaned in ("off", "none", "no", "关", "关闭", "无"):
        return (time(0, 0), time(0, 0))
    parts = [part.strip() for part in cleaned.split("-")]
    if len(parts) != 2:
        return None
    try:
        start, end = (time.fromisoformat(part.zfill(5)) for part in parts)
    except ValueError:
        return None
    return (start, end)


def _quiet_hours(table: _Table, name: str) -> tuple[time, time] | None:
    raw = table.string(name, "")
    if not raw:
        return None
    parsed = parse_quiet_hours(raw)
    if parsed is None:
        raise ConfigError(table.key(name), f"must look like '22:00-07:00' or 'off', got {raw!r}")
    return parsed


def _classifier(root: _Table) -> ClassifierRules:
    """Keywords and thresholds of the message classifier (defaults when absent)."""
    data = root.mapping("classifier")
    if data is None:
        return default_rules()
    try:
        return rules_from_mapping(data)
    except RulesError as exc:
        raise ConfigError(exc.key, exc.problem) from None


def _buildings(tables: list[_Table]) -> tuple[BuildingDeclaration, ...]:
    declarations = []
    seen: set[str] = set()
    for table in tables:
        name = clean_name(table.string("name", ""))
        if not name:
            raise ConfigError(table.key("name"), "is required")
        if look_alike_key(name) in seen:
            raise ConfigError(
                table.key("name"), f"building {name!r} is declared twice (or a look-alike)"
            )
        seen.add(look_alike_key(name))
        staff = []
        for entry in table.table_list("staff"):
            user = entry.optional_integer("user")
            if user is None:
                raise ConfigError(entry.key("user"), "is required (a Telegram user id)")
            categories = set()
            for word in entry.string_list("categories") or ("*",):
                category = resolve_category(word, CATEGORY_KEYS)
                if category is None:
                    raise ConfigError(
                        entry.key("categories"),
                        f"unknown category {word!r} (known: {', '.join(CATEGORY_KEYS)})",
                    )
                categories.add(category)
            level = entry.integer("level", 1, minimum=1)
            if level > 3:
                raise ConfigError(entry.key("level"), f"must be 1, 2 or 3, got {level}")
            entry.finish()
            staff.append(StaffDeclaration(user, frozenset(categories), level))
        language = table.string("language", "")
        if language and language not in LANGUAGES:
            raise ConfigError(table.key("language"), f"must be 'zh' or 'en', got {language!r}")
        timezone_name = table.string("timezone", "")
        total = table.optional_integer("total_households")
        if total is not None and total <= 0:
            raise ConfigError(table.key("total_households"), "must be a positive number")
        declarations.append(
            BuildingDeclaration(
                name=name,
                chats=table.integer_list("chats"),
                heads=table.integer_list("heads"),
                staff=tuple(staff),
                total_households=total,
                language=language or None,  # type: ignore[arg-type]
                timezone=parse_timezone(timezone_name, table.key("timezone"))
                if timezone_name
                else None,
                quiet_hours=_quiet_hours(table, "quiet_hours"),
                auto_approve=table.optional_boolean("auto_approve"),
                residents_may_poll=table.optional_boolean("residents_may_poll"),
                chat_admins_are_heads=table.optional_boolean("chat_admins_are_heads"),
                public=table.optional_boolean("public"),
                sla=_building_sla(table.table("sla")),
            )
        )
        table.finish()
    return tuple(declarations)


def _requests(table: _Table) -> RequestSettings:
    settings = RequestSettings(
        rating_days=table.integer("rating_days", 3, minimum=1),
        duplicate_window_hours=table.integer("duplicate_window_hours", 48, minimum=1),
    )
    table.finish()
    return settings


def _learning(table: _Table) -> LearningSettings:
    settings = LearningSettings(
        model=table.boolean("model", True),
        adapt=table.boolean("adapt", True),
        min_corrections=table.integer("min_corrections", 20, minimum=1),
        adapt_every_hours=table.integer("adapt_every_hours", 24, minimum=1),
    )
    table.finish()
    return settings


def _polls(table: _Table) -> PollSettings:
    reminders = table.integer_list("reminder_hours") if "reminder_hours" in table else (24, 1)
    if any(hours <= 0 for hours in reminders):
        raise ConfigError(table.key("reminder_hours"), "must be positive numbers of hours")
    settings = PollSettings(
        default_hours=table.integer("default_hours", 24, minimum=1),
        reminder_hours=tuple(sorted(set(reminders), reverse=True)),
        edit_delay_seconds=table.number("edit_delay_seconds", 3.0),
    )
    table.finish()
    return settings


_URGENCY_KEYS = {"urgent": Urgency.URGENT, "normal": Urgency.NORMAL}


def _targets(table: _Table, defaults: Mapping[Urgency, SlaTargets]) -> dict[Urgency, SlaTargets]:
    """`urgent_respond_hours`, `normal_resolve_hours`, … (only those given)."""
    targets: dict[Urgency, SlaTargets] = {}
    for prefix, urgency in _URGENCY_KEYS.items():
        respond_key, resolve_key = f"{prefix}_respond_hours", f"{prefix}_resolve_hours"
        if respond_key not in table and resolve_key not in table:
            continue
        base = defaults[urgency]
        respond = table.number(respond_key, base.respond_within / timedelta(hours=1))
        resolve = table.number(resolve_key, base.resolve_within / timedelta(hours=1))
        targets[urgency] = SlaTargets(timedelta(hours=respond), timedelta(hours=resolve))
    return targets


def _sla(table: _Table) -> SlaPolicy:
    base = SlaPolicy()
    defaults = {**base.defaults, **_targets(table, base.defaults)}
    fraction = table.number("reminder_fraction", 0.75)
    if not 0 < fraction < 1:
        raise ConfigError(table.key("reminder_fraction"), "must be between 0 and 1, e.g. 0.75")
    grace = {
        Urgency.URGENT: timedelta(minutes=table.number("urgent_grace_minutes", 15)),
        Urgency.NORMAL: timedelta(minutes=table.number("normal_grace_minutes", 120)),
    }
    categories = table.table("categories")
    overrides: dict[tuple[str, Urgency], SlaTargets] = {}
    for category in sorted(categories.names()):
        if category not in CATEGORY_KEYS:
            raise ConfigError(categories.key(category), "unknown category")
        per_category = categories.table(category)
        for urgency, targets in _targets(per_category, defaults).items():
            overrides[(category, urgency)] = targets
        per_category.finish()
    categories.finish()
    table.finish()
    return SlaPolicy(
        defaults=defaults,
        category_overrides=overrides,
        reminder_fraction=fraction,
        escalation_grace=grace,
    )


def _building_sla(table: _Table) -> SlaOverrides:
    overrides = SlaOverrides(by_urgency=_targets(table, SlaPolicy().defaults))
    table.finish()
    return overrides


def _staff(table: _Table) -> StaffSettings:
    raw = table.string("digest_time", "09:00")
    try:
        digest = time.fromisoformat(raw.zfill(5))
    except ValueError:
        raise ConfigError(table.key("digest_time"), f"must look like 09:00, got {raw!r}") from None
    weekday_name = table.string("weekly_report_day", "monday").lower()
    if weekday_name not in WEEKDAYS:
        raise ConfigError(
            table.key("weekly_report_day"), f"must be a weekday name, got {weekday_name!r}"
        )
    raw_report = table.string("weekly_report_time", "09:00")
    try:
        report_time = time.fromisoformat(raw_report.zfill(5))
    except ValueError:
        raise ConfigError(
            table.key("weekly_report_time"), f"must look like 09:00, got {raw_report!r}"
        ) from None
    table.finish()
    return StaffSettings(
        digest_time=digest, report_weekday=WEEKDAYS.index(weekday_name), report_time=report_time
    )


def _logging(table: _Table) -> LoggingSettings:
    level = table.string("level", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(table.key("level"), f"must be one of {', '.join(LOG_LEVELS)}")
    log_format = table.choice("format", "text", LOG_FORMATS)
    table.finish()
    return LoggingSettings(level=level, format=log_format)  # type: ignore[arg-type]


def _backup(table: _Table, base_dir: Path, database: Path) -> BackupSettings:
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


def _metrics(table: _Table) -> MetricsSettings:
    enabled = table.boolean("enabled", False)
    listen = table.string("listen", "127.0.0.1")
    if not listen.strip():
        raise ConfigError(table.key("listen"), "must be an address to listen on, e.g. 127.0.0.1")
    port = table.integer("port", 9464, minimum=1)
    if port > 65535:
        raise ConfigError(table.key("port"), f"must be a TCP port (1-65535), got {port}")
    table.finish()
    return MetricsSettings(enabled=enabled, listen=listen, port=port)


def parse_timezone(name: str, key: str) -> ZoneInfo:
    """Resolve an IANA zone name, or fail naming the config key."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {name!r} (use an IANA name)") from None


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
