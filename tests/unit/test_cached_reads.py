"""Reads cached per update (a group's building) are never served stale: any write to the
tables they come from, by any code path, makes them be read again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from storage.buildings import BuildingRepository
from storage.chats import ChatRepository
from storage.database import WATCHED_TABLES, Database

GROUP = -100_500


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "c.db")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def _counting_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    original = db.fetch_one

    async def counted(sql: str, params: object = ()) -> object:
        asked.append(sql)
        return await original(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "fetch_one", counted)
    return asked


async def test_writes_to_watched_tables_move_the_generation(db: Database) -> None:
    for table in WATCHED_TABLES:
        before = db.generation(table)
        others = db.generation(*(t for t in WATCHED_TABLES if t != table))
        if table == "buildings":
            await db.execute(
                "INSERT INTO buildings (name, name_key, created_at, updated_at) "
                "VALUES ('B', 'b', 0, 0)"
            )
        elif table == "chats":
            await db.execute(
                "INSERT INTO chats (id, type, created_at, updated_at) VALUES (1, 'group', 0, 0)"
            )
        else:
            await db.execute(
                "INSERT INTO people (id, first_name, created_at, updated_at) "
                "VALUES (7, 'Rita', 0, 0)"
            )
        assert db.generation(table) > before
        assert db.generation(*(t for t in WATCHED_TABLES if t != table)) == others
    # A write elsewhere does not.
    before = db.generation(*WATCHED_TABLES)
    await db.execute("INSERT INTO bot_state (key, value) VALUES ('x', 'y')")
    assert db.generation(*WATCHED_TABLES) == before


async def test_a_groups_building_is_read_once_until_something_changes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(datetime(2026, 12, 3, tzinfo=UTC))
    buildings, chats = BuildingRepository(db, clock), ChatRepository(db, clock)
    five, _ = await buildings.ensure("Building 5")
    six, _ = await buildings.ensure("Building 6")
    await chats.remember(GROUP, type="supergroup", title="B5")
    await buildings.link_chat(GROUP, five.id)
    reads = _counting_reads(db, monkeypatch)

    assert await buildings.for_chat(GROUP) == five
    assert await buildings.for_chat(GROUP) == five
    assert len(reads) == 1

    # Relinked through the repository…
    await buildings.link_chat(GROUP, six.id)
    assert await buildings.for_chat(GROUP) == six
    # …a setting changed…
    changed = await buildings.update(six.id, language="en")
    assert await buildings.for_chat(GROUP) == changed
    assert changed.language == "en"
    # …or the group deactivated with plain SQL, as another module might: read again.
    await db.execute("UPDATE chats SET active = 0 WHERE id = ?", (GROUP,))
    assert await buildings.for_chat(GROUP) is None
    assert await buildings.for_chat(GROUP) is None  # "not linked" is cached too
    await chats.set_active(GROUP, True)
    assert await buildings.for_chat(GROUP) == changed
    await db.execute("DELETE FROM chats WHERE id = ?", (GROUP,))
    assert await buildings.for_chat(GROUP) is None
    assert len(reads) == 7


async def test_a_write_that_rolls_back_still_only_makes_the_cache_read_again(
    db: Database,
) -> None:
    clock = FakeClock(datetime(2026, 12, 3, tzinfo=UTC))
    buildings, chats = BuildingRepository(db, clock), ChatRepository(db, clock)
    five, _ = await buildings.ensure("Building 5")
    await chats.remember(GROUP, type="supergroup", title="B5")
    await buildings.link_chat(GROUP, five.id)
    assert await buildings.for_chat(GROUP) == five

    async def unlink_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute("UPDATE chats SET building_id = NULL WHERE id = ?", (GROUP,))
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        await unlink_then_fail()
    assert await buildings.for_chat(GROUP) == five
