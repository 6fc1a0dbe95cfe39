"""/forgetme forgets: afterwards no table, no column, and neither the database file nor its
write-ahead log holds the person's id, name, username or phone number."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.classifier import Verdict
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for

PHONE = "13912345678"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "courtyard.db"


@pytest.fixture
async def bot(emulator: BotApiEmulator, database: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, database, community={"language": "en"})
    async with running_bot(emulator, settings) as running:
        yield running


def _traces(person: SimUser) -> list[str]:
    """What must not be found: the id (as a whole number), names, username, phone."""
    assert person.username
    assert person.last_name
    return [person.first_name, person.last_name, person.username, PHONE]


def _whole_number(person_id: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!\d){person_id}(?!\d)")


def _leftovers_in_tables(database: Path, person: SimUser) -> list[str]:
    """Every value of every column of every table, checked."""
    found = []
    number = _whole_number(person.id)
    words = [w.casefold() for w in _traces(person)]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    if value == person.id or (
                        isinstance(value, str)
                        and (number.search(value) or any(w in value.casefold() for w in words))
                    ):
                        found.append(f"{table}.{column} = {str(value)[:80]!r}")
    return found


def _leftovers_in_file(path: Path, person: SimUser) -> list[str]:
    if not path.exists():
        return []
    data = path.read_bytes()
    found = [w for w in _traces(person) if w.encode() in data]
    if re.search(rb"(?<!\d)" + str(person.id).encode() + rb"(?!\d)", data):
        found.append(str(person.id))
    return found


async def test_forgetme_leaves_no_trace_and_keeps_what_the_community_needs(
    emulator: BotApiEmulator, bot: RunningBot, database: Path
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    fiona = emulator.create_user(
        "Fiona", last_name="Quill", username="fiona_q", language_code="en"
    )
    nick = emulator.create_user("Nick", language_code="en")
    pavel = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group("Building 7", creator=head, members=[fiona, nick, pavel])
    emulator.send_message(head, group, "/setup Building 7")
    await emulator.wait_for_message(group, containing="Created building")
    for user in (head, fiona, nick, pavel):
        emulator.user_starts_bot(user)
        await emulator.wait_for_message(user, containing="Welcome")
    hello = emulator.send_message(pavel, group, "hi")
    emulator.send_message(head, group, "/staff add water 1", reply_to=hello)
    await emulator.wait_for_message(group, containing="Pavel is now staff")

    # A household, approved by the head.
    emulator.send_message(fiona, fiona, "/join 3-502")
    ask = await emulator.wait_for_message(head, containing="asks to join 3-502")
    query = emulator.press_button(head, ask, button_text="✅ Approve")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(fiona, containing="was approved")
    # Chat in the group, with a phone number; a request; "me too"; a question about a message
    # that the head then tracks (their update quotes hers).
    mine = emulator.send_message(fiona, group, f"Anyone selling a bike? My phone is {PHONE}")
    emulator.send_message(fiona, group, "The water pipe in unit 3 is leaking")
    await emulator.wait_for_message(group, containing="#1 ")
    emulator.send_message(nick, group, "The elevator in unit 2 is broken again")
    nicks = await emulator.wait_for_message(group, containing="#2 ")
    query = emulator.press_button(fiona, nicks, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    borderline = next(
        text
        for text in (
            "Has anyone noticed the entrance door?",
            "Something is broken near the entrance",
            "The gate near block 2 looks a bit loose",
            "The gate near block 2 seems a bit odd",
            "The side gate looks a bit off",
        )
        if bot.services.understanding.classify(text).verdict is Verdict.BORDERLINE
    )
    vague = emulator.send_message(fiona, group, borderline)
    await emulator.wait_for_message(group, containing="Track this")
    emulator.send_message(head, group, "/track", reply_to=vague)
    await emulator.wait_for_message(group, containing="#3 ")
    emulator.send_message(head, group, f"@{fiona.username} thanks!", reply_to=mine)
    # A role, a vote, a poll of her own, a note, a rating, a private report.
    emulator.send_message(head, group, "/staff add electricity 1", reply_to=mine)
    await emulator.wait_for_message(group, containing="Fiona Quill is now staff")
    emulator.send_message(head, group, "/poll Paint the hall? --household")
    poll = await emulator.wait_for_message(group, containing="(#P1)")
    query = emulator.press_button(fiona, poll, button_text="For")
    await emulator.wait_callback_answer(query)
    emulator.send_message(head, group, "/setup polls everyone")
    await emulator.wait_for_message(group, containing="any resident may start")
    emulator.send_message(fiona, group, "/poll A bike shed?")
    await emulator.wait_for_message(group, containing="(#P2)")
    emulator.send_message(fiona, fiona, "/note 1 I am home after 6")
    await emulator.wait_for_message(fiona, containing="Noted on #1")
    staff_card = await emulator.wait_for_message(pavel, containing="#1")
    for label in ("🛠 Take it", "✅ Resolved"):
        query = emulator.press_button(pavel, staff_card, button_text=label)
        await emulator.wait_callback_answer(query)
    question = await emulator.wait_for_message(fiona, containing="Is it really fixed?")
    query = emulator.press_button(fiona, question, button_text="👍 Fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "How satisfied" in question.content, 15, "rating asked")
    query = emulator.press_button(fiona, question, button_text="⭐⭐⭐⭐")
    await emulator.wait_callback_answer(query)
    emulator.send_message(fiona, fiona, "/report The corridor light on floor 2 is broken")
    photo = await emulator.wait_for_message(fiona, containing="add a photo")
    query = emulator.press_button(fiona, photo, button_text="Skip")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(fiona, containing="your request is filed")
    await bot.settle()
    assert _leftovers_in_tables(database, fiona)  # the check can find her

    emulator.send_message(fiona, fiona, "/forgetme")
    confirm = await emulator.wait_for_message(fiona, containing="Continue?")
    assert "Kept, without your name" in confirm.content
    query = emulator.press_button(fiona, confirm, button_text="Yes, delete my data")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "Done." in confirm.content, 15, "confirmation")
    assert "your votes and your support for needs (they still count)" in confirm.content
    await bot.settle()

    assert _leftovers_in_file(Path(f"{database}-wal"), fiona) == []
    assert _leftovers_in_file(database, fiona) == []
    assert _leftovers_in_tables(database, fiona) == []
    # What the community needs stays, unlinked.
    services = bot.services
    reported = await services.requests.get(1)
    assert reported is not None
    assert reported.reporter_id is None
    assert reported.description == "The water pipe in unit 3 is leaking"
    assert reported.rating == 4
    private = await services.requests.get(4)
    assert private is not None
    assert private.reporter_id is None
    elevator = await services.requests.get(2)
    assert elevator is not None
    assert elevator.affected == 2
    ballots = await services.polls.ballots(1)
    assert [b.ballot.choices for b in ballots] == [frozenset({0})]
    history = await services.requests.history(1)
    assert any(e.action == "note" and e.note == "I am home after 6" for e in history)
