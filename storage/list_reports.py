"""Read-only queries behind the board, the lists part of reports and the lists export."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.lists import ACTIVE_NEEDS, ACTIVE_PROJECTS
from storage.database import Database, placeholders
from storage.decisions import Decision, DecisionRepository
from storage.meetings import Meeting, MeetingRepository
from storage.needs import Need, NeedRepository
from storage.projects import Project, ProjectRepository

_OPEN_REQUESTS = tuple(sorted(s.value for s in OPEN_STATUSES))


@dataclass(frozen=True)
class OpenProblem:
    category: str
    urgent: bool
    created_at: datetime


@dataclass(frozen=True)
class ListsSnapshot:
    """What the board shows: the building's three lists now."""

    top_needs: tuple[Need, ...]
    active_needs: int
    problems: tuple[OpenProblem, ...]
    projects: tuple[Project, ...]
    active_projects: int
    next_meeting: Meeting | None
    overdue_decisions: tuple[Decision, ...]
    overdue_decision_count: int


@dataclass(frozen=True)
class ListsPeriod:
    """The lists part of a building's report for one period."""

    needs_new: int
    needs_active: int
    needs_declined: int
    needs_adopted: int
    top_needs: tuple[Need, ...]
    projects_active: tuple[Project, ...]
    projects_done: int
    evaluations: tuple[Project, ...]  # evaluations finished in the period
    meetings_held: int
    decisions_made: int
    decisions_done: int
    decisions_overdue: int

    @property
    def is_quiet(self) -> bool:
        return not (
            self.needs_new
            or self.needs_active
            or self.projects_active
            or self.projects_done
            or self.meetings_held
            or self.decisions_made
            or self.decisions_overdue
        )


@dataclass(frozen=True)
class ListsExport:
    needs: tuple[Need, ...]
    projects: tuple[Project, ...]
    meetings: tuple[Meeting, ...]
    decisions: tuple[Decision, ...]
    history: tuple[tuple[str, int, datetime, int | None, str, str], ...]

    @property
    def is_empty(self) -> bool:
        return not (self.needs or self.projects or self.meetings or self.decisions)


def _bounds(start: datetime, end: datetime) -> tuple[int, int]:
    return math.ceil(start.timestamp()), math.ceil(end.timestamp())


class ListReportRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._needs = NeedRepository(database, clock)
        self._projects = ProjectRepository(database, clock)
        self._meetings = MeetingRepository(database, clock)
        self._decisions = DecisionRepository(database, clock)

    async def snapshot(self, building_id: int, now: datetime, *, top: int = 3) -> ListsSnapshot:
        needs, active_needs = await self._needs.page(
            building_id, ACTIVE_NEEDS, limit=top, offset=0
        )
        rows = await self._db.fetch_all(
            "SELECT category, urgent, created_at FROM requests WHERE building_id = ? "
            f"AND status IN ({placeholders(_OPEN_REQUESTS)})",
            (building_id, *_OPEN_REQUESTS),
        )
        problems = tuple(
            OpenProblem(str(r[0]), bool(r[1]), from_timestamp(int(r[2]))) for r in rows
        )
        projects, active_projects = await self._projects.page(
            building_id, ACTIVE_PROJECTS, limit=top, offset=0
        )
        upcoming = await self._meetings.upcoming(building_id, now, limit=1)
        overdue, overdue_count = await self._decisions.page(
            building_id, open_only=True, overdue_at=now, limit=2, offset=0
        )
        return ListsSnapshot(
            top_needs=tuple(needs),
            active_needs=active_needs,
            problems=problems,
            projects=tuple(projects),
            active_projects=active_projects,
            next_meeting=upcoming[0] if upcoming else None,
            overdue_decisions=tuple(overdue),
            overdue_decision_count=overdue_count,
        )

    async def period(self, building_id: int, start: datetime, end: datetime) -> ListsPeriod:
        low, high = _bounds(start, end)
        now = self._clock.now()
        needs_new = await self._count(
            "SELECT count(*) FROM needs WHERE building_id = ? AND created_at >= ? "
            "AND created_at < ?",
            (building_id, low, high),
        )
        moved_rows = await self._db.fetch_all(
            "SELECT e.action, count(DISTINCT e.item_id) FROM list_events e "
            "JOIN needs n ON n.id = e.item_id WHERE e.item_kind = 'need' AND e.at >= ? "
            "AND e.at < ? AND n.building_id = ? AND e.action IN ('declined', 'adopted') "
            "GROUP BY e.action",
            (low, high, building_id),
        )
        moved = {str(row[0]): int(row[1]) for row in moved_rows}
        top, active = await self._needs.page(building_id, ACTIVE_NEEDS, limit=3, offset=0)
        projects, _total = await self._projects.page(
            building_id, ACTIVE_PROJECTS, limit=5, offset=0
        )
        done = await self._count(
            "SELECT count(*) FROM projects WHERE building_id = ? AND done_at >= ? AND done_at < ?",
            (building_id, low, high),
        )
        evaluated_ids = [
            int(r[0])
            for r in await self._db.fetch_all(
                "SELECT DISTINCT e.item_id FROM list_events e JOIN projects p ON p.id = "
                "e.item_id WHERE e.item_kind = 'project' AND e.at >= ? AND e.at < ? "
                "AND p.building_id = ? AND e.action LIKE 'evaluation_%'",
                (low, high, building_id),
            )
        ]
        meetings = await self._count(
            "SELECT count(*) FROM meetings WHERE building_id = ? AND starts_at >= ? "
            "AND starts_at < ? AND status = 'planned'",
            (building_id, low, high),
        )
        made = await self._count(
            "SELECT count(*) FROM decisions WHERE building_id = ? AND created_at >= ? "
            "AND created_at < ?",
            (building_id, low, high),
        )
        finished = await self._count(
            "SELECT count(*) FROM decisions WHERE building_id = ? AND done_at >= ? "
            "AND done_at < ?",
            (building_id, low, high),
        )
        overdue = await self._count(
            "SELECT count(*) FROM decisions WHERE building_id = ? AND status = 'open' "
            "AND due_at <= ?",
            (building_id, to_timestamp(now)),
        )
        return ListsPeriod(
            needs_new=needs_new,
            needs_active=active,
            needs_declined=int(moved.get("declined", 0)),
            needs_adopted=int(moved.get("adopted", 0)),
            top_needs=tuple(top),
            projects_active=tuple(projects),
            projects_done=done,
            evaluations=tuple(await self._projects.by_ids(evaluated_ids)),
            meetings_held=meetings,
            decisions_made=made,
            decisions_done=finished,
            decisions_overdue=overdue,
        )

    async def export(self, start: datetime, end: datetime) -> ListsExport:
        """Every need, project, meeting and decision created in the range (all buildings),
        and the history lines written in it."""
        low, high = _bounds(start, end)
        in_range = "created_at >= ? AND created_at < ? ORDER BY id"
        needs = await self._ids(f"SELECT id FROM needs WHERE {in_range}", (low, high))
        projects = await self._ids(f"SELECT id FROM projects WHERE {in_range}", (low, high))
        meetings = await self._ids(f"SELECT id FROM meetings WHERE {in_range}", (low, high))
        decisions = await self._ids(f"SELECT id FROM decisions WHERE {in_range}", (low, high))
        history = await self._db.fetch_all(
            "SELECT item_kind, item_id, at, actor_id, action, note FROM list_events "
            "WHERE at >= ? AND at < ? ORDER BY id",
            (low, high),
        )
        loaded_meetings = [await self._meetings.get(i) for i in meetings]
        return ListsExport(
            needs=tuple(await self._needs.by_ids(needs)),
            projects=tuple(await self._projects.by_ids(projects)),
            meetings=tuple(m for m in loaded_meetings if m is not None),
            decisions=tuple(await self._decisions.by_ids(decisions)),
            history=tuple(
                (str(r[0]), int(r[1]), from_timestamp(int(r[2])), r[3], str(r[4]), str(r[5]))
                for r in history
            ),
        )

    async def _count(self, sql: str, params: tuple[object, ...]) -> int:
        return int(await self._db.fetch_value(sql, params) or 0)

    async def _ids(self, sql: str, params: tuple[object, ...]) -> list[int]:
        return [int(row[0]) for row in await self._db.fetch_all(sql, params)]
