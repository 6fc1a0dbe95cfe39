"""The update inbox: store once, remember the offset, replay only what is unhandled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from storage.database import Database
from storage.inbox import StoredUpdate, UpdateInbox


@pytest.fixture
async def inbox(tmp_path: Path) -> AsyncIterator[tuple[UpdateInbox, FakeClock]]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    yield UpdateInbox(db, clock), clock
    await db.close()


async def test_store_returns_only_new_updates_and_advances_offset(
    inbox: tuple[UpdateInbox, FakeClock],
) -> None:
    box, _ = inbox
    assert await box.next_offset() is None
    first = await box.store([StoredUpdate(10, "{}"), StoredUpdate(11, "{}")])
    assert [u.update_id for u in first] == [10, 11]
    again = await box.store([StoredUpdate(11, "{}"), StoredUpdate(12, "{}")])
    assert [u.update_id for u in again] == [12]
    assert await box.next_offset() == 13


async def test_offset_never_moves_backwards(inbox: tuple[UpdateInbox, FakeClock]) -> None:
    box, _ = inbox
    await box.store([StoredUpdate(50, "{}")])
    await box.store([StoredUpdate(7, "{}")])
    assert await box.next_offset() == 51


async def test_unhandled_lists_what_is_left_in_order(inbox: tuple[UpdateInbox, FakeClock]) -> None:
    box, _ = inbox
    await box.store([StoredUpdate(i, f'{{"update_id": {i}}}') for i in (3, 1, 2)])
    await box.mark_handled(2)
    assert [u.update_id for u in await box.unhandled()] == [1, 3]
    assert await box.is_handled(2)
    assert not await box.is_handled(1)


async def test_prune_forgets_only_old_handled_updates(
    inbox: tuple[UpdateInbox, FakeClock],
) -> None:
    box, clock = inbox
    await box.store([StoredUpdate(1, "{}"), StoredUpdate(2, "{}"), StoredUpdate(3, "{}")])
    await box.mark_handled(1)
    clock.advance(timedelta(days=5))
    await box.mark_handled(2)
    assert await box.prune(timedelta(days=3)) == 1
    assert [u.update_id for u in await box.unhandled()] == [3]
    assert await box.is_handled(2)
    assert await box.next_offset() == 4
