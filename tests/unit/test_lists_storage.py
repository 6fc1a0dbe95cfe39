"""Storage of the three lists: one voice per household, merges, moves that settle decisions,
follow-ups recorded once, and scheduled scans that read an index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.list_syntax import AgendaEntry, DecisionKind
from bot.domain.lists import NeedStatus, ProjectStatus, Satisfaction
from bot.domain.meetings import FollowUp
from storage.buildings import BuildingRepository
from storage.database import Database
from storage.decisions import DecisionRepository, NewDecision
from storage.evaluations import EvaluationRepository
from storage.list_history import ListHistoryRepository
from storage.meetings import MeetingRepository, NewMeeting
from storage.needs import NeedRepository, Support
from storage.projects import NewProject, ProjectRepository

START = datetime(2030, 5, 1, 4, 0, tzinfo=UTC)
ALICE, BOB, CAROL, DAVE = 101, 102, 103, 104


@dataclass
class Lists:
    db: Database
    clock: FakeClock
    building_id: int
    needs: NeedRepository
    projects: ProjectRepository
    evaluations: EvaluationRepository
    meetings: MeetingRepository
    decisions: DecisionRepository
    history: ListHistoryRepository


@pytest.fixture
async def lists(tmp_path: Path) -> AsyncIterator[Lists]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(START)
    building, _created = await BuildingRepository(db, clock).ensure("Building 5")
    now = to_timestamp(START)
    async with db.transaction() as conn:
        for person in (ALICE, BOB, CAROL, DAVE):
            await conn.execute(
                "INSERT INTO people (id, first_name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (person, f"P{person}", now, now),
            )
        # Bob and Carol share flat 2-201; Alice and Dave are not registered.
        cursor = await conn.execute(
            "INSERT INTO households (building_id, room, label, created_at) "
            "VALUES (?, '201', '2-201', ?)",
            (building.id, now),
        )
        for person in (BOB, CAROL):
            await conn.execute(
                "INSERT INTO household_members (household_id, person_id, status, requested_at) "
                "VALUES (?, ?, 'approved', ?)",
                (cursor.lastrowid, person, now),
            )
    yield Lists(
        db,
        clock,
        building.id,
        NeedRepository(db, clock),
        ProjectRepository(db, clock),
        EvaluationRepository(db, clock),
        MeetingRepository(db, clock),
        DecisionRepository(db, clock),
        ListHistoryRepository(db, clock),
    )
    await db.close()


async def _need(s: Lists, author: int, text: str, key: str) -> int:
    need, created = await s.needs.create(
        building_id=s.building_id,
        author_id=author,
        text=text,
        source_key=key,
        chat_id=-1,
        public=True,
    )
    assert created
    return need.id


async def test_one_voice_per_household_and_replays_create_nothing(lists: Lists) -> None:
    s = lists
    need_id = await _need(s, ALICE, "Handrails", "-1:10")
    again, created = await s.needs.create(
        building_id=s.building_id,
        author_id=ALICE,
        text="Handrails",
        source_key="-1:10",
        chat_id=-1,
        public=True,
    )
    assert (again.id, created) == (need_id, False)
    assert await s.needs.support(need_id, BOB) is Support.ADDED
    assert await s.needs.support(need_id, CAROL) is Support.HOUSEHOLD
    assert await s.needs.support(need_id, ALICE) is Support.ALREADY
    assert await s.needs.support(need_id, DAVE) is Support.ADDED
    need = await s.needs.get(need_id)
    assert need is not None
    assert need.support == 3
    declined = await s.needs.move(
        need_id, NeedStatus.DECLINED, actor_id=ALICE, decline_reason="no budget"
    )
    assert declined is not None
    assert declined.decline_reason == "no budget"
    assert await s.needs.support(need_id, CAROL) is Support.CLOSED
    assert await s.needs.move(need_id, NeedStatus.FORWARDED, actor_id=ALICE) is None


async def test_a_merged_need_brings_its_supporters_counted_once(lists: Lists) -> None:
    s = lists
    first = await _need(s, ALICE, "Bike shed", "-1:1")
    await s.needs.support(first, BOB)
    second = await _need(s, CAROL, "Shelter for bicycles", "-1:2")  # Bob's household again
    await s.needs.support(second, DAVE)
    merged_into = await s.needs.merge(second, first, actor_id=ALICE)
    assert merged_into is not None
    assert merged_into.support == 3  # Alice, household 2-201, Dave
    gone = await s.needs.get(second)
    assert gone is not None
    assert (gone.status, gone.merged_into) == (NeedStatus.MERGED, first)
    assert await s.needs.merge(first, second, actor_id=ALICE) is None  # into a closed need
    _sources, results = await s.history.links(ItemRef(ItemKind.NEED, second))
    assert results == [ItemRef(ItemKind.NEED, first)]


async def _meeting_and_decision(s: Lists, subject: ItemRef | None) -> tuple[int, int]:
    meeting, _created = await s.meetings.create(
        NewMeeting(
            building_id=s.building_id,
            chat_id=-1,
            source_key="-1:50",
            creator_id=ALICE,
            starts_at=START + timedelta(days=2),
            place="Room",
            agenda=(AgendaEntry("Handrails"),),
        )
    )
    decision, created = await s.decisions.create(
        NewDecision(
            meeting_id=meeting.id,
            item_position=1,
            building_id=s.building_id,
            kind=DecisionKind.PROJECT,
            text="project Handrails",
            owner_id=BOB,
            due_at=START + timedelta(days=10),
            created_by=ALICE,
        )
    )
    assert created
    if subject is not None:
        await s.decisions.set_subject(decision.id, subject, done=False)
    return meeting.id, decision.id


async def test_a_done_project_opens_its_evaluation_and_settles_its_decision(lists: Lists) -> None:
    s = lists
    need_id = await _need(s, ALICE, "Handrails", "-1:3")
    project, _created = await s.projects.create(
        NewProject(
            building_id=s.building_id,
            chat_id=-1,
            source_key="-1:4",
            title="Handrails",
            owner_id=BOB,
            budget_cents=500_000,
            funding="fund",
            target_date=date(2030, 6, 1),
            created_by=ALICE,
            sources=(ItemRef(ItemKind.NEED, need_id),),
        )
    )
    adopted = await s.needs.get(need_id)
    assert adopted is not None
    assert adopted.status is NeedStatus.ADOPTED
    _meeting_id, decision_id = await _meeting_and_decision(
        s, ItemRef(ItemKind.PROJECT, project.id)
    )
    assert await s.projects.move(project.id, ProjectStatus.DONE, actor_id=BOB) is None
    await s.projects.move(project.id, ProjectStatus.APPROVED, actor_id=ALICE)
    done = await s.projects.move(project.id, ProjectStatus.DONE, actor_id=BOB)
    assert done is not None
    assert (done.percent, done.evaluation_round) == (100, 1)
    assert done.evaluation_closes_at == START + timedelta(days=7)
    decision = await s.decisions.get(decision_id)
    assert decision is not None
    assert not decision.is_open
    assert await s.evaluations.rate(project.id, 1, "h1", Satisfaction.DISSATISFIED)
    assert await s.evaluations.rate(project.id, 1, "h1", Satisfaction.SATISFIED)  # replaces
    assert not await s.evaluations.rate(project.id, 2, "p9", Satisfaction.SATISFIED)
    assert await s.evaluations.rating_counts(project.id, 1) == {Satisfaction.SATISFIED: 1}
    assert await s.evaluations.due(START + timedelta(days=6)) == []
    s.clock.advance(timedelta(days=8))
    assert not await s.evaluations.rate(project.id, 1, "h2", Satisfaction.SATISFIED)
    assert [p.id for p in await s.evaluations.due(s.clock.now())] == [project.id]


async def test_a_follow_up_is_recorded_once_and_the_next_moment_stored(lists: Lists) -> None:
    s = lists
    _meeting_id, decision_id = await _meeting_and_decision(s, None)
    assert await s.decisions.due(START) == []
    reminder_at = START + timedelta(days=10) * 0.75
    (decision,) = await s.decisions.due(reminder_at)
    assert decision.id == decision_id
    assert await s.decisions.record_follow_up(
        decision, (FollowUp.REMINDER,), FollowUp.REMINDER, ()
    )
    assert not await s.decisions.record_follow_up(
        decision, (FollowUp.REMINDER,), FollowUp.REMINDER, ()
    )
    assert await s.decisions.due(reminder_at) == []
    (overdue,) = await s.decisions.due(START + timedelta(days=10))
    assert overdue.pings_sent == ("reminder",)
    assert await s.decisions.mark_done(decision_id, BOB)
    assert await s.decisions.due(START + timedelta(days=30)) == []


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT * FROM decisions WHERE next_ping_at IS NOT NULL AND next_ping_at <= 1 "
            "ORDER BY next_ping_at LIMIT 100",
            "decisions_due",
        ),
        (
            "SELECT id FROM meetings WHERE next_reminder_at IS NOT NULL AND next_reminder_at "
            "<= 1 ORDER BY next_reminder_at LIMIT 50",
            "meetings_reminder_due",
        ),
        (
            "SELECT * FROM projects WHERE evaluation_closes_at IS NOT NULL "
            "AND evaluation_closes_at <= 1 ORDER BY evaluation_closes_at LIMIT 50",
            "projects_evaluation_due",
        ),
        (
            "SELECT chat_id FROM boards WHERE enabled = 1 AND refresh_at <= 1 "
            "ORDER BY refresh_at LIMIT 100",
            "boards_refresh_due",
        ),
        ("SELECT chat_id FROM boards WHERE dirty = 1 AND enabled = 1 LIMIT 100", "boards_dirty"),
        (
            "SELECT p.*, q.status FROM projects p JOIN polls q ON q.id = p.poll_id "
            "WHERE p.status = 'voting' AND q.status != 'open' LIMIT 50",
            "projects_voting",
        ),
        (
            "SELECT * FROM needs WHERE building_id = 1 AND status IN ('open', 'forwarded') "
            "ORDER BY support DESC, id LIMIT 3",
            "needs_top",
        ),
    ],
)
async def test_scheduled_scans_read_an_index(lists: Lists, sql: str, index: str) -> None:
    """A district has a million rows: what runs every minute must not scan a table."""
    plan = " | ".join(str(row[3]) for row in await lists.db.fetch_all(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan, plan
