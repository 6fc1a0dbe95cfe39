"""The digest's read: each staff member's open requests (assigned to them, or whose card
reached them while nobody took them), with times in Unix seconds, from indexes alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.due import DueRules
from bot.domain.lifecycle import RequestStatus
from bot.domain.sla import SlaPolicy
from storage.buildings import BuildingRepository
from storage.database import Database
from storage.digest_reads import DigestReads
from storage.requests import NewRequest, RequestRepository
from storage.roles import ensure_person

START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
STAFF, OTHER = 5, 6


@dataclass
class Setup:
    db: Database
    requests: RequestRepository
    building_id: int


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(START)
    building, _ = await BuildingRepository(db, clock).ensure("Building 5")
    requests = RequestRepository(db, clock, lambda: DueRules(SlaPolicy(), timedelta(days=3)))
    async with db.transaction() as conn:
        for person_id in (STAFF, OTHER):
            await ensure_person(conn, person_id, int(START.timestamp()))
    yield Setup(db, requests, building.id)
    await db.close()


async def _request(setup: Setup, reporter: int, urgent: bool = False) -> int:
    request, _ = await setup.requests.create(
        NewRequest(setup.building_id, -1, reporter, reporter, "water", urgent, None, "leak")
    )
    return request.id


async def _take(setup: Setup, request_id: int, person_id: int) -> None:
    taken = await setup.requests.change_status(
        request_id,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.ASSIGNED,
        action="take",
        actor_id=person_id,
        assignee_id=person_id,
    )
    assert taken is not None


async def test_a_staff_members_cards_are_theirs_and_open_and_delivered(setup: Setup) -> None:
    assigned = await _request(setup, 100)
    await _take(setup, assigned, STAFF)
    delivered = await _request(setup, 101, urgent=True)
    await setup.requests.record_delivery(delivered, STAFF, 77, None)
    await setup.requests.record_delivery(delivered, OTHER, 78, None)
    failed = await _request(setup, 102)  # its card never reached them
    await setup.requests.record_delivery(failed, STAFF, None, "Forbidden: bot was blocked")
    taken_by_other = await _request(setup, 103)
    await setup.requests.record_delivery(taken_by_other, STAFF, 79, None)
    await _take(setup, taken_by_other, OTHER)
    rejected = await _request(setup, 104)
    await setup.requests.record_delivery(rejected, STAFF, 80, None)
    gone = await setup.requests.change_status(
        rejected,
        expected=RequestStatus.NEW,
        new_status=RequestStatus.REJECTED,
        action="reject",
        actor_id=STAFF,
    )
    assert gone is not None

    cards = await DigestReads(setup.db).open_cards([STAFF, OTHER, 7])

    assert sorted(card.request_id for card in cards[STAFF]) == [assigned, delivered]
    assert sorted(card.request_id for card in cards[OTHER]) == [delivered, taken_by_other]
    assert cards[7] == []
    card = next(card for card in cards[STAFF] if card.request_id == delivered)
    assert (card.building_id, card.category, card.urgent) == (setup.building_id, "water", True)
    assert (card.status, card.description) == (RequestStatus.NEW, "leak")
    assert card.created_at == int(START.timestamp())
    assert (card.responded_at, card.reopened_at) == (None, None)
    mine = next(card for card in cards[STAFF] if card.request_id == assigned)
    assert mine.status == RequestStatus.ASSIGNED
    assert mine.responded_at == int(START.timestamp())


async def test_delivered_cards_are_read_from_the_index_alone(setup: Setup) -> None:
    request_id = await _request(setup, 100)
    await setup.requests.record_delivery(request_id, STAFF, 77, None)
    statements: list[str] = []
    await setup.db.connection.set_trace_callback(statements.append)
    await DigestReads(setup.db).open_cards([STAFF])
    await setup.db.connection.set_trace_callback(None)
    (statement,) = [s for s in statements if "request_deliveries" in s]
    plan = [str(row[3]) for row in await setup.db.fetch_all(f"EXPLAIN QUERY PLAN {statement}")]
    deliveries = [line for line in plan if line.startswith("SEARCH d ")]
    assert deliveries == [
        "SEARCH d USING COVERING INDEX request_deliveries_open_sent (person_id=?)"
    ]
