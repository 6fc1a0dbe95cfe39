"""Write the schema fixture of a released version: `vN.sql`, a database at schema version N
with realistic rows in every table, as reviewable SQL text.

    python -m tests.data.schema_fixtures.make_fixture 9        # writes v9.sql

A fixture is made once, when its version is released, and never regenerated: it stands for
the databases out there at that version. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from pathlib import Path

from storage.migrations import MIGRATIONS, split_statements
from tests.data.schema_fixtures.sample_data import ROWS

HERE = Path(__file__).resolve().parent


class FixtureError(Exception):
    """The sample data does not cover the schema."""


def fixture_path(version: int) -> Path:
    return HERE / f"v{version}.sql"


def released_versions() -> list[int]:
    """Versions that have a fixture, in order."""
    return sorted(int(path.stem[1:]) for path in HERE.glob("v*.sql") if path.stem[1:].isdigit())


def build(version: int) -> sqlite3.Connection:
    """An in-memory database at `version`, built by the migration steps 1..version."""
    if not 1 <= version <= MIGRATIONS[-1].version:
        raise FixtureError(f"no migration leads to version {version}")
    connection = sqlite3.connect(":memory:", isolation_level=None)
    for migration in MIGRATIONS[:version]:
        for statement in split_statements(migration.sql):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {version}")
    _fill(connection)
    return connection


def _columns(connection: sqlite3.Connection, table: str) -> dict[str, bool]:
    """Column name -> whether a value is required (NOT NULL without a default)."""
    return {
        str(name): bool(notnull) and default is None and not primary
        for _, name, _, notnull, default, primary in connection.execute(
            f"PRAGMA table_info({table})"
        )
    }


def _fill(connection: sqlite3.Connection) -> None:
    tables = [
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    for table in tables:
        rows = ROWS.get(table)
        if not rows:
            raise FixtureError(
                f"table {table!r} has no sample rows: add some to sample_data.py (ROWS)"
            )
        columns = _columns(connection, table)
        for row in rows:
            missing = [c for c, required in columns.items() if required and c not in row]
            if missing:
                raise FixtureError(f"sample rows of {table!r} lack required columns {missing}")
            present = [c for c in row if c in columns]
            connection.execute(
                f"INSERT INTO {table} ({', '.join(present)}) "
                f"VALUES ({', '.join('?' for _ in present)})",
                [row[c] for c in present],
            )


def dump(connection: sqlite3.Connection) -> str:
    """SQL text that recreates the database, user_version included."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    header = [
        f"-- Courtyard database at schema version {version}, with sample data.",
        "-- Made by tests/data/schema_fixtures/make_fixture.py; never edit or regenerate a",
        "-- released version's fixture (see README.md beside it).",
        f"PRAGMA user_version = {version};",
    ]
    return "\n".join([*header, *connection.iterdump()]) + "\n"


def load(text: str, path: Path) -> None:
    """Create the database file `path` from a fixture's SQL text."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.executescript(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("version", nargs="?", type=int, help="schema version to write")
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing fixture (unreleased only!)"
    )
    args = parser.parse_args(argv)
    if args.version is None:
        parser.error("give the version to write")
    target = fixture_path(args.version)
    if target.exists() and not args.force:
        print(f"{target} exists; released fixtures are never regenerated", file=sys.stderr)
        return 1
    try:
        with contextlib.closing(build(args.version)) as connection:
            target.write_text(dump(connection), encoding="utf-8")
    except FixtureError as exc:
        print(f"make_fixture: {exc}", file=sys.stderr)
        return 1
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
