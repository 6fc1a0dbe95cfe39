"""Versioned schema migrations: each step runs atomically with its `user_version` bump."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage import schema

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema step, identified by the `PRAGMA user_version` it leads to."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration(version, description, sql)
    for version, (description, sql) in enumerate(schema.MIGRATIONS_SQL, start=1)
)


class MigrationError(Exception):
    """A migration failed; the database stays at the previous version."""


def split_statements(script: str) -> list[str]:
    """Split a SQL script into statements.

    `executescript` would COMMIT behind our back, so statements run one by one
    inside our own transaction instead.
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            if statement.rstrip(";").strip():
                statements.append(statement)
            pending = ""
    if pending.strip():
        raise MigrationError(f"incomplete SQL statement: {pending.strip()[:80]!r}")
    return statements


async def apply_migrations(
    connection: aiosqlite.Connection, migrations: Sequence[Migration]
) -> list[int]:
    """Apply every migration newer than the database, each in one transaction."""
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    known = max((m.version for m in migrations), default=0)
    if current > known:
        raise MigrationError(
            f"database schema version {current} is newer than this Courtyard knows ({known}); "
            "upgrade Courtyard"
        )
    applied: list[int] = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version <= current:
            continue
        await connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_statements(migration.sql):
                await connection.execute(statement)
            # PRAGMA values cannot be bound parameters; version is our own int.
            await connection.execute(f"PRAGMA user_version = {int(migration.version)}")
        except BaseException as exc:
            await connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise MigrationError(
                    f"migration {migration.version} ({migration.description}) failed: {exc}"
                ) from exc
            raise
        await connection.execute("COMMIT")
        logger.info("Applied migration %d: %s", migration.version, migration.description)
        applied.append(migration.version)
    return applied
