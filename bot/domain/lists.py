"""Needs and projects: their statuses, the moves between them, progress, money, satisfaction.

The "three lists" of a building are its residents' needs (wishes and suggestions), its
problems (tracked requests, see `lifecycle`) and its projects (decided work with an owner, a
budget and progress). This module holds the rules of the two lists that are not requests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum, StrEnum
from fractions import Fraction


class NeedStatus(StrEnum):
    OPEN = "open"
    FORWARDED = "forwarded"  # a head moved it forward: on the way to a meeting or a project
    MERGED = "merged"  # a duplicate, merged into another need
    DECLINED = "declined"  # with a reason
    ADOPTED = "adopted"  # became a project


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    VOTING = "voting"  # put to a poll; the result moves it
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    REOPENED = "reopened"  # residents were not satisfied: back for discussion


ACTIVE_NEEDS = frozenset({NeedStatus.OPEN, NeedStatus.FORWARDED})
ACTIVE_PROJECTS = frozenset(
    {
        ProjectStatus.PLANNED,
        ProjectStatus.VOTING,
        ProjectStatus.APPROVED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.REOPENED,
    }
)

_NEED_MOVES: Mapping[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.OPEN: frozenset(
        {NeedStatus.FORWARDED, NeedStatus.MERGED, NeedStatus.DECLINED, NeedStatus.ADOPTED}
    ),
    NeedStatus.FORWARDED: frozenset({NeedStatus.MERGED, NeedStatus.DECLINED, NeedStatus.ADOPTED}),
}

_PROJECT_MOVES: Mapping[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.PLANNED: frozenset(
        {ProjectStatus.VOTING, ProjectStatus.APPROVED, ProjectStatus.DECLINED}
    ),
    # A poll's result approves or declines; a cancelled poll sends it back to planned.
    ProjectStatus.VOTING: frozenset(
        {ProjectStatus.APPROVED, ProjectStatus.DECLINED, ProjectStatus.PLANNED}
    ),
    ProjectStatus.APPROVED: frozenset(
        {ProjectStatus.IN_PROGRESS, ProjectStatus.DONE, ProjectStatus.DECLINED}
    ),
    ProjectStatus.IN_PROGRESS: frozenset({ProjectStatus.DONE, ProjectStatus.DECLINED}),
    ProjectStatus.DONE: frozenset({ProjectStatus.REOPENED}),
    ProjectStatus.REOPENED: frozenset(
        {
            ProjectStatus.VOTING,
            ProjectStatus.APPROVED,
            ProjectStatus.IN_PROGRESS,
            ProjectStatus.DONE,
            ProjectStatus.DECLINED,
        }
    ),
}


class MoveRefused(ValueError):
    """A need or project cannot go from its status to the one asked for."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"cannot move from {current} to {target}")
        self.current = current
        self.target = target


def check_need_move(current: NeedStatus, target: NeedStatus) -> None:
    if target not in _NEED_MOVES.get(current, frozenset()):
        raise MoveRefused(current.value, target.value)


def check_project_move(current: ProjectStatus, target: ProjectStatus) -> None:
    if target not in _PROJECT_MOVES.get(current, frozenset()):
        raise MoveRefused(current.value, target.value)


def need_moves(current: NeedStatus) -> frozenset[NeedStatus]:
    return _NEED_MOVES.get(current, frozenset())


def project_moves(current: ProjectStatus) -> frozenset[ProjectStatus]:
    return _PROJECT_MOVES.get(current, frozenset())


def percent_after_move(target: ProjectStatus, percent: int) -> int:
    """A done project is 100 %; a reopened one keeps what was reported."""
    return 100 if target is ProjectStatus.DONE else percent


def progress_bar(percent: int, width: int = 10) -> str:
    """`▓▓▓▓░░░░░░` — block characters render the same width on phones in both scripts."""
    clamped = min(max(percent, 0), 100)
    filled = (clamped * width + 50) // 100
    return "▓" * filled + "░" * (width - filled)


_PERCENT = re.compile(r"^(\d{1,3})\s*%?$")


def parse_percent(text: str) -> int | None:
    """`40`, `40%`, `40％` → 40; None outside 0–100 or unreadable."""
    match = _PERCENT.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 100 else None


_MONEY = re.compile(
    r"^(?:¥|rmb|cny)?\s*(\d[\d,]*(?:\.\d{1,2})?)\s*(万|千|k|w)?\s*(?:元|块|rmb|cny|yuan)?$"
)
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000}
MAX_BUDGET_CENTS = 10**13  # a hundred billion: anything larger is a typo


def parse_money(text: str) -> int | None:
    """`5000`, `5,000元`, `¥5000.50`, `1.2万`, `3k` → cents; None if unreadable."""
    folded = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    match = _MONEY.match(folded)
    if match is None:
        return None
    try:
        amount = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    amount *= _MULTIPLIERS.get(match.group(2) or "", 1)
    cents = int(amount * 100)
    return cents if 0 <= cents <= MAX_BUDGET_CENTS else None


def format_money(cents: int) -> str:
    """`500000` → `5,000`; `500050` → `5,000.50`."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}" if rest == 0 else f"{whole:,}.{rest:02d}"


# -- evaluation after a project is done --------------------------------------------------------


class Satisfaction(IntEnum):
    """满意 / 基本满意 / 不满意, as the community's satisfaction surveys ask."""

    DISSATISFIED = 0
    FAIRLY_SATISFIED = 1
    SATISFIED = 2


DEFAULT_SATISFACTION_THRESHOLD = 60  # percent satisfied (incl. fairly) below which it reopens
DEFAULT_EVALUATION_DAYS = 7


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REOPENED = "reopened"
    NO_ANSWERS = "no_answers"


@dataclass(frozen=True)
class Evaluation:
    """The answers of one evaluation round and what they mean under the threshold."""

    satisfied: int
    fairly_satisfied: int
    dissatisfied: int
    threshold: int
    verdict: Verdict

    @property
    def answers(self) -> int:
        return self.satisfied + self.fairly_satisfied + self.dissatisfied

    @property
    def share(self) -> Fraction | None:
        """Satisfied or fairly satisfied, among all answers (the usual 满意率)."""
        if not self.answers:
            return None
        return Fraction(self.satisfied + self.fairly_satisfied, self.answers)

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


def evaluate(counts: Mapping[Satisfaction, int], threshold: int) -> Evaluation:
    """Below `threshold` percent satisfied the project is reopened for discussion; without
    answers nothing can be concluded, so it stays done."""
    if not 1 <= threshold <= 100:
        raise ValueError(f"threshold must be 1–100 percent, got {threshold}")
    satisfied = counts.get(Satisfaction.SATISFIED, 0)
    fairly = counts.get(Satisfaction.FAIRLY_SATISFIED, 0)
    dissatisfied = counts.get(Satisfaction.DISSATISFIED, 0)
    total = satisfied + fairly + dissatisfied
    if total == 0:
        verdict = Verdict.NO_ANSWERS
    elif Fraction(satisfied + fairly, total) * 100 < threshold:
        verdict = Verdict.REOPENED
    else:
        verdict = Verdict.ACCEPTED
    return Evaluation(satisfied, fairly, dissatisfied, threshold, verdict)


def supporter_key(person_id: int, household_id: int | None) -> str:
    """One voice per registered household; people without one speak for themselves."""
    return f"h{household_id}" if household_id is not None else f"p{person_id}"
