"""Config keys of issue 11: who may create buildings, public buildings, look-alike names."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_settings


def test_building_creation_needs_approval_unless_opened() -> None:
    assert parse_settings({}, environ={}).community.open_building_creation is False
    opened = parse_settings({"community": {"open_building_creation": True}}, environ={})
    assert opened.community.open_building_creation is True


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_open_building_creation_must_be_true_or_false(value: object) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings({"community": {"open_building_creation": value}}, environ={})
    assert raised.value.key == "community.open_building_creation"


def test_declared_buildings_may_be_public() -> None:
    settings = parse_settings({"buildings": [{"name": "A", "public": True}]}, environ={})
    assert settings.buildings[0].public is True
    with pytest.raises(ConfigError) as raised:
        parse_settings({"buildings": [{"name": "A", "public": "no"}]}, environ={})
    assert raised.value.key == "buildings[0].public"


def test_declared_names_are_cleaned_and_look_alikes_refused() -> None:
    settings = parse_settings({"buildings": [{"name": "Tower\u200b A"}]}, environ={})
    assert settings.buildings[0].name == "Tower A"
    with pytest.raises(ConfigError, match="look-alike"):
        parse_settings({"buildings": [{"name": "Tower A"}, {"name": "Т0wer А"}]}, environ={})
