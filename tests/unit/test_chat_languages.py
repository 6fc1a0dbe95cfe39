"""The languages a group answers in, read in one round trip: the group's own choice, else
its building's while the group is active there; what `language_for` used to read in two."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from storage.buildings import BuildingRepository
from storage.chats import ChatRepository
from storage.database import Database


@pytest.fixture
async def repos(tmp_path: Path) -> AsyncIterator[tuple[ChatRepository, BuildingRepository]]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    yield ChatRepository(db, clock), BuildingRepository(db, clock)
    await db.close()


async def test_a_groups_languages_agree_with_reading_chat_and_building_apart(
    repos: tuple[ChatRepository, BuildingRepository],
) -> None:
    chats, buildings = repos
    assert await chats.languages(-1) == (None, None)  # never seen
    building, _created = await buildings.ensure("5号楼")
    await buildings.update(building.id, language="en")
    await chats.remember(-1, type="group", title="5号楼")
    assert await chats.languages(-1) == (None, None)  # not linked to a building yet
    await buildings.link_chat(-1, building.id)
    assert await chats.languages(-1) == (None, "en")
    await chats.set_language(-1, "zh")
    assert await chats.languages(-1) == ("zh", "en")
    await chats.set_active(-1, False)
    # The building speaks for its active groups only (as `buildings.for_chat` reads it).
    assert await buildings.for_chat(-1) is None
    assert await chats.languages(-1) == ("zh", None)
