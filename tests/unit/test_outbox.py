"""The outbox queue: dedup keys, order per chat, retries, moves, expiry and pruning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from storage.database import Database
from storage.outbox import OutboxRepository, OutgoingMessage

GROUP = -100
OTHER_GROUP = -200
PERSON = 42


@dataclass
class Queue:
    outbox: OutboxRepository
    clock: FakeClock


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[Queue]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    yield Queue(OutboxRepository(db, clock), clock)
    await db.close()


async def _due_keys(q: Queue) -> list[str]:
    return [entry.dedup_key for entry in await q.outbox.due()]


async def test_a_key_is_queued_once_and_photos_keep_their_bytes(queue: Queue) -> None:
    q = queue
    picture = b"\x89PNG fake"
    added = await q.outbox.add(
        [
            OutgoingMessage("report:1", GROUP, "words"),
            OutgoingMessage("report:1:chart", GROUP, "caption", photo=picture),
        ]
    )
    assert added == 2
    assert await q.outbox.add([OutgoingMessage("report:1", GROUP, "words again")]) == 0
    (first,) = await q.outbox.due()
    assert (first.dedup_key, first.text, first.photo) == ("report:1", "words", None)
    await q.outbox.mark_sent(first)
    (chart,) = await q.outbox.due()
    assert chart.photo == picture


async def test_a_chat_waits_for_its_earlier_message_other_chats_do_not(queue: Queue) -> None:
    q = queue
    await q.outbox.add(
        [
            OutgoingMessage("a1", GROUP, "part 1"),
            OutgoingMessage("a2", GROUP, "part 2"),
            OutgoingMessage("b1", OTHER_GROUP, "elsewhere"),
        ]
    )
    assert await _due_keys(q) == ["a1", "b1"]
    first = next(e for e in await q.outbox.due() if e.dedup_key == "a1")
    await q.outbox.retry_later(first.id, timedelta(seconds=30), "502")
    assert await _due_keys(q) == ["b1"]  # part 2 never overtakes part 1
    q.clock.advance(timedelta(seconds=31))
    assert sorted(await _due_keys(q)) == ["a1", "b1"]
    await q.outbox.mark_failed(first.id, "400")
    assert sorted(await _due_keys(q)) == ["a2", "b1"]  # one given up on no longer blocks


async def test_redirect_moves_pending_messages_and_fallbacks(queue: Queue) -> None:
    q = queue
    await q.outbox.add(
        [
            OutgoingMessage("group", GROUP, "overdue"),
            OutgoingMessage("dm", PERSON, "reminder", fallback_chat_id=GROUP, fallback_text="hi"),
        ]
    )
    await q.outbox.redirect(GROUP, OTHER_GROUP)
    entries = {e.dedup_key: e for e in await q.outbox.due()}
    assert entries["group"].chat_id == OTHER_GROUP
    assert entries["dm"].chat_id == PERSON
    assert entries["dm"].fallback_chat_id == OTHER_GROUP


async def test_expire_gives_up_on_old_messages_even_behind_others(queue: Queue) -> None:
    q = queue
    await q.outbox.add(
        [OutgoingMessage("old1", PERSON, "x"), OutgoingMessage("old2", PERSON, "y")]
    )
    q.clock.advance(timedelta(hours=20))
    await q.outbox.add([OutgoingMessage("new", GROUP, "z")])
    q.clock.advance(timedelta(hours=5))
    expired = await q.outbox.expire(q.clock.now() - timedelta(hours=24))
    assert sorted(expired) == ["old1", "old2"]
    assert await _due_keys(q) == ["new"]
    assert await q.outbox.pending_count() == 1


async def test_prune_forgets_only_finished_messages_past_the_cutoff(queue: Queue) -> None:
    q = queue
    await q.outbox.add(
        [
            OutgoingMessage("sent", GROUP, "a"),
            OutgoingMessage("failed", PERSON, "b"),
            OutgoingMessage("pending", OTHER_GROUP, "c"),
        ]
    )
    entries = {e.dedup_key: e for e in await q.outbox.due()}
    await q.outbox.mark_sent(entries["sent"])
    await q.outbox.mark_failed(entries["failed"].id, "403")
    await q.outbox.retry_later(entries["pending"].id, timedelta(days=60), "502")
    assert await q.outbox.prune(q.clock.now()) == 0  # finished just now: kept
    q.clock.advance(timedelta(days=31))
    assert await q.outbox.prune(q.clock.now() - timedelta(days=30)) == 2
    assert await q.outbox.pending_count() == 1
    assert await q.outbox.known("pending")
    assert not await q.outbox.known("sent")


async def test_events_fold_into_the_batch_message_still_waiting(queue: Queue) -> None:
    q = queue
    assert await q.outbox.add_or_fold("added:5", OutgoingMessage("added:5|m1", GROUP, "1"))
    assert not await q.outbox.add_or_fold("added:5", OutgoingMessage("added:5|m2", GROUP, "2"))
    assert await q.outbox.add_or_fold("added:6", OutgoingMessage("added:6|m3", GROUP, "six"))
    (waiting,) = [e for e in await q.outbox.due() if e.dedup_key.startswith("added:5")]
    assert (waiting.dedup_key, waiting.text) == ("added:5|m1", "2")
    assert await q.outbox.mark_sent(waiting)
    # Once sent, the next event starts a new message.
    assert await q.outbox.add_or_fold("added:5", OutgoingMessage("added:5|m4", GROUP, "3"))


async def test_a_text_changed_while_sending_goes_again(queue: Queue) -> None:
    q = queue
    await q.outbox.add_or_fold("added:5", OutgoingMessage("added:5|m1", GROUP, "1"))
    (sending,) = await q.outbox.due()
    await q.outbox.add_or_fold("added:5", OutgoingMessage("added:5|m2", GROUP, "2"))
    assert not await q.outbox.mark_sent(sending)
    (again,) = await q.outbox.due()
    assert (again.id, again.text) == (sending.id, "2")
    assert await q.outbox.mark_sent(again)
    assert await q.outbox.pending_count() == 0
