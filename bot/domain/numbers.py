"""Numbers that arrive from outside (typed in commands, carried in deep links and button data),
checked before they reach SQLite, whose integers stop at 2**63 - 1.

Only ASCII digits count: `"²".isdigit()` and `"٣".isdigit()` are true, yet such text is no
number anybody typed on purpose (and `int("²")` raises).
"""

from __future__ import annotations

# SQLite stores integers in at most 8 bytes; a larger Python int raises OverflowError.
SQLITE_MAX_INTEGER = 2**63 - 1
_MAX_DIGITS = len(str(SQLITE_MAX_INTEGER))


def is_digits(text: str) -> bool:
    """Whether the text is a whole number written in ASCII digits (of any length)."""
    return text.isascii() and text.isdigit()


def parse_whole(text: str, *, low: int = 0, high: int = SQLITE_MAX_INTEGER) -> int | None:
    """The number `text` spells in ASCII digits if it lies in [low, high], else None."""
    if not is_digits(text):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return None
    value = int(digits)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """A database id or Telegram user id (1 … 2**63 - 1), else None."""
    return parse_whole(text, low=1)


def fits_sqlite(value: int) -> bool:
    """Whether SQLite can store the integer."""
    return -SQLITE_MAX_INTEGER - 1 <= value <= SQLITE_MAX_INTEGER
