"""Injectable time: production uses the system clock, tests move a fake one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current aware UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


def to_timestamp(moment: datetime) -> int:
    """Aware datetime → integer Unix seconds, the storage format."""
    return int(moment.timestamp())


def from_timestamp(seconds: int) -> datetime:
    """Integer Unix seconds → aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
