"""The sandbox's movable clock: real time plus an offset that only ever grows.

Time keeps flowing between jumps, so message times look natural; a jump adds to the offset.
The emulator, the page and the bot process all read the same offset (the bot process learns
of a jump through the driver API and acknowledges it, see :class:`ClockBroadcast`).
"""

from __future__ import annotations

import asyncio
import time as monotonic_time
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.domain.digest import next_daily_at, next_weekly_at

# A follower confirms a jump once the work it made due is done (a chart can take a while).
ACK_SECONDS = 60.0
# A follower re-watches within moments of a watch returning; longer means it is gone.
FOLLOWER_GAP_SECONDS = 2.0


def system_now() -> datetime:
    """The real wall clock (aware UTC)."""
    return datetime.now(UTC)


class OffsetClock:
    """A :class:`bot.clock.Clock` running ``offset`` ahead of the real clock."""

    def __init__(
        self, offset: timedelta = timedelta(0), *, wall: Callable[[], datetime] = system_now
    ) -> None:
        self._offset = offset
        self._wall = wall

    @property
    def offset(self) -> timedelta:
        """How far ahead of real time the clock runs (negative while replaying the past)."""
        return self._offset

    def now(self) -> datetime:
        return self._wall() + self._offset

    def timestamp(self) -> float:
        """Unix seconds, for the emulator's ``date`` fields."""
        return self.now().timestamp()

    def set_offset(self, offset: timedelta) -> timedelta:
        """Follow another clock's offset; returns how far this clock jumped."""
        jump = offset - self._offset
        self._offset = offset
        return jump

    def advance(self, delta: timedelta) -> datetime:
        """Jump forward by ``delta`` (time never runs backwards here)."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        return self.now()

    def move_to(self, moment: datetime) -> timedelta:
        """Jump forward to ``moment``; returns the jump (0 when it is already past)."""
        if moment.tzinfo is None:
            raise ValueError("move_to needs an aware datetime")
        jump = max(moment - self.now(), timedelta(0))
        self._offset += jump
        return jump


class ClockBroadcast:
    """Numbered jumps of an :class:`OffsetClock` that followers wait for and acknowledge."""

    def __init__(self, clock: OffsetClock, on_change: Callable[[], None] = lambda: None) -> None:
        self.clock = clock
        self.version = 0
        self.acknowledged = 0
        self.watchers = 0
        self._last_contact = float("-inf")
        self._changed = asyncio.Condition()
        self._on_change = on_change

    async def advance(self, delta: timedelta, *, ack_within: float = ACK_SECONDS) -> bool:
        """Jump by ``delta``; returns whether a follower applied it within ``ack_within``
        seconds (False at once when nobody follows)."""
        self.clock.advance(delta)
        return await self._publish(ack_within)

    async def move_to(self, moment: datetime, *, ack_within: float = ACK_SECONDS) -> bool:
        """Jump to ``moment`` (see :meth:`advance`)."""
        self.clock.move_to(moment)
        return await self._publish(ack_within)

    async def _publish(self, ack_within: float) -> bool:
        self.version += 1
        version = self.version
        async with self._changed:
            self._changed.notify_all()
        self._on_change()
        if not self.followed:
            return False
        try:
            async with asyncio.timeout(ack_within), self._changed:
                await self._changed.wait_for(lambda: self.acknowledged >= version)
        except TimeoutError:
            return False
        return True

    @property
    def followed(self) -> bool:
        """Whether a follower is waiting now or was a moment ago (between two watches)."""
        recently = monotonic_time.monotonic() - self._last_contact < FOLLOWER_GAP_SECONDS
        return bool(self.watchers) or recently

    async def watch(self, known_version: int, timeout: float) -> None:  # noqa: ASYNC109
        """Return when the version differs from ``known_version`` or ``timeout`` passes."""
        self.watchers += 1
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self.version != known_version)
        except TimeoutError:
            pass
        finally:
            self.watchers -= 1
            self._last_contact = monotonic_time.monotonic()

    async def acknowledge(self, version: int) -> None:
        """A follower has applied every jump up to ``version``."""
        self.acknowledged = max(self.acknowledged, version)
        async with self._changed:
            self._changed.notify_all()


def next_local(now: datetime, tz: tzinfo, at: time, weekday: int | None = None) -> datetime:
    """The next instant after ``now`` when clocks in ``tz`` read ``at`` (on ``weekday``)."""
    if weekday is None:
        return next_daily_at(at, tz, now)
    return next_weekly_at(weekday, at, tz, now)
