"""Upgrades: a database of every released schema version migrates to the newest with all its
data, and a migration that fails halfway leaves the database as it was."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.learned_model import ModelDelta
from storage.adaptations import AdaptationRepository
from storage.care import CareRepository
from storage.database import Database
from storage.meetings import MeetingRepository
from storage.migrations import MIGRATIONS, Migration, MigrationError
from storage.needs import NeedRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.polls import PollRepository
from storage.projects import ProjectRepository
from storage.requests import RequestRepository
from storage.surveys import SurveyRepository
from tests.data.schema_fixtures import make_fixture
from tests.data.schema_fixtures.sample_data import HEAD, PNG, RESIDENT, T0, VOLUNTEER

# The versions on main when fixtures began; every later release adds its own (see README).
FIRST_FIXTURES = range(1, 9)
FIXTURES = make_fixture.released_versions()
NEWEST = MIGRATIONS[-1].version

Row = dict[str, object]
# table -> how a migration deliberately changes an old row (none so far).
EXPECTED_CHANGES: dict[str, Callable[[Row], Row]] = {}


def _load(version: int, path: Path) -> Path:
    make_fixture.load(make_fixture.fixture_path(version).read_text(encoding="utf-8"), path)
    return path


def _tables(connection: sqlite3.Connection) -> list[str]:
    return [
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _rows(connection: sqlite3.Connection, table: str, columns: list[str]) -> list[Row]:
    cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def _contents(path: Path) -> dict[str, list[Row]]:
    """Every row of every table, by column name."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        contents = {}
        for table in _tables(connection):
            columns = [str(c[1]) for c in connection.execute(f"PRAGMA table_info({table})")]
            contents[table] = _rows(connection, table, columns)
        return contents


def _dump(path: Path) -> str:
    """Schema, data and version: equal dumps mean equal databases."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        return f"version {version}\n" + "\n".join(connection.iterdump())


def _schema(connection: sqlite3.Connection) -> set[tuple[str, str, str | None]]:
    return {
        (str(kind), str(name), None if sql is None else " ".join(str(sql).split()))
        for kind, name, sql in connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    }


def test_every_released_version_has_a_fixture() -> None:
    assert set(FIRST_FIXTURES) <= set(FIXTURES)
    contiguous = list(range(1, len(FIXTURES) + 1))
    assert contiguous == FIXTURES, "fixtures must not skip a version"
    assert FIXTURES[-1] <= NEWEST


@pytest.mark.parametrize("version", FIXTURES)
def test_fixture_schema_is_what_its_migrations_build(version: int, tmp_path: Path) -> None:
    """Catches an edited released migration step (or a fixture made at the wrong version)."""
    path = _load(version, tmp_path / "old.db")
    with (
        contextlib.closing(sqlite3.connect(path)) as fixture,
        contextlib.closing(make_fixture.build(version)) as built,
    ):
        assert fixture.execute("PRAGMA user_version").fetchone()[0] == version
        assert _schema(fixture) == _schema(built)


@pytest.mark.parametrize("version", FIXTURES)
async def test_every_version_migrates_to_the_newest_keeping_its_data(
    version: int, tmp_path: Path
) -> None:
    path = _load(version, tmp_path / "old.db")
    before = _contents(path)
    assert sum(len(rows) for rows in before.values()) > 10  # the fixture is not empty

    database = Database(path)
    await database.open()
    try:
        assert await database.schema_version() == NEWEST
        assert await database.fetch_all("PRAGMA foreign_key_check") == []
        assert (await database.fetch_value("PRAGMA integrity_check")) == "ok"
        await _repositories_read_the_old_rows(database, version, set(before))
    finally:
        await database.close()

    after = _contents(path)
    for table, old_rows in before.items():
        assert table in after, f"table {table} disappeared"
        assert len(after[table]) == len(old_rows), f"{table}: row count changed"
        change = EXPECTED_CHANGES.get(table, lambda row: row)
        kept = [{column: row[column] for column in old_rows[0]} for row in after[table]]
        assert kept == [change(row) for row in old_rows], f"{table}: rows changed"
    _assert_backfilled(before, after, "requests", "routed_at", "created_at")
    _assert_backfilled(before, after, "household_members", "heads_asked_at", "requested_at")


def _assert_backfilled(
    before: dict[str, list[Row]], after: dict[str, list[Row]], table: str, new: str, old: str
) -> None:
    """A column added with a value taken from an old one (requests from before intake steps
    were recorded count as routed when made, registrations as asked): nothing happens twice."""
    if table in before and new not in before[table][0]:
        assert [row[new] for row in after[table]] == [row[old] for row in before[table]]


async def _repositories_read_the_old_rows(
    database: Database, version: int, tables: set[str]
) -> None:
    """A few exact rows, read the way the bot reads them."""
    clock = FakeClock(datetime.fromtimestamp(T0 + 2 * 3600, UTC))
    resident = await PeopleRepository(database, clock).get(RESIDENT)
    assert resident is not None
    assert resident.first_name == "李"
    if version >= 4:
        request = await RequestRepository(database, clock).get(1)
        assert request is not None
        assert request.description == "3单元的水管爆了，楼道里全是水！"
        assert request.urgent
        assert request.location == "3单元"
        history = await RequestRepository(database, clock).history(1)
        assert [event.action for event in history] == ["report", "start"]
    if version >= 5:
        poll = await PollRepository(database, clock).get(1)
        assert poll is not None
        assert poll.question == "空地改成小花园？"
        assert poll.per_household
        assert poll.closes_at == datetime.fromtimestamp(T0 + 2 * 86400, UTC)
    if version >= 6:
        due = await OutboxRepository(database, clock).due()
        assert [entry.dedup_key for entry in due] == ["digest|700004|2026-11-26|1"]
        assert due[0].attempts == 2
    if version >= 8:
        photo = await database.fetch_value("SELECT photo FROM outbox WHERE id = 2")
        assert bytes(photo) == PNG
    if "classifier_adaptations" in tables:
        active = await AdaptationRepository(database, clock).active()
        assert active is not None
        assert active.last_correction_id == 3
        assert ModelDelta.from_bytes(active.delta).version == "a2-c3"
    if "needs" in tables:
        need = await NeedRepository(database, clock).get(2)
        assert need is not None
        assert need.text == "Please add a covered bike shelter near unit 2"
        assert need.support == 2
        project = await ProjectRepository(database, clock).get(3)
        assert project is not None
        assert project.evaluation is not None
        assert project.evaluation["verdict"] == "reopened"
        meeting = await MeetingRepository(database, clock).get(1)
        assert meeting is not None
        assert meeting.reminders_sent == (1, 24)
    if "surveys" in tables:
        survey = await SurveyRepository(database, clock).get(1)
        assert survey is not None
        assert survey.questions[0].options == ("没有", "1位", "2位及以上")
        enrolment = await CareRepository(database, clock).get(1)
        assert enrolment is not None
        assert enrolment.name == "王奶奶"
        assert [carer.person_id for carer in enrolment.carers] == [HEAD, VOLUNTEER]


def _failing_halfway(step: Migration) -> Migration:
    """The real step, then a statement that fails: its first statements have already run."""
    failing_sql = step.sql + "\nINSERT INTO nowhere VALUES (1);"
    return Migration(step.version, step.description, failing_sql)


@pytest.mark.parametrize(
    ("start", "failing"),
    [
        (5, 6),  # the first pending step fails halfway: the database is exactly as it was
        (3, 6),  # a later step fails: the steps before it stay applied, this one leaves no trace
    ],
)
async def test_a_migration_failing_halfway_leaves_the_database_as_it_was(
    start: int, failing: int, tmp_path: Path
) -> None:
    path = _load(start, tmp_path / "old.db")
    expected = tmp_path / "expected.db"
    _load(start, expected)
    if failing - 1 > start:
        reference = Database(expected, migrations=MIGRATIONS[: failing - 1])
        await reference.open()
        await reference.close()
    assert "CREATE TABLE outbox" in MIGRATIONS[failing - 1].sql  # several statements

    broken = tuple(
        _failing_halfway(m) if m.version == failing else m for m in MIGRATIONS[:failing]
    )
    database = Database(path, migrations=broken)
    with pytest.raises(MigrationError, match=f"migration {failing} "):
        await database.open()
    await database.close()
    assert _dump(path) == _dump(expected)

    # Fixed, the upgrade goes through and nothing was lost on the way.
    database = Database(path)
    await database.open()
    assert await database.schema_version() == NEWEST
    await database.close()
    before, after = _contents(expected), _contents(path)
    for table, rows in before.items():
        assert len(after[table]) == len(rows)
