"""Which error notices the admin chat has had lately, so one fault cannot flood it.

The first occurrence of an error is reported at once. The same error again within the hour
is only counted, and one follow-up notice with the count goes out when the hour is over.
"The same" means the same exception type and message with numbers masked, for the same kind
of update: a button pressed a thousand times with different forged ids is one error.
Distinct errors are capped per hour as well; the rest are counted together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)
MAX_DISTINCT_PER_WINDOW = 10
OVERFLOW_KEY = "(other errors)"
_NUMBERS = re.compile(r"\d+")


def error_key(error_type: str, message: str, update_kind: str) -> str:
    """What makes two errors "the same" for the admin chat."""
    return f"{error_type}|{_NUMBERS.sub('#', message)[:200]}|{update_kind}"


@dataclass
class Occurrences:
    """One error's window: when it was first reported, and how often it came back since."""

    key: str
    started: datetime
    summary: str
    repeats: int = 0


@dataclass(frozen=True)
class Decision:
    """What to do about one occurrence."""

    report_now: bool
    # A window just opened under this key: its follow-up is due `WINDOW` from now.
    opened: str | None


class ErrorNotices:
    """Decides, per error, whether the admin chat hears about it now or later in a count."""

    def __init__(self) -> None:
        self._windows: dict[str, Occurrences] = {}

    def occurred(self, key: str, summary: str, now: datetime) -> Decision:
        """Record one occurrence of the error `key`."""
        self._forget_stale(now)
        window = self._windows.get(key)
        if window is not None:
            window.repeats += 1
            return Decision(report_now=False, opened=None)
        if len(self._windows) >= MAX_DISTINCT_PER_WINDOW:
            overflow = self._windows.get(OVERFLOW_KEY)
            if overflow is not None:
                overflow.repeats += 1
                return Decision(report_now=False, opened=None)
            self._windows[OVERFLOW_KEY] = Occurrences(OVERFLOW_KEY, now, "", repeats=1)
            return Decision(report_now=False, opened=OVERFLOW_KEY)
        self._windows[key] = Occurrences(key, now, summary)
        return Decision(report_now=True, opened=key)

    def close_window(self, key: str) -> Occurrences | None:
        """The window is over: its occurrences if some were only counted, else None."""
        window = self._windows.pop(key, None)
        return window if window is not None and window.repeats else None

    def _forget_stale(self, now: datetime) -> None:
        """Windows whose follow-up never ran (a restart, a clock jump) do not silence an
        error for longer than two windows."""
        for key in [k for k, w in self._windows.items() if now - w.started >= WINDOW * 2]:
            del self._windows[key]
