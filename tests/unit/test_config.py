"""Config loading: typed values, environment override, and one clear error per problem."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_settings, require_token

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_loads_with_documented_defaults() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ={})
    assert settings.telegram.mode == "polling"
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    assert settings.community.timezone.key == "Asia/Shanghai"
    assert settings.community.language == "zh"
    assert settings.storage.database == ROOT / "courtyard.db"


def test_environment_token_wins_over_file() -> None:
    data = {"telegram": {"token": "1:file"}}
    assert parse_settings(data, environ={"COURTYARD_TOKEN": "2:env"}).telegram.token == "2:env"
    assert parse_settings(data, environ={}).telegram.token == "1:file"


def test_token_is_not_in_repr() -> None:
    settings = parse_settings({"telegram": {"token": "123:SECRET"}}, environ={})
    assert "SECRET" not in repr(settings)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"community": {"timezone": "Mars/Olympus"}}, "community.timezone"),
        ({"community": {"language": "fr"}}, "community.language"),
        ({"community": {"admins": [1, "two"]}}, "community.admins"),
        ({"community": {"admins": 5}}, "community.admins"),
        ({"community": {"admin_chat_id": True}}, "community.admin_chat_id"),
        ({"telegram": {"mode": "poll"}}, "telegram.mode"),
        ({"telegram": {"poll_timeout": "30"}}, "telegram.poll_timeout"),
        ({"telegram": {"poll_timeout": -1}}, "telegram.poll_timeout"),
        ({"telegram": {"base_url": "api.telegram.org"}}, "telegram.base_url"),
        ({"telegram": {"colour": "blue"}}, "telegram.colour"),
        (
            {"telegram": {"rate_limit": {"group_per_minute": 0}}},
            "telegram.rate_limit.group_per_minute",
        ),
        ({"telegram": {"mode": "webhook"}}, "telegram.webhook.url"),
        (
            {"telegram": {"mode": "webhook", "webhook": {"url": "https://x.org/t"}}},
            "telegram.webhook.secret_token",
        ),
        (
            {"telegram": {"webhook": {"secret_token": "has space"}}},
            "telegram.webhook.secret_token",
        ),
        ({"telegram": {"webhook": {"port": 70000}}}, "telegram.webhook.port"),
        ({"storage": {"database": ""}}, "storage.database"),
        ({"logging": {"level": "LOUD"}}, "logging.level"),
        ({"unknown_section": {}}, "unknown_section"),
        ({"telegram": "yes"}, "telegram"),
    ],
)
def test_invalid_values_name_their_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(data, environ={})
    assert caught.value.key == key


def test_example_config_carries_the_default_classifier_rules() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    packaged = tomllib.loads((ROOT / "bot/domain/default_rules.toml").read_text(encoding="utf-8"))
    assert example["classifier"] == packaged["classifier"]


def test_classifier_problems_name_their_key() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(
            {
                "classifier": {
                    "confident": "high",
                    "fallback_category": "water",
                    "categories": {"water": {"icon": "💧"}},
                }
            },
            environ={},
        )
    assert caught.value.key.startswith("classifier.confident")
    custom = parse_settings(
        {
            "classifier": {
                "confident": 0.9,
                "borderline": 0.5,
                "fallback_category": "water",
                "categories": {"water": {"icon": "💧", "keywords_en": ["leak"]}},
            }
        },
        environ={},
    )
    assert [c.key for c in custom.classifier.categories] == ["water"]


def test_missing_token_is_only_an_error_when_running() -> None:
    settings = parse_settings({}, environ={})
    with pytest.raises(ConfigError) as caught:
        require_token(settings)
    assert caught.value.key == "telegram.token"


def test_relative_database_follows_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text('[storage]\ndatabase = "data/bot.db"\n', encoding="utf-8")
    assert load_settings(config, environ={}).storage.database == config.parent / "data/bot.db"


def test_broken_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[telegram\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert caught.value.key == str(config)
    assert "invalid TOML" in caught.value.problem


def _courtyard(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=60,
        check=False,
        input=stdin,
    )


def test_cli_classify_prints_one_json_object_per_line() -> None:
    result = _courtyard(
        "classify",
        "--config",
        "config.example.toml",
        stdin="3单元楼道里的水管爆了！\n大家早上好\n\nThe lift in block C is stuck again\n",
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["is_request"] for r in rows] == [True, False, True]
    assert rows[0]["category"] == "water"
    assert rows[0]["urgent"] is True
    assert rows[0]["location"] == "3单元"
    assert rows[2]["category"] == "elevator"
    assert all(0 <= r["confidence"] <= 1 for r in rows)


def test_cli_bad_value_exits_2_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[community]\ntimezone = "Nowhere/City"\n', encoding="utf-8")
    result = _courtyard("check-config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "courtyard: config error: community.timezone: unknown time zone 'Nowhere/City' "
        "(use an IANA name)"
    ]
    assert "Traceback" not in result.stderr


def test_cli_run_without_token_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    result = _courtyard("run", "--config", str(config))
    assert result.returncode == 2
    assert "telegram.token" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_check_config_summarizes_example() -> None:
    result = _courtyard("check-config", "config.example.toml")
    assert result.returncode == 0, result.stderr
    assert "timezone=Asia/Shanghai" in result.stdout


def test_cli_migrate_creates_database(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\ndatabase = "x.db"\n', encoding="utf-8")
    first = _courtyard("migrate", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert "applied migrations" in first.stdout
    assert (tmp_path / "x.db").exists()
    second = _courtyard("migrate", "--config", str(config))
    assert "up to date" in second.stdout


def test_cli_help_lists_subcommands() -> None:
    result = _courtyard("--help")
    assert result.returncode == 0
    for command in ("run", "check-config", "migrate"):
        assert command in result.stdout


def test_sla_and_staff_settings() -> None:
    from datetime import time, timedelta

    from bot.domain.sla import Urgency

    settings = parse_settings(
        {
            "sla": {
                "normal_resolve_hours": 48,
                "reminder_fraction": 0.5,
                "categories": {"elevator": {"normal_respond_hours": 4}},
            },
            "staff": {"digest_time": "08:30"},
            "buildings": [{"name": "B1", "sla": {"urgent_respond_hours": 0.5}}],
        },
        environ={},
    )
    policy = settings.sla
    assert policy.defaults[Urgency.NORMAL].resolve_within == timedelta(hours=48)
    assert policy.defaults[Urgency.NORMAL].respond_within == timedelta(hours=24)
    assert policy.reminder_fraction == 0.5
    assert policy.targets_for("elevator", Urgency.NORMAL, 1).respond_within == timedelta(hours=4)
    assert settings.staff.digest_time == time(8, 30)
    building = settings.buildings[0]
    assert building.sla.by_urgency[Urgency.URGENT].respond_within == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"sla": {"normal_resolve_hours": 0}}, "sla.normal_resolve_hours"),
        ({"sla": {"reminder_fraction": 1.5}}, "sla.reminder_fraction"),
        ({"sla": {"categories": {"plumbing": {}}}}, "sla.categories.plumbing"),
        ({"sla": {"categories": {"water": {"hours": 1}}}}, "sla.categories.water.hours"),
        ({"staff": {"digest_time": "9am"}}, "staff.digest_time"),
        ({"polls": {"reminder_hours": [24, -1]}}, "polls.reminder_hours"),
        ({"telegram": {"request_timeout": 0}}, "telegram.request_timeout"),
    ],
)
def test_reminder_settings_errors_name_their_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(data, environ={})
    assert caught.value.key == key
