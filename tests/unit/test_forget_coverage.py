"""Every column that can hold a person's id or name is dealt with by /forgetme.

The end-to-end forget test checks the flows it walks through; this one checks the schema, so a
new table that names people cannot be added without deciding what /forgetme does with it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from storage.migrations import MIGRATIONS, split_statements

FORGET_SOURCES = [Path("storage/forget.py")]
# Columns whose names look personal but hold no person: (table, column) → why.
NOT_PEOPLE = {
    ("buildings", "chat_admins_are_heads"): "a setting",
    ("household_members", "heads_asked_at"): "a time",
}
PERSONAL = re.compile(
    r"(person|author|_by$|actor|voter|reporter|assignee|creator|owner|user|supporter|member"
    r"|carer|username|first_name|last_name|phone)"
)


def _personal_columns() -> list[tuple[str, str]]:
    connection = sqlite3.connect(":memory:")
    for migration in MIGRATIONS:
        for statement in split_statements(migration.sql):
            connection.execute(statement)
    found = []
    tables = [
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    for table in tables:
        for column in connection.execute(f"PRAGMA table_info({table})"):
            name = str(column[1])
            if PERSONAL.search(name) and (table, name) not in NOT_PEOPLE:
                found.append((table, name))
    return found


def _handled(source: str, table: str, column: str) -> bool:
    """A statement (within three lines) or a table entry naming both the table and the column."""
    lines = source.splitlines()
    windows = ["\n".join(lines[i : i + 3]) for i in range(len(lines))]
    wanted = [re.compile(rf"\b{table}\b"), re.compile(rf"\b{column}\b")]
    if any(all(w.search(window) for w in wanted) for window in windows):
        return True
    # `people` rows are deleted whole.
    return table == "people" and "DELETE FROM people WHERE id" in source


def test_every_column_naming_a_person_is_handled_by_forgetme() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in FORGET_SOURCES)
    missing = [
        f"{table}.{column}"
        for table, column in _personal_columns()
        if not _handled(source, table, column)
    ]
    assert not missing, f"/forgetme does not deal with: {missing}"


def test_the_check_finds_personal_columns() -> None:
    columns = _personal_columns()
    assert ("requests", "reporter_id") in columns
    assert ("poll_votes", "voter_id") in columns
