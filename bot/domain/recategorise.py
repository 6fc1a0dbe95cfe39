"""Moving a request to another category: who keeps it and who is told it left them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.escalation import StaffMember


@dataclass(frozen=True)
class Reroute:
    """What a category change means for the staff already involved."""

    keep_assignee: bool  # the assignee also serves the new category
    left: tuple[int, ...]  # staff who had the request and no longer serve it


def reroute(
    new_category: str,
    building_id: int,
    roster: Sequence[StaffMember],
    *,
    had_it: Iterable[int],
    assignee_id: int | None,
) -> Reroute:
    """Staff who do not serve `new_category` in this building lose the request."""

    def serves(person_id: int) -> bool:
        return any(
            member.person_id == person_id and member.serves(new_category, building_id)
            for member in roster
        )

    involved = list(dict.fromkeys([*had_it, *([assignee_id] if assignee_id else [])]))
    return Reroute(
        keep_assignee=assignee_id is None or serves(assignee_id),
        left=tuple(person for person in involved if not serves(person)),
    )
