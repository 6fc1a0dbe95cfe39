"""The journal and the journaling rate limiter: a message Telegram confirmed is not sent again
when the same update (or the same piece of work) is handled again."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.handling import current_update_id, handling_update, sending_as
from bot.pacing import SendLimits
from bot.send_journal import JournalingRateLimiter, _content, write_with_records
from storage.database import Database, execute_statement
from storage.inbox import StoredUpdate, UpdateInbox
from storage.journal import Journal, JournalRecord, KnownScopes, recording, update_scope

# The journal is the subject here, not the pacing: lift the limits.
FAST = SendLimits(overall_per_second=1e6, group_per_minute=1e6, private_per_second=1e6)


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Database, Journal, FakeClock]]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    yield db, Journal(db, clock), clock
    await db.close()


class FakeTelegram:
    """Counts sends and answers like Telegram (a message with an id, chat and date)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(data)
        return {
            "message_id": len(self.sent),
            "date": 1,
            "chat": {"id": data["chat_id"], "type": "private", "first_name": "Rita"},
            "text": data.get("text"),
        }


async def _send(
    limiter: JournalingRateLimiter, telegram: FakeTelegram, chat_id: int, text: str
) -> Any:
    data = {"chat_id": chat_id, "text": text}
    return await limiter.process_request(
        telegram.send, ("sendMessage", data), {}, "sendMessage", data, None
    )


async def test_an_update_handled_again_does_not_send_what_it_sent(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    _db, journal, _clock = parts
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()
    with handling_update(7):
        first = await _send(limiter, telegram, 5, "Thank you!")
        await _send(limiter, telegram, 5, "Thank you!")  # the same words twice: two messages
    with handling_update(7):  # handled again
        again = await _send(limiter, telegram, 5, "Thank you!")
        await _send(limiter, telegram, 5, "Thank you!")
        await _send(limiter, telegram, 5, "Something new")
        await _send(limiter, telegram, 6, "Thank you!")  # another chat
    assert [d["text"] for d in telegram.sent] == [
        "Thank you!",
        "Thank you!",
        "Something new",
        "Thank you!",
    ]
    # The recorded answer serves the handler; it keeps no names or texts.
    assert again == {
        "message_id": first["message_id"],
        "date": 1,
        "chat": {"id": 5, "type": "private"},
    }
    with handling_update(8):  # another update says the same: it is a new message
        await _send(limiter, telegram, 5, "Thank you!")
    assert len(telegram.sent) == 5


async def test_a_piece_of_work_is_sent_once_whoever_does_it(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    _db, journal, _clock = parts
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()
    with handling_update(7), sending_as("request:1:card"):
        await _send(limiter, telegram, -100, "#1 water · new")
    with sending_as("request:1:card"):  # a job, with the card's text changed meanwhile
        await _send(limiter, telegram, -100, "#1 water · new · 👥 2")
    await _send(limiter, telegram, -100, "outside any scope")
    await _send(limiter, telegram, -100, "outside any scope")
    assert [d["text"] for d in telegram.sent] == [
        "#1 water · new",
        "outside any scope",
        "outside any scope",
    ]


async def test_settle_keeps_the_first_decision(parts: tuple[Database, Journal, FakeClock]) -> None:
    _db, journal, _clock = parts
    assert await journal.settle("u1", "vote:3", [0]) == ([0], True)
    assert await journal.settle("u1", "vote:3", []) == ([0], False)
    assert await journal.settle("u2", "vote:3", []) == ([], True)


async def test_an_updates_records_go_when_it_is_handled_and_others_age_out(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    db, journal, clock = parts
    inbox = UpdateInbox(db, clock)
    await inbox.store([StoredUpdate(1, "{}"), StoredUpdate(2, "{}")])
    await journal.settle(update_scope(1), "join", "requested")
    await journal.settle(update_scope(2), "join", "requested")
    await journal.record("request:4:card", "sendMessage:-1#0", {"message_id": 9}, chat_id=-1)
    await inbox.mark_handled(1)
    assert await journal.recorded(update_scope(1), "join") is None
    assert await journal.recorded(update_scope(2), "join") == "requested"
    clock.advance(timedelta(days=4))
    assert await journal.prune(timedelta(days=3)) == 2
    assert await journal.recorded("request:4:card", "sendMessage:-1#0") is None


async def test_a_job_started_while_handling_an_update_is_not_that_update(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    """Jobs scheduled from a handler inherit its context variables; their messages must
    still not be taken for the update's (the same reminder text twice is two reminders)."""
    _db, journal, _clock = parts
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()
    with handling_update(7):
        job = asyncio.create_task(_send(limiter, telegram, 5, "⏰ Poll #P1 closes soon"))
    await job
    with handling_update(7):  # the update itself says the same: not the job's message
        await _send(limiter, telegram, 5, "⏰ Poll #P1 closes soon")
        assert current_update_id() == 7
    assert current_update_id() is None
    assert len(telegram.sent) == 2


def _counting_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original = db.fetch_value

    async def counted(sql: str, params: Any = ()) -> Any:
        reads.append(sql)
        return await original(sql, params)

    monkeypatch.setattr(db, "fetch_value", counted)
    return reads


async def test_a_fresh_scope_is_answered_from_memory_and_still_written_down(
    parts: tuple[Database, Journal, FakeClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, journal, clock = parts
    reads = _counting_reads(db, monkeypatch)
    journal.begin_fresh(update_scope(7))
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()
    with handling_update(7, again=False):
        first = await _send(limiter, telegram, 5, "Thank you")
    with handling_update(7):  # a retry in the same process: memory knows what was sent
        again = await _send(limiter, telegram, 5, "Thank you")
        assert await journal.settle(update_scope(7), "vote", [1]) == ([1], True)
        assert await journal.settle(update_scope(7), "vote", [2]) == ([1], False)
    assert reads == []
    assert len(telegram.sent) == 1
    assert again["message_id"] == first["message_id"]
    # A restart forgets the memory; the database holds the same answers.
    restarted = Journal(db, clock)
    step = f"sendMessage:5:{_content({'text': 'Thank you'})}#0"
    assert await restarted.recorded(update_scope(7), step) == again
    assert await restarted.settle(update_scope(7), "vote", [3]) == ([1], False)
    assert reads


async def test_a_new_pieces_scopes_are_fresh_and_others_ask_the_database(
    parts: tuple[Database, Journal, FakeClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, journal, _clock = parts
    await journal.record("request:4:card", "sendMessage:-1#0", {"message_id": 9}, chat_id=-1)
    reads = _counting_reads(db, monkeypatch)
    journal.begin_fresh_family("request:5")
    assert await journal.recorded("request:5:staff:7", "sendMessage:7#0") is None
    assert reads == []
    await journal.record("request:5:staff:7", "sendMessage:7#0", {"message_id": 3}, chat_id=7)
    assert await journal.recorded("request:5:staff:7", "sendMessage:7#0") == {"message_id": 3}
    assert reads == []
    # Not vouched for: the database is asked, and knows.
    assert await journal.recorded("request:4:card", "sendMessage:-1#0") == {"message_id": 9}
    assert len(reads) == 1


def test_known_scopes_forget_a_family_whole_never_one_scope_of_it() -> None:
    known = KnownScopes(limit=2)
    known.begin_family("request:1")
    known.note("request:1:card", "sendMessage:-1#0", "{}")
    known.begin_family("request:2")
    known.begin_family("request:3")  # over the limit: request:1 is forgotten, whole
    assert known.steps("request:1:card") is None
    assert known.steps("request:3:card") == {}
    known.begin("u1")
    known.note("u1", "step", '"x"')
    known.begin("u1")  # vouching again does not wipe what was recorded
    assert known.steps("u1") == {"step": '"x"'}


async def test_a_deferred_record_is_written_with_the_callers_write(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    db, journal, _clock = parts
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()
    await db.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, message_id INTEGER)")
    trips: list[str] = []

    async def set_card(message_id: int, *, journal: Sequence[JournalRecord]) -> int:
        trips.append("set_card")
        return await db.write(
            partial(
                recording,
                journal,
                partial(
                    execute_statement, "INSERT INTO cards (message_id) VALUES (?)", (message_id,)
                ),
            )
        )

    with sending_as("request:1:card", defer_records=True) as sent:
        card = await _send(limiter, telegram, -100, "#1 water · new")
    # Nothing written yet: the record waits for the card's own write.
    assert await db.fetch_value("SELECT count(*) FROM journal") == 0
    assert len(sent.pending) == 1
    await write_with_records(journal, sent, partial(set_card, card["message_id"]))
    assert trips == ["set_card"]
    assert sent.pending == []
    assert await db.fetch_value("SELECT count(*) FROM journal") == 1
    assert await db.fetch_value("SELECT message_id FROM cards") == card["message_id"]
    with sending_as("request:1:card", defer_records=True):  # a replay: not sent again
        await _send(limiter, telegram, -100, "#1 water · new")
    assert len(telegram.sent) == 1


async def test_a_deferred_record_is_kept_when_the_callers_write_fails(
    parts: tuple[Database, Journal, FakeClock],
) -> None:
    db, journal, _clock = parts
    limiter = JournalingRateLimiter(journal, FAST)
    telegram = FakeTelegram()

    async def failing_write(*, journal: Sequence[JournalRecord]) -> None:
        await db.write(partial(recording, journal, partial(execute_statement, "NOT SQL", ())))

    with sending_as("request:2:card", defer_records=True) as sent:
        await _send(limiter, telegram, -100, "#2 power · new")
    with pytest.raises(sqlite3.OperationalError):
        await write_with_records(journal, sent, failing_write)
    # The card's row did not make it, but the record that it was sent did (on its own).
    assert await db.fetch_value("SELECT count(*) FROM journal") == 1
    with sending_as("request:2:card"):
        await _send(limiter, telegram, -100, "#2 power · new")
    assert len(telegram.sent) == 1
