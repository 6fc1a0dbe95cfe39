"""The request repository's one-trip writes (`storage.request_writes`): what each transaction
leaves behind, and that handling the same report again adds nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.lifecycle import RequestStatus
from storage.boards import BoardRepository
from storage.buildings import BuildingRepository
from storage.database import Database
from storage.requests import NewRequest, RequestRepository
from storage.roles import ensure_person

START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
GROUP = -1005


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "c.db")
    await database.open()
    yield database
    await database.close()


async def _count(db: Database, table: str) -> int:
    return int(await db.fetch_value(f"SELECT count(*) FROM {table}"))


async def test_a_report_handled_twice_is_one_request_and_marks_its_boards_once(
    db: Database,
) -> None:
    clock = FakeClock(START)
    building, _ = await BuildingRepository(db, clock).ensure("Building 5")
    boards = BoardRepository(db, clock)
    await boards.ensure(GROUP, building.id)
    await boards.rendered(
        GROUP,
        message_id=7,
        text_hash="x",
        pinned=True,
        refresh_at=START + timedelta(hours=1),
        edited=False,
    )
    assert [b.dirty for b in await boards.of_building(building.id)] == [False]
    requests = RequestRepository(db, clock)
    new = NewRequest(
        building.id,
        GROUP,
        41,
        100,
        "water",
        False,
        None,
        "leak",
        photo=("file", "unique"),
        intake_update_id=9,
    )

    request, created, marked = await requests.create_marking_boards(new)
    assert (created, marked) == (True, 1)
    assert [b.dirty for b in await boards.of_building(building.id)] == [True]
    assert request.affected == 1
    assert request.photos == ("file",)
    assert request.next_due_at == START  # no due rules: due now, the next tick plans it

    await boards.rendered(
        GROUP,
        message_id=7,
        text_hash="y",
        pinned=True,
        refresh_at=START + timedelta(hours=1),
        edited=True,
    )
    again, created, marked = await requests.create_marking_boards(new)
    assert (again.id, created, marked) == (request.id, False, 0)
    assert [b.dirty for b in await boards.of_building(building.id)] == [False]
    for table, rows in (
        ("requests", 1),
        ("request_supporters", 1),
        ("request_photos", 1),
        ("request_events", 1),
        ("people", 1),
    ):
        assert await _count(db, table) == rows, table


async def test_a_status_change_raced_by_another_writes_nothing(db: Database) -> None:
    clock = FakeClock(START)
    building, _ = await BuildingRepository(db, clock).ensure("Building 5")
    requests = RequestRepository(db, clock)
    request, _ = await requests.create(
        NewRequest(building.id, None, None, 100, "water", False, None, "leak")
    )
    async with db.transaction() as conn:
        for person in (200, 300):
            await ensure_person(conn, person, int(START.timestamp()))
    taken = await requests.change_status(
        request.id,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.ASSIGNED,
        action="take",
        actor_id=200,
        assignee_id=200,
    )
    assert taken is not None
    assert (taken.status, taken.assignee_id, taken.responded_at) == (
        RequestStatus.ASSIGNED,
        200,
        START,
    )
    late = await requests.change_status(
        request.id,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.ASSIGNED,
        action="take",
        actor_id=300,
        assignee_id=300,
    )
    assert late is None
    current = await requests.get(request.id)
    assert current is not None
    assert current.assignee_id == 200
    assert await _count(db, "request_events") == 2  # the report and the first take


async def test_a_failing_write_leaves_nothing_behind(db: Database) -> None:
    clock = FakeClock(START)
    requests = RequestRepository(db, clock)
    with pytest.raises(Exception, match="FOREIGN KEY"):
        # No such building: the insert fails after the reporter's row was written in the
        # same transaction, and the rollback takes that row back too.
        await requests.create(NewRequest(999, None, None, 100, "water", False, None, "leak"))
    assert await _count(db, "people") == 0
    assert await _count(db, "requests") == 0
    assert not db.connection.in_transaction
