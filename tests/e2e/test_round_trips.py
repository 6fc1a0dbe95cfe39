"""How many database round trips an ordinary message costs (a count, not a timing).

Every statement awaited on the aiosqlite connection is a trip to its thread and back; on the
hot path that was most of the CPU an update cost (about 26 trips for a line of chit-chat).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest

from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from tests.e2e.harness import RunningBot, eventually, running_bot, settings_for


def _trip_name(fn: Any) -> str:
    """The function, and for a statement the start of its SQL (what a failure shows)."""
    if isinstance(fn, partial):
        sql = next((a for a in fn.args if isinstance(a, str)), "")
        return f"{_trip_name(fn.func)} {' '.join(sql.split())[:70]}".rstrip()
    return str(getattr(fn, "__name__", None) or repr(fn)[:60])


@contextmanager
def counting_round_trips(bot: RunningBot) -> Iterator[list[str]]:
    """Names of the functions the bot's update intake ran on the database thread.

    Only trips made by the polling loop, the per-chat update workers, a request's routing
    after its update (`bot.intake_tails`) and the marking of handled updates count: jobs
    that happen to run meanwhile are not the message's cost."""
    trips: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        name = task.get_name() if task is not None else ""
        if task is bot.task or name.startswith(("updates-", "inbox-mark-handled", "intake-tail-")):
            trips.append(_trip_name(fn))
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]
    try:
        yield trips
    finally:
        aiosqlite.core.Connection._execute = original  # type: ignore[method-assign]


async def _handled(emulator: BotApiEmulator, bot: RunningBot) -> None:
    async def done() -> bool:
        return emulator.pending_update_count == 0 and bot.runner.dispatcher.pending == 0

    await eventually(done, description="the message to be handled")


@pytest.fixture
async def scene(
    emulator: BotApiEmulator, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, SimChat, SimUser]]:
    head = emulator.create_user("Hana", username="hana")
    resident = emulator.create_user("Rita", username="rita")
    group = emulator.create_group("5号楼", creator=head, members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        # A long poll that only returns with updates: no empty polls inside the count.
        telegram={"poll_timeout": 30},
        buildings=[{"name": "5号楼", "chats": [group.id], "heads": [head.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(resident, group, "大家早上好")
        await _handled(emulator, bot)
        yield bot, group, resident


async def test_chit_chat_from_a_known_sender_costs_two_round_trips(
    emulator: BotApiEmulator, scene: tuple[RunningBot, SimChat, SimUser]
) -> None:
    bot, group, resident = scene
    with counting_round_trips(bot) as trips:
        emulator.send_message(resident, group, "今天天气真好")
        await _handled(emulator, bot)
    # Storing the getUpdates batch (with the polling offset) and marking the update handled.
    # The sender and the chat did not change: no write for them; the group's building was
    # read for the first message and nothing changed it since (`Database.generation`).
    assert len(trips) == 2, trips
    assert await bot.services.requests.get(1) is None


async def test_a_changed_name_costs_one_write_more(
    emulator: BotApiEmulator, scene: tuple[RunningBot, SimChat, SimUser]
) -> None:
    bot, group, resident = scene
    resident.first_name = "Margarita"
    with counting_round_trips(bot) as trips:
        emulator.send_message(resident, group, "今天天气真好")
        await _handled(emulator, bot)
    assert len(trips) == 3, trips
    person = await bot.services.people.get(resident.id)
    assert person is not None
    assert person.first_name == "Margarita"


@pytest.fixture
async def request_scene(
    emulator: BotApiEmulator, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, SimChat, SimUser, SimUser, SimUser]]:
    """A building with a plumber who started the bot, and a resident's water request (#1)."""
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    neighbour = emulator.create_user("Nina", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group(
        "Building 5", creator=head, members=[resident, neighbour, plumber]
    )
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        telegram={"poll_timeout": 30},
        community={"language": "en"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "heads": [head.id],
                "staff": [{"user": plumber.id, "categories": ["water"]}],
            }
        ],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.user_starts_bot(plumber)
        await emulator.wait_for_message(plumber, containing="Welcome")
        for user in (resident, neighbour):
            emulator.send_message(user, group, "good morning")
        await _handled(emulator, bot)
        yield bot, group, resident, neighbour, plumber


def _counting_journal_reads(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Steps the journal was asked about that it had to ask the database about."""
    journal = bot.services.journal
    asked: list[str] = []
    original = journal._db.fetch_value

    async def counted(sql: str, params: Any = ()) -> Any:
        if "FROM journal" in sql:
            asked.append(str(params))
        return await original(sql, params)

    monkeypatch.setattr(journal._db, "fetch_value", counted)
    return asked


async def test_a_fresh_request_asks_the_journal_nothing_and_counts_its_trips(
    emulator: BotApiEmulator,
    request_scene: tuple[RunningBot, SimChat, SimUser, SimUser, SimUser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot, group, resident, _neighbour, plumber = request_scene
    asked = _counting_journal_reads(bot, monkeypatch)
    sends_before = len(emulator.calls("sendMessage"))
    with counting_round_trips(bot) as trips:
        emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
        await _handled(emulator, bot)
    # The card in the group and the card to the plumber, each recorded in the journal; no
    # read of the journal before either (the update and the request are new).
    assert len(emulator.calls("sendMessage")) - sends_before == 2
    await emulator.wait_for_message(plumber, containing="#1")
    assert asked == []
    # The batch (the group's building is cached), what intake asks (handled before? repeats
    # an open request?), creating the request (supporter, history line, due moment, its
    # boards marked and the request read back: one trip, `storage.request_writes`), the
    # reporter's name and the building's staff (read once for the card and the routing; the
    # plumber's language was read when he started the bot, and nothing changed it since),
    # the card's id with its journal record, the staff card's delivery with its journal
    # record, routed (with its level), handled.
    assert len(trips) == 9, "\n".join(trips)


async def test_me_too_that_changes_nothing_edits_no_card(
    emulator: BotApiEmulator,
    request_scene: tuple[RunningBot, SimChat, SimUser, SimUser, SimUser],
) -> None:
    bot, group, resident, neighbour, plumber = request_scene
    emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
    card = await emulator.wait_for_message(group, containing="#1 ")
    await emulator.wait_for_message(plumber, containing="#1")
    query = emulator.press_button(neighbour, card, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    await _handled(emulator, bot)
    edits_before = len(emulator.calls("editMessageText"))
    assert edits_before == 2  # the first press counted: both cards say 👥 2
    with counting_round_trips(bot) as trips:
        query = emulator.press_button(neighbour, card, button_text="🙋 Me too")
        answer = await emulator.wait_callback_answer(query)
        await _handled(emulator, bot)
    assert "already counted" in (answer.text or "")
    assert len(emulator.calls("editMessageText")) == edits_before
    # The getUpdates batch, the request, the supporter's write (one transaction, one trip),
    # the handled mark. The chat's languages were read for the first press, and nothing
    # changed them since.
    assert len(trips) == 4, "\n".join(trips)


async def test_a_counted_me_too_and_a_take_count_their_trips(
    emulator: BotApiEmulator,
    request_scene: tuple[RunningBot, SimChat, SimUser, SimUser, SimUser],
) -> None:
    bot, group, resident, neighbour, plumber = request_scene
    emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
    card = await emulator.wait_for_message(group, containing="#1 ")
    await emulator.wait_for_message(plumber, containing="#1")
    await _handled(emulator, bot)
    edits_before = len(emulator.calls("editMessageText"))
    with counting_round_trips(bot) as trips:
        query = emulator.press_button(neighbour, card, button_text="🙋 Me too")
        await emulator.wait_callback_answer(query)
        await _handled(emulator, bot)
    # Both cards say 👥 2 now.
    assert len(emulator.calls("editMessageText")) == edits_before + 2
    # The batch, the chat's languages, the request, the supporter's write, the cards' view
    # (the request, its staff cards, their people and languages: one read), the board,
    # handled. The staff (does the card say nobody serves it?) were read for the request
    # and did not change since.
    assert len(trips) == 7, "\n".join(trips)
    with counting_round_trips(bot) as trips:
        query = emulator.press_button(plumber, card, button_text="🛠 Take it")
        await emulator.wait_callback_answer(query)
        await _handled(emulator, bot)
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.assignee_id == plumber.id
    # The batch, the request, its supporters, three reads for the presser's roles (the
    # building, his assignments, the building's groups: each kept until it changes), the
    # journal's settle, the status change (the request read back in its trip), the cards'
    # view, the board, handled. The languages were read before and did not change.
    assert len(trips) == 11, "\n".join(trips)
