"""`[backup]`, `[metrics]`, `[logging] format`: typed settings, one error line naming the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_documents_the_operations_defaults() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ={})
    assert settings.backup.at == time(3, 30)
    assert (settings.backup.keep_daily, settings.backup.keep_weekly) == (7, 4)
    assert settings.backup.directory == ROOT / "backups"  # beside the database
    assert not settings.metrics.enabled
    assert (settings.metrics.listen, settings.metrics.port) == ("127.0.0.1", 9464)
    assert settings.logging.format == "text"


def test_backup_directory_defaults_beside_the_database_and_follows_the_config(
    tmp_path: Path,
) -> None:
    config = tmp_path / "etc" / "config.toml"
    config.parent.mkdir()
    config.write_text('[storage]\ndatabase = "/srv/data/c.db"\n', encoding="utf-8")
    assert load_settings(config, environ={}).backup.directory == Path("/srv/data/backups")
    config.write_text('[backup]\ndirectory = "copies"\ntime = "off"\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.backup.directory == tmp_path / "etc" / "copies"
    assert settings.backup.at is None


def test_operations_settings_are_typed() -> None:
    settings = parse_settings(
        {
            "backup": {"time": "4:05", "keep_daily": 2, "keep_weekly": 0},
            "metrics": {"enabled": True, "listen": "0.0.0.0", "port": 9100},
            "logging": {"format": "json"},
        },
        environ={},
    )
    assert settings.backup.at == time(4, 5)
    assert (settings.backup.keep_daily, settings.backup.keep_weekly) == (2, 0)
    assert settings.metrics.enabled
    assert (settings.metrics.listen, settings.metrics.port) == ("0.0.0.0", 9100)
    assert settings.logging.format == "json"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"backup": {"time": "25:00"}}, "backup.time"),
        ({"backup": {"time": 330}}, "backup.time"),
        ({"backup": {"keep_daily": 0}}, "backup.keep_daily"),
        ({"backup": {"keep_weekly": -1}}, "backup.keep_weekly"),
        ({"backup": {"keep_weekly": "4"}}, "backup.keep_weekly"),
        ({"backup": {"directory": 5}}, "backup.directory"),
        ({"backup": {"folder": "x"}}, "backup.folder"),
        ({"metrics": {"enabled": "yes"}}, "metrics.enabled"),
        ({"metrics": {"port": 0}}, "metrics.port"),
        ({"metrics": {"port": 70000}}, "metrics.port"),
        ({"metrics": {"listen": " "}}, "metrics.listen"),
        ({"metrics": {"path": "/m"}}, "metrics.path"),
        ({"logging": {"format": "xml"}}, "logging.format"),
    ],
)
def test_bad_operations_values_name_their_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(data, environ={})
    assert caught.value.key == key
    assert "\n" not in str(caught.value)
