"""The frozen, typed settings Courtyard runs with, and the values config.toml may take."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.classifier_rules import ClassifierRules, default_rules
from bot.domain.sla import SlaOverrides, SlaPolicy

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
