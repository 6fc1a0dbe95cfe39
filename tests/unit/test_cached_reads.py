"""Reads cached per update (a group's building) are never served stale: any write to the
tables they come from, by any code path, makes them be read again."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.domain.community import CommunityRole
from storage.buildings import BuildingRepository
from storage.chats import ChatRepository
from storage.database import WATCHED_TABLES, Database
from storage.people import PeopleRepository, Person
from storage.roles import RoleAssignment, RoleRepository

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


INSERTS = {
    "buildings": "INSERT INTO buildings (name, name_key, created_at, updated_at) "
    "VALUES ('B', 'b', 0, 0)",
    "chats": "INSERT INTO chats (id, type, created_at, updated_at) VALUES (1, 'group', 0, 0)",
    "people": "INSERT INTO people (id, first_name, created_at, updated_at) "
    "VALUES (7, 'Rita', 0, 0)",
    "roles": "INSERT INTO roles (building_id, person_id, role, created_at) "
    "VALUES ((SELECT id FROM buildings), 7, 'staff', 0)",
}


async def test_writes_to_watched_tables_move_the_generation(db: Database) -> None:
    assert set(INSERTS) == set(WATCHED_TABLES)
    for table, insert in INSERTS.items():
        others = [t for t in WATCHED_TABLES if t != table]
        before, others_before = db.generation(table), db.generation(*others)
        key = 1 if table in ("buildings", "chats") else 7  # the row the insert writes
        row_before = db.row_generation(table, key)
        untouched_row = db.row_generation(table, key + 1)
        await db.execute(insert)
        assert db.generation(table) > before
        assert db.row_generation(table, key) > row_before
        assert db.row_generation(table, key + 1) == untouched_row
        assert db.generation(*others) == others_before
    # A write elsewhere does not count.
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


async def test_people_staff_and_languages_follow_every_change(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(datetime(2026, 12, 3, tzinfo=UTC))
    buildings, chats = BuildingRepository(db, clock), ChatRepository(db, clock)
    people, roles = PeopleRepository(db, clock), RoleRepository(db, clock)
    five, _ = await buildings.ensure("Building 5")
    await chats.remember(GROUP, type="supergroup", title="B5")
    await buildings.link_chat(GROUP, five.id)
    for person_id, name in ((7, "Pavel"), (8, "Rita")):
        await people.remember(
            person_id, first_name=name, last_name=None, username=None, language_code="en"
        )
    await roles.assign(five.id, 7, CommunityRole.STAFF, actor_id=None, categories=["water"])

    async def everything() -> tuple[object, ...]:
        staff = await roles.in_building(five.id)
        return (
            await people.get(7),
            [(a.person_id, a.person_name, a.categories) for a in staff],
            [(a.building_id, a.role) for a in await roles.of_person(7)],
            await chats.languages(GROUP),
            await buildings.chats_of(five.id),
        )

    first = await everything()
    reads: list[str] = []
    for name in ("fetch_one", "fetch_all"):
        original = getattr(db, name)

        async def counted(sql: str, params: object = (), _original: Any = original) -> object:
            reads.append(sql)
            return await _original(sql, params)

        monkeypatch.setattr(db, name, counted)
    assert await everything() == first
    assert reads == []  # all of it kept

    # A change to someone else's row keeps what does not show them.
    await people.remember(8, first_name="Margarita", last_name=None, username=None,
                          language_code="en")  # fmt: skip
    assert await everything() == first
    assert reads == []

    # The staff member renamed: the person and the roster are read again, nothing else.
    await people.remember(7, first_name="Pasha", last_name=None, username=None,
                          language_code="en")  # fmt: skip
    now = await everything()
    person = now[0]
    assert isinstance(person, Person)
    assert person.first_name == "Pasha"
    assert now[1] == [(7, "Pasha", frozenset({"water"}))]
    assert len(reads) == 3  # the person, the roster, his roles (they show his name too)

    # New categories, a group language, a building language: each seen at once.
    await roles.assign(five.id, 7, CommunityRole.STAFF, actor_id=None, categories=["power"])
    await chats.set_language(GROUP, "zh")
    assert (await everything())[1:4] == (
        [(7, "Pasha", frozenset({"power"}))],
        [(five.id, CommunityRole.STAFF)],
        ("zh", None),
    )
    await buildings.update(five.id, language="en")
    assert await chats.languages(GROUP) == ("zh", "en")
    await chats.set_active(GROUP, False)
    assert await chats.languages(GROUP) == ("zh", None)
    assert await buildings.chats_of(five.id) == []


async def test_a_value_read_inside_a_transaction_that_rolls_back_is_not_kept(
    db: Database,
) -> None:
    """Reads of other tasks share the connection with an open transaction and see its
    uncommitted rows; a rollback makes whatever they cached be read again."""
    await db.execute(INSERTS["people"])
    before = db.generation("people")
    seen_inside: list[int] = []

    async def failing_rename() -> None:
        async with db.transaction() as connection:
            await connection.execute("UPDATE people SET first_name = 'Ghost' WHERE id = 7")
            seen_inside.append(db.generation("people"))
            raise RuntimeError("the transaction fails after its write")

    with pytest.raises(RuntimeError):
        await failing_rename()
    [inside] = seen_inside
    assert inside > before
    assert db.generation("people") > inside
    assert db.row_generation("people", 7) > before


async def test_forgetting_a_person_keeps_nothing_of_them_in_memory(db: Database) -> None:
    """After /forgetme no cached read still holds the person's name (it would never be served,
    as their rows are gone, but it would stay in memory until evicted)."""
    from storage.forget import ForgetRepository

    clock = FakeClock(datetime(2026, 12, 3, tzinfo=UTC))
    buildings, people = BuildingRepository(db, clock), PeopleRepository(db, clock)
    roles = RoleRepository(db, clock)
    five, _ = await buildings.ensure("Building 5")
    for person_id, name in ((7, "Pavel"), (8, "Rita")):
        await people.remember(
            person_id, first_name=name, last_name=None, username=None, language_code="en"
        )
        await roles.assign(five.id, person_id, CommunityRole.STAFF, actor_id=None)
    # Both reads cached, as in a group where the staff are routed to and a button pressed.
    assert {a.person_name for a in await roles.in_building(five.id)} == {"Pavel", "Rita"}
    assert [a.person_name for a in await roles.of_person(7)] == ["Pavel"]

    await ForgetRepository(db, clock).forget(7)
    roles.forget_cached(7)
    gc.collect()

    left = [
        obj for obj in gc.get_objects() if isinstance(obj, RoleAssignment) and obj.person_id == 7
    ]
    assert left == []
    # Others' entries are read again as usual, and the forgotten person is not among them.
    assert [a.person_name for a in await roles.in_building(five.id)] == ["Rita"]
