"""What went wrong with the database, in words an operator acts on."""

from __future__ import annotations

import sqlite3

# SQLite's messages for the failures that need the operator, not a code fix.
_KNOWN = (
    ("locked", "the database is locked by another process"),
    ("busy", "the database is locked by another process"),
    ("readonly", "the database is read-only"),
    ("read-only", "the database is read-only"),
    ("disk is full", "the disk is full"),
    ("disk i/o", "the disk failed to read or write"),
    ("unable to open", "the database file cannot be opened"),
)


def storage_trouble(error: BaseException) -> str | None:
    """A plain description when `error` is the database being unavailable (locked,
    read-only, disk full …), else None."""
    if not isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
        return None
    message = str(error).lower()
    for marker, description in _KNOWN:
        if marker in message:
            return description
    return "the database failed"
