"""The lock a running bot holds on its database, so that `courtyard restore` cannot pull the
file from under it (and a second `courtyard run` on the same file refuses to start).

An advisory `flock` on `<database>.lock`: the kernel releases it when the process ends in any
way, `kill -9` included, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class DatabaseLocked(Exception):
    """Another process holds the database lock."""

    def __init__(self, lock_path: Path, holder: str) -> None:
        who = f" (pid {holder})" if holder else ""
        super().__init__(f"{lock_path} is held by a running Courtyard{who}")
        self.lock_path = lock_path
        self.holder = holder


def lock_path_for(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def database_lock(database: Path) -> Iterator[Path]:
    """Hold the database's lock for the duration of the block, or raise `DatabaseLocked`."""
    path = lock_path_for(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            raise DatabaseLocked(path, holder) from None
        # The pid is only for the message of whoever is refused.
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        # Closing releases the lock; the file stays (removing it would race a new holder).
        os.close(descriptor)
