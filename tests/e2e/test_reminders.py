"""Staff reminders end to end: deadlines, escalation, quiet hours, digests, the outbox."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from storage.outbox import OutgoingMessage
from storage.requests import NewRequest
from tests.e2e.harness import RunningBot, running_bot, settings_for

# 09:00 in Shanghai: reminders of the first day fall in the daytime.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    resident: SimUser
    volunteer: SimUser
    manager: SimUser
    office: SimUser
    settings: Settings
    database: Path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


def _scene_settings(
    emulator: BotApiEmulator,
    tmp_path: Path,
    group: SimChat,
    people: dict[str, SimUser],
    **extra: Any,
) -> Settings:
    community = {"language": "en", "quiet_hours": "off", "admins": [people["head"].id]}
    community.update(extra.pop("community", {}))
    building_sla = extra.pop("building_sla", {})
    return settings_for(
        emulator,
        tmp_path / "c.db",
        community=community,
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "heads": [people["head"].id],
                "sla": building_sla,
                "staff": [
                    {"user": people["volunteer"].id, "categories": ["water"], "level": 1},
                    {"user": people["manager"].id, "categories": ["water"], "level": 2},
                    {"user": people["office"].id, "categories": ["*"], "level": 3},
                ],
            }
        ],
        **extra,
    )


@pytest.fixture
def scene(emulator: BotApiEmulator, tmp_path: Path) -> Scene:
    people = {
        name: emulator.create_user(name.title(), language_code="en")
        for name in ("head", "resident", "volunteer", "manager", "office")
    }
    for name in ("head", "volunteer", "manager", "office"):
        emulator.user_starts_bot(people[name])
    group = emulator.create_group(
        "Building 5",
        creator=people["head"],
        members=[p for n, p in people.items() if n != "head"],
    )
    settings = _scene_settings(emulator, tmp_path, group, people)
    return Scene(
        group,
        people["head"],
        people["resident"],
        people["volunteer"],
        people["manager"],
        people["office"],
        settings,
        tmp_path / "c.db",
    )


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    async with running_bot(emulator, scene.settings, clock) as running:
        yield running


async def _report(emulator: BotApiEmulator, s: Scene, text: str) -> SentMessage:
    emulator.send_message(s.resident, s.group, text)
    return await emulator.wait_for_message(s.group, containing="#1 ")


async def tick(bot: RunningBot, name: str = "plan_reminders") -> None:
    """Run a repeating job now (its real interval is a minute; the clock here is fake), once
    the bot is idle, as it is long before a real tick a minute later."""
    await bot.settle()
    job = next(j for j in bot.application.job_queue.jobs() if j.name == name)
    await job.run(bot.application)


def _texts(emulator: BotApiEmulator, user: SimUser, needle: str) -> list[str]:
    return [m.content for m in emulator.messages(user) if needle in m.content]


async def test_unassigned_request_climbs_every_level_with_announcements(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await _report(emulator, s, "The water pipe in unit 2 is leaking")
    await emulator.wait_for_message(s.volunteer, containing="New request")
    clock.advance(timedelta(hours=18, minutes=1))  # 75 % of the 24 h to respond
    await tick(bot)
    reminder = await emulator.wait_for_message(s.volunteer, containing="Reminder")
    assert "take it by" in reminder.content
    clock.advance(timedelta(hours=6))  # the response deadline passes: nobody took it
    await tick(bot)
    await emulator.wait_for_message(s.manager, containing="Escalated to you")
    note = await emulator.wait_for_message(s.group, containing="escalated to the level 2")
    assert "#1 is" in note.content
    clock.advance(timedelta(hours=2, minutes=1))  # grace period at level 2
    await tick(bot)
    await emulator.wait_for_message(s.office, containing="Escalated to you")
    await emulator.wait_for_message(s.group, containing="escalated to the level 3")
    clock.advance(timedelta(hours=2, minutes=1))
    await tick(bot)
    await emulator.wait_for_message(s.head, containing="Please step in")
    await emulator.wait_for_message(s.group, containing="no higher staff level is left")
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.level == 3
    actions = [e.action for e in await bot.services.requests.history(1)]
    # Nobody ever took it: level 2, level 3, then heads and admins.
    assert actions.count("escalate_unassigned") == 3
    # Nothing is repeated on later ticks.
    clock.advance(timedelta(minutes=30))
    await tick(bot)
    planner = next(j for j in bot.application.job_queue.jobs() if j.name == "plan_reminders")
    await planner.run(bot.application)
    assert len(_texts(emulator, s.head, "Please step in")) == 1
    assert len(_texts(emulator, s.volunteer, "Reminder")) == 1


async def test_assigned_request_gets_reminded_then_overdue_then_escalated(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await _report(emulator, s, "No water in unit 4 since morning")
    card = await emulator.wait_for_message(s.volunteer, containing="New request")
    query = emulator.press_button(s.volunteer, card, button_text="🛠 Take it")
    await emulator.wait_callback_answer(query)
    await bot.settle()
    clock.advance(timedelta(hours=54, minutes=1))  # 75 % of 72 h to resolve
    await tick(bot)
    reminder = await emulator.wait_for_message(s.volunteer, containing="Reminder")
    assert "should be resolved by" in reminder.content
    clock.advance(timedelta(hours=18))
    await tick(bot)
    await emulator.wait_for_message(s.volunteer, containing="Overdue")
    assert not _texts(emulator, s.manager, "Escalated")
    clock.advance(timedelta(hours=2, minutes=1))
    await tick(bot)
    await emulator.wait_for_message(s.manager, containing="Escalated to you")
    await emulator.wait_for_message(s.group, containing="escalated to the level 2")


async def test_quiet_hours_hold_normal_pings_but_not_urgent_ones(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    people = {
        name: emulator.create_user(name.title(), language_code="en")
        for name in ("head", "resident", "volunteer", "manager", "office")
    }
    for name in ("volunteer", "manager", "office", "head"):
        emulator.user_starts_bot(people[name])
    members = [people[n] for n in ("resident", "volunteer", "manager", "office")]
    group = emulator.create_group("B", creator=people["head"], members=members)
    settings = _scene_settings(
        emulator,
        tmp_path,
        group,
        people,
        community={"quiet_hours": "22:00-07:00"},
        sla={"normal_respond_hours": 2, "urgent_respond_hours": 1},
    )
    evening = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    clock = FakeClock(evening)
    volunteer, manager = people["volunteer"], people["manager"]
    async with running_bot(emulator, settings, clock) as bot:
        emulator.send_message(people["resident"], group, "The water pipe in unit 1 is leaking")
        await emulator.wait_for_message(volunteer, containing="#1")
        emulator.send_message(
            people["resident"], group, "Burst pipe, water flooding the basement!"
        )
        await emulator.wait_for_message(volunteer, containing="#2")
        await bot.settle()
        clock.advance(timedelta(hours=2, minutes=1))  # 22:01: both are due, it is quiet
        await tick(bot)
        urgent = await emulator.wait_for_message(volunteer, containing="Reminder")
        assert "#2 " in urgent.content
        await emulator.wait_for_message(manager, containing="Escalated to you: #2")
        assert not [t for t in _texts(emulator, volunteer, "Reminder") if "#1 " in t]
        assert not _texts(emulator, manager, "Escalated to you: #1")
        clock.advance(timedelta(hours=9))  # 07:01: quiet hours are over
        await tick(bot)
        await emulator.wait_for_message(manager, containing="Escalated to you: #1")
        held = [t for t in _texts(emulator, volunteer, "Reminder") if "#1 " in t]
        assert len(held) == 1


async def test_daily_digest_once_at_its_time_and_digest_command(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await _report(emulator, s, "The water pipe in unit 2 is leaking")
    await emulator.wait_for_message(s.volunteer, containing="New request")
    clock.set(datetime(2026, 11, 24, 0, 59, tzinfo=UTC))  # 08:59 next day
    await tick(bot)
    digests = next(j for j in bot.application.job_queue.jobs() if j.name == "send_digests")
    await digests.run(bot.application)
    assert not _texts(emulator, s.volunteer, "Your open requests")
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # 09:00
    await tick(bot)
    digest = await emulator.wait_for_message(s.volunteer, containing="Your open requests")
    assert "#1" in digest.content
    assert "overdue" in digest.content  # nobody took it within 24 h
    assert digest.reply_markup is not None
    await digests.run(bot.application)
    assert len(_texts(emulator, s.volunteer, "Your open requests")) == 1
    # The manager has nothing of their own: no message.
    assert not _texts(emulator, s.manager, "Your open requests")
    emulator.send_message(s.volunteer, s.volunteer, "/digest off")
    await emulator.wait_for_message(s.volunteer, containing="paused")
    clock.advance(timedelta(days=1))
    await tick(bot)
    await digests.run(bot.application)
    assert len(_texts(emulator, s.volunteer, "Your open requests")) == 1
    emulator.send_message(s.volunteer, s.volunteer, "/digest 07:30")
    await emulator.wait_for_message(s.volunteer, containing="now comes at 07:30")
    emulator.send_message(s.volunteer, s.volunteer, "/digest 25:99")
    await emulator.wait_for_message(s.volunteer, containing="Usage: /digest")
    emulator.send_message(s.volunteer, s.volunteer, "/digest 08:30+08:00")
    await emulator.wait_for_message(s.volunteer, containing="Usage: /digest", count=2)
    emulator.send_message(s.resident, s.resident, "/digest off")
    await emulator.wait_for_message(s.resident, containing="for staff members")
    clock.advance(timedelta(days=1))
    await tick(bot, "send_digests")
    await emulator.wait_for_message(s.volunteer, containing="Your open requests", count=2)


async def test_flood_control_server_errors_and_timeouts_lose_nothing_and_repeat_nothing(
    emulator: BotApiEmulator, tmp_path: Path, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en", "quiet_hours": "off", "admins": [s.head.id]},
        telegram={"request_timeout": 1, "rate_limit": {"max_retries": 0}},
        buildings=[
            {
                "name": "Building 5",
                "chats": [s.group.id],
                "heads": [s.head.id],
                "staff": [{"user": s.volunteer.id, "categories": ["water"], "level": 1}],
            }
        ],
    )
    async with running_bot(emulator, settings, clock) as bot:
        await _report(emulator, s, "The water pipe in unit 2 is leaking")
        await emulator.wait_for_message(s.volunteer, containing="New request")
        for kind in ("flood", "server_error", "timeout"):
            emulator.inject_fault(
                "sendMessage", kind=kind, times=1, chat_id=s.volunteer.id, retry_after=1
            )
        clock.advance(timedelta(hours=18, minutes=1))
        await tick(bot)
        for _attempt in range(6):
            await emulator.wait_for(
                lambda: bot.services.outbox_run.lock.locked() is False, 10, "idle"
            )
            await asyncio.sleep(1.05)  # private chats are paced at about one message a second
            clock.advance(timedelta(minutes=1))
            await tick(bot)
            if _texts(emulator, s.volunteer, "Reminder"):
                break
            await bot.settle()
            outbox = next(
                j for j in bot.application.job_queue.jobs() if j.name == "deliver_outbox"
            )
            await outbox.run(bot.application)
        await emulator.wait_for_message(s.volunteer, containing="Reminder")
        faults = [c for c in emulator.calls("sendMessage") if c.fault]
        assert len(faults) == 3
        clock.advance(timedelta(minutes=5))
        await tick(bot)
        await outbox.run(bot.application)
        assert len(_texts(emulator, s.volunteer, "Reminder")) == 1
        assert await bot.services.outbox.pending_count() == 0


async def test_restart_while_reminders_are_due_sends_each_once(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock):
        await _report(emulator, s, "The water pipe in unit 2 is leaking")
        await emulator.wait_for_message(s.volunteer, containing="New request")
    # While the bot is down, the reminder and the response deadline both pass.
    clock.advance(timedelta(hours=25))
    async with running_bot(emulator, s.settings, clock):
        await emulator.wait_for_message(s.manager, containing="Escalated to you")
        await emulator.wait_for_message(s.volunteer, containing="Reminder")
    async with running_bot(emulator, s.settings, clock) as third:
        await tick(third)
    # Coalesced: one reminder, one escalation, across three starts.
    assert len(_texts(emulator, s.volunteer, "Reminder")) == 1
    assert len(_texts(emulator, s.manager, "Escalated to you")) == 1
    with sqlite3.connect(s.database) as conn:
        unsent = conn.execute(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
    assert unsent == (0,)


def _stored(database: Path, column: str) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(f"SELECT {column} FROM requests WHERE id = 1").fetchone()
    assert row is not None
    assert row[0] is not None
    return int(row[0])


async def test_the_stored_due_moment_survives_restarts_and_wakes_the_next_rung(
    emulator: BotApiEmulator, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    async with running_bot(emulator, s.settings, clock):
        await _report(emulator, s, "The water pipe in unit 2 is leaking")
        await emulator.wait_for_message(s.volunteer, containing="New request")
    created = _stored(s.database, "created_at")
    assert _stored(s.database, "next_due_at") == created + 18 * 3600  # the response reminder
    clock.advance(timedelta(hours=24, minutes=1))
    async with running_bot(emulator, s.settings, clock):
        await emulator.wait_for_message(s.manager, containing="Escalated to you")
    # The next rung is due a grace period after the climb, and only then.
    escalated = _stored(s.database, "escalated_at")
    assert _stored(s.database, "next_due_at") == escalated + 2 * 3600
    clock.advance(timedelta(hours=1, minutes=50))
    async with running_bot(emulator, s.settings, clock) as restarted:
        await tick(restarted)
        await restarted.settle()
        assert not _texts(emulator, s.office, "Escalated to you")
        clock.advance(timedelta(minutes=15))
        await tick(restarted)
        await emulator.wait_for_message(s.office, containing="Escalated to you")


async def test_blocked_staff_member_is_mentioned_in_the_group(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await _report(emulator, s, "The water pipe in unit 2 is leaking")
    await emulator.wait_for_message(s.volunteer, containing="New request")
    emulator.block_bot(s.volunteer)
    clock.advance(timedelta(hours=18, minutes=1))
    await tick(bot)
    mention = await emulator.wait_for_message(s.group, containing="cannot message you privately")
    assert "Volunteer" in mention.content
    assert "#1" in mention.content
    person = await bot.services.people.get(s.volunteer.id)
    assert person is not None
    assert person.blocked_bot


async def test_a_building_can_have_its_own_deadlines(
    emulator: BotApiEmulator, tmp_path: Path, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    people = {
        "head": s.head,
        "resident": s.resident,
        "volunteer": s.volunteer,
        "manager": s.manager,
        "office": s.office,
    }
    settings = _scene_settings(
        emulator, tmp_path, s.group, people, building_sla={"normal_respond_hours": 1}
    )
    async with running_bot(emulator, settings, clock) as bot:
        await _report(emulator, s, "The water pipe in unit 2 is leaking")
        await emulator.wait_for_message(s.volunteer, containing="New request")
        await bot.settle()
        clock.advance(timedelta(minutes=46))  # 75 % of this building's 1 h
        await tick(bot)
        reminder = await emulator.wait_for_message(s.volunteer, containing="Reminder")
        assert "10:00" in reminder.content  # 09:00 + 1 h, Shanghai time


async def test_outbox_follows_a_group_that_became_a_supergroup(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    supergroup = emulator.migrate_to_supergroup(s.group, by_user=s.head)
    await bot.settle()
    # Queued under the old id after the move (e.g. by a job that read the chat just before).
    await bot.services.outbox.add(
        [
            OutgoingMessage("late-for-old-id", s.group.id, "#1 is 3 h overdue"),
            OutgoingMessage(
                "blocked-fallback",
                s.volunteer.id,
                "Reminder",
                fallback_chat_id=s.group.id,
                fallback_text="Volunteer, I cannot message you privately",
            ),
        ]
    )
    emulator.block_bot(s.volunteer)
    for _attempt in range(3):
        await tick(bot, "deliver_outbox")
    await emulator.wait_for_message(supergroup, containing="#1 is 3 h overdue")
    await emulator.wait_for_message(supergroup, containing="cannot message you privately")
    assert not [m for m in emulator.messages(s.group) if "overdue" in m.content]
    assert await bot.services.outbox.pending_count() == 0


async def test_outbox_gives_up_after_a_day_of_failures(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await bot.settle()
    # Two messages to one chat: the second waits behind the first, and expires with it.
    await bot.services.outbox.add(
        [
            OutgoingMessage("doomed", s.volunteer.id, "Reminder"),
            OutgoingMessage("behind", s.volunteer.id, "Escalated to you"),
        ]
    )
    emulator.inject_fault("sendMessage", kind="server_error", times=100, chat_id=s.volunteer.id)
    for advance, still_pending in ((0, 2), (23, 2), (1.1, 0)):
        clock.advance(timedelta(hours=advance))
        await asyncio.sleep(1.05)  # private chats are paced at about one message a second
        await tick(bot, "deliver_outbox")
        assert await bot.services.outbox.pending_count() == still_pending
    with sqlite3.connect(s.database) as conn:
        failed = dict(
            conn.execute(
                "SELECT dedup_key, attempts FROM outbox WHERE failed_at IS NOT NULL "
                "AND last_error LIKE '%(expired)'"
            ).fetchall()
        )
    assert failed == {"doomed": 2, "behind": 0}
    emulator.clear_faults()
    await asyncio.sleep(1.05)
    await tick(bot, "deliver_outbox")
    assert not _texts(emulator, s.volunteer, "Reminder")
    assert not _texts(emulator, s.volunteer, "Escalated to you")


async def test_a_digest_lists_the_15_most_pressing_counts_the_rest_and_splits_whole_lines(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    building = await bot.services.buildings.find("Building 5")
    assert building is not None
    ids = []
    for number in range(20):
        clock.advance(timedelta(minutes=1))  # each one a minute younger than the one before
        request, _created = await bot.services.requests.create(
            NewRequest(
                building.id,
                None,
                None,
                s.resident.id,
                "water",
                number in (2, 16),  # two urgent ones: overdue within the hour
                None,
                # Markup characters escape to four or five: 15 such lines need two messages.
                f"Leak number {number} " + "<&>" * 30,
            )
        )
        await bot.services.requests.update(request.id, assignee_id=s.volunteer.id)
        ids.append(request.id)
    await bot.settle()
    clock.advance(timedelta(hours=2))
    # The first part meets a server error: the others wait for it, so the order holds.
    emulator.inject_fault("sendMessage", kind="server_error", times=1, chat_id=s.volunteer.id)
    await tick(bot, "send_digests")
    assert not _texts(emulator, s.volunteer, "Leak number")
    for _attempt in range(10):
        if _texts(emulator, s.volunteer, "more: /mine"):
            break
        clock.advance(timedelta(seconds=30))
        await asyncio.sleep(1.05)  # private chats are paced at about one message a second
        await tick(bot, "deliver_outbox")
    parts = [m for m in emulator.messages(s.volunteer) if "Leak number" in m.content]
    assert len(parts) >= 2
    assert all(len(m.content) <= 4096 for m in parts)
    assert parts[0].content.startswith("☀️ Your open requests (20)")
    listed = "\n".join(m.content for m in parts)
    shown = [int(n) for n in re.findall(r"^(?:🚨 )?#(\d+) ", listed, re.MULTILINE)]
    # The overdue (urgent) ones first, the longest overdue first; then the oldest first.
    urgent = [ids[2], ids[16]]
    rest = [n for n in ids if n not in urgent]
    assert shown == urgent + rest[:13]
    assert listed.endswith("…and 5 more: /mine")
    assert re.search(rf"^🚨 #{ids[2]} .* · open for 2 h · ⚠️ 1 h overdue$", listed, re.MULTILINE)
    assert re.search(rf"^#{ids[0]} .* · open for 2 h · due in 21 h$", listed, re.MULTILINE)
    assert "<&><&><&>" in listed
    # Buttons once, under the last part: the first eight shown, two a row.
    assert [m.reply_markup is not None for m in parts] == [False] * (len(parts) - 1) + [True]
    markup = parts[-1].reply_markup
    assert markup is not None
    rows = markup["inline_keyboard"]
    assert [len(row) for row in rows] == [2, 2, 2, 2]
    buttons = [button for row in rows for button in row]
    assert [b["callback_data"].rsplit(":", 1)[1] for b in buttons] == [str(n) for n in shown[:8]]
    assert all(b["text"].endswith(f"#{n}") for b, n in zip(buttons, shown, strict=False))


async def test_mine_pages_through_what_the_digest_lists_and_only_for_its_owner(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, clock: FakeClock
) -> None:
    s = scene
    await _report(emulator, s, "The water pipe in unit 2 is leaking")  # routed, nobody took it
    await emulator.wait_for_message(s.volunteer, containing="New request")
    building = await bot.services.buildings.find("Building 5")
    assert building is not None
    for number in range(10):
        clock.advance(timedelta(minutes=1))
        request, _created = await bot.services.requests.create(
            NewRequest(
                building.id,
                None,
                None,
                s.resident.id,
                "water",
                number == 4,
                None,
                f"Leak number {number}",
            )
        )
        await bot.services.requests.update(request.id, assignee_id=s.volunteer.id)
    await bot.settle()
    clock.advance(timedelta(hours=2))
    await tick(bot, "send_digests")
    await tick(bot, "deliver_outbox")
    digest = await emulator.wait_for_message(s.volunteer, containing="Your open requests (11)")
    digest_order = re.findall(r"^(?:🚨 )?#(\d+) ", digest.content, re.MULTILINE)
    assert "1" in digest_order  # the routed one nobody took is listed too
    assert len(digest_order) == 11

    emulator.send_message(s.volunteer, s.volunteer, "/mine")
    first = await emulator.wait_for_message(s.volunteer, containing="(1–8 of 11)")
    first_ids = re.findall(r"^(?:🚨 )?#(\d+) ", first.content, re.MULTILINE)
    assert first_ids == digest_order[:8]
    query = emulator.press_button(s.volunteer, first, button_text="Next ▶️")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "(9–11 of 11)" in first.content, 5, "the next page")
    assert re.findall(r"^(?:🚨 )?#(\d+) ", first.content, re.MULTILINE) == digest_order[8:]
    # A forged page of someone else's list is refused, whatever the button says.
    forged = emulator.press_button(s.volunteer, first, f"mn:{s.manager.id}:0", stale=True)
    answer = await emulator.wait_callback_answer(forged)
    assert "out of date" in (answer.text or "")
    assert "(9–11 of 11)" in first.content
