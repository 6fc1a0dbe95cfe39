"""Which backups to keep: the newest of each recent day and of each recent week."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date, datetime, tzinfo
from typing import TypeVar

from bot.domain.wall_clock import require_aware

K = TypeVar("K", bound=Hashable)


def backups_to_keep(
    backups: Sequence[tuple[K, datetime]], tz: tzinfo, *, daily: int, weekly: int
) -> set[K]:
    """Keys of the backups to keep, given every good backup as (key, taken at).

    Kept: the newest backup of each of the `daily` most recent local days that have one,
    the newest of each of the `weekly` most recent ISO weeks that have one, and always the
    newest backup of all, whatever the counts say.
    """
    if not backups:
        return set()
    for _, taken_at in backups:
        require_aware(taken_at, "taken_at")
    newest_first = sorted(backups, key=lambda item: item[1], reverse=True)
    keep = {newest_first[0][0]}
    days: dict[date, K] = {}
    weeks: dict[tuple[int, int], K] = {}
    for key, taken_at in newest_first:
        local = taken_at.astimezone(tz).date()
        days.setdefault(local, key)
        iso = local.isocalendar()
        weeks.setdefault((iso.year, iso.week), key)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    return keep
