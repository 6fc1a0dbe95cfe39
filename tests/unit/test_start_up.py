"""What `courtyard run` leaves until the bot polls: the automatic collector comes back on,
and the classifier's patterns are compiled a group at a time."""

from __future__ import annotations

import asyncio
import gc
import tomllib
from importlib import resources
from types import SimpleNamespace
from typing import cast

from bot.cli import _once_polling
from bot.collector import pause_for_start_up
from bot.config import Settings
from bot.domain.classifier_rules import DEFAULT_RULES_RESOURCE, rules_from_mapping


async def test_once_polling_the_collector_resumes_and_every_pattern_is_compiled() -> None:
    text = resources.files("bot.domain").joinpath(DEFAULT_RULES_RESOURCE).read_text("utf-8")
    rules = rules_from_mapping(tomllib.loads(text)["classifier"], check_patterns=False)
    settings = cast(Settings, SimpleNamespace(classifier=rules))
    ready = asyncio.Event()
    pause_for_start_up()
    try:
        task = asyncio.ensure_future(_once_polling(ready, settings))
        await asyncio.sleep(0)
        assert not gc.isenabled()  # not yet polling
        assert not any("patterns" in cue.__dict__ for cue in rules.cues())
        ready.set()
        await asyncio.wait_for(task, timeout=60)
        assert gc.isenabled()
        assert all("patterns" in cue.__dict__ for cue in rules.cues())
    finally:
        gc.enable()
