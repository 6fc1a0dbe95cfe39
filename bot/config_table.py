"""Reading config.toml's tables: typed getters naming their key, and shared value formats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A configuration problem, reported as one line naming the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class ConfigTable:
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

    def table_list(self, name: str) -> list[ConfigTable]:
        value = self._get(name, list, "a list of tables")
        tables = []
        for index, item in enumerate(value or []):
            if not isinstance(item, dict):
                raise ConfigError(f"{self.key(name)}[{index}]", "must be a table")
            tables.append(ConfigTable(item, f"{self.key(name)}[{index}]"))
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

    def table(self, name: str) -> ConfigTable:
        value = self._get(name, dict, "a table")
        return ConfigTable(value or {}, self.key(name))

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


def parse_timezone(name: str, key: str) -> ZoneInfo:
    """Resolve an IANA zone name, or fail naming the config key."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {name!r} (use an IANA name)") from None


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


def read_quiet_hours(table: ConfigTable, name: str) -> tuple[time, time] | None:
    raw = table.string(name, "")
    if not raw:
        return None
    parsed = parse_quiet_hours(raw)
    if parsed is None:
        raise ConfigError(table.key(name), f"must look like '22:00-07:00' or 'off', got {raw!r}")
    return parsed
