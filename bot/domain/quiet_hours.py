"""Quiet hours: the nightly window in which non-urgent pings wait for morning.

Quiet hours only delay *sending*; SLA deadlines keep counting calendar time through the night
(see `bot.domain.sla`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.domain.wall_clock import (
    first_instant_at,
    local_instants,
    offset_changes,
    require_aware,
    require_naive_time,
    wall_time_of,
)

DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(7, 0)


@dataclass(frozen=True)
class QuietHours:
    """A daily local-time window [start, end) that may cross midnight; start == end means none.

    The times are wall-clock readings in the building's zone, which is passed to each method so
    one policy can serve buildings in different zones.
    """

    start: time = DEFAULT_QUIET_START
    end: time = DEFAULT_QUIET_END

    def __post_init__(self) -> None:
        require_naive_time(self.start, "start")
        require_naive_time(self.end, "end")

    @classmethod
    def never(cls) -> QuietHours:
        """A building without quiet hours."""
        return cls(time(0, 0), time(0, 0))

    @property
    def is_disabled(self) -> bool:
        """True when the window is empty, so every moment is fine for sending."""
        return self.start == self.end

    def is_quiet(self, now: datetime, tz: tzinfo) -> bool:
        """Whether `now` falls inside the window, read on the clocks of `tz`."""
        require_aware(now, "now")
        return self._covers(wall_time_of(now, tz).time())

    def next_allowed_send(self, at: datetime, tz: tzinfo, *, urgent: bool) -> datetime:
        """The earliest instant at or after `at` when a ping may go out.

        Urgent pings and pings outside the window go at `at`, unchanged. Others wait for the end
        of the window; if that wall time is skipped by a spring-forward change they go when the
        clocks jump, and if it repeats as clocks fall back they go at the first reading that is
        not earlier than `at`.
        """
        require_aware(at, "at")
        if urgent or not self.is_quiet(at, tz):
            return at
        local_day = wall_time_of(at, tz).date()
        # The window ends today or, if it crosses midnight and we are before midnight, tomorrow;
        # a third day only matters for pathological zones that skip whole days.
        for offset in range(3):
            for candidate in self._window_ends(local_day + timedelta(days=offset), tz):
                if candidate > at and not self.is_quiet(candidate, tz):
                    # Falling clocks can leave the window before its end is read
                    # (02:59 → 02:00 with a 02:30–03:00 window).
                    early = [
                        change
                        for change in offset_changes(at, candidate, tz)
                        if not self.is_quiet(change, tz)
                    ]
                    return min([candidate, *early])
        raise AssertionError(f"no end of quiet hours found after {at.isoformat()}")

    def _covers(self, wall: time) -> bool:
        if self.is_disabled:
            return False
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def _window_ends(self, day: date, tz: tzinfo) -> list[datetime]:
        """The instants the window ends on `day`: each reading of `end`, or the jump past it."""
        return local_instants(day, self.end, tz) or [first_instant_at(day, self.end, tz)]
