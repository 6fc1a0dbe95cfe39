"""Checking the content sections of config.toml: buildings, SLA, classifier, polls, staff."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta

from bot.config_table import ConfigError, ConfigTable, parse_timezone, read_quiet_hours
from bot.domain.building_names import clean_name, look_alike_key
from bot.domain.classifier_rules import (
    ClassifierRules,
    RulesError,
    default_rules,
    rules_from_mapping,
)
from bot.domain.community import CATEGORY_KEYS, resolve_category
from bot.domain.sla import SlaOverrides, SlaPolicy, SlaTargets, Urgency
from bot.settings import (
    LANGUAGES,
    WEEKDAYS,
    BuildingDeclaration,
    LearningSettings,
    PollSettings,
    RequestSettings,
    StaffDeclaration,
    StaffSettings,
)


def read_classifier(root: ConfigTable) -> ClassifierRules:
    """Keywords and thresholds of the message classifier (defaults when absent)."""
    data = root.mapping("classifier")
    if data is None:
        return default_rules()
    try:
        return rules_from_mapping(data)
    except RulesError as exc:
        raise ConfigError(exc.key, exc.problem) from None


def read_buildings(tables: list[ConfigTable]) -> tuple[BuildingDeclaration, ...]:
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
                quiet_hours=read_quiet_hours(table, "quiet_hours"),
                auto_approve=table.optional_boolean("auto_approve"),
                residents_may_poll=table.optional_boolean("residents_may_poll"),
                chat_admins_are_heads=table.optional_boolean("chat_admins_are_heads"),
                public=table.optional_boolean("public"),
                sla=_building_sla(table.table("sla")),
            )
        )
        table.finish()
    return tuple(declarations)


def read_requests(table: ConfigTable) -> RequestSettings:
    settings = RequestSettings(
        rating_days=table.integer("rating_days", 3, minimum=1),
        duplicate_window_hours=table.integer("duplicate_window_hours", 48, minimum=1),
    )
    table.finish()
    return settings


def read_learning(table: ConfigTable) -> LearningSettings:
    settings = LearningSettings(
        model=table.boolean("model", True),
        adapt=table.boolean("adapt", True),
        min_corrections=table.integer("min_corrections", 20, minimum=1),
        adapt_every_hours=table.integer("adapt_every_hours", 24, minimum=1),
    )
    table.finish()
    return settings


def read_polls(table: ConfigTable) -> PollSettings:
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


def _targets(
    table: ConfigTable, defaults: Mapping[Urgency, SlaTargets]
) -> dict[Urgency, SlaTargets]:
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


def read_sla(table: ConfigTable) -> SlaPolicy:
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


def _building_sla(table: ConfigTable) -> SlaOverrides:
    overrides = SlaOverrides(by_urgency=_targets(table, SlaPolicy().defaults))
    table.finish()
    return overrides


def read_staff(table: ConfigTable) -> StaffSettings:
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
