"""Hostile input end to end: forged buttons, huge numbers, unknown ids. Nothing may raise,
every press is answered, and the admin chat is not flooded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.community import CommunityRole
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for

HUGE = "9" * 25


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    resident: SimUser
    admin: SimUser
    admin_chat: SimChat


@pytest.fixture
async def scene(
    emulator: BotApiEmulator, tmp_path: Path
) -> AsyncIterator[tuple[Scene, RunningBot]]:
    head = emulator.create_user("Hana", username="hana", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    admin = emulator.create_user("Ada", language_code="en")
    group = emulator.create_group("Building 5 chat", creator=head, members=[resident, admin])
    admin_chat = emulator.create_group("Admins", creator=admin)
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en", "admins": [admin.id], "admin_chat_id": admin_chat.id},
        buildings=[{"name": "Building 5", "chats": [group.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        yield Scene(group, head, resident, admin, admin_chat), bot


async def test_forged_button_data_is_answered_and_reports_nothing(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot]
) -> None:
    s, bot = scene
    emulator.send_message(s.resident, s.group, "The lift in unit 2 is broken, stuck on floor 3")
    card = await emulator.wait_for_message(s.group, containing="#1 ")
    forged = [
        f"rq:take:{HUGE}",
        f"rq:rate:5:{HUGE}",
        f"pv:{HUGE}:0",
        f"pv:1:{HUGE}",
        f"rl:{HUGE}:0",
        f"pl:1:{HUGE}",
        f"hh:a:{HUGE}:{HUGE}",
        f"sg:track:{HUGE}",
        f"setup:unlink:{HUGE}",
        f"join:{HUGE}:3-502",
        "pr:b:²",
        "pr:b:" + "9" * 20,
        "rq:take:٣",
        "nonsense",
        "x" * 64,
    ]
    for data in forged:
        query = emulator.press_button(s.resident, card, data, stale=True)
        answer = await emulator.wait_callback_answer(query)
        assert answer.text == "This button is out of date.", data
    await bot.settle()
    assert not [m for m in emulator.messages(s.admin_chat) if "⚠️" in m.content]


async def test_huge_request_number_is_no_such_request(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot]
) -> None:
    s, bot = scene
    emulator.send_message(s.resident, s.group, "/request 999999999999999999999")
    answer = await emulator.wait_for_message(s.group, containing="There is no request")
    assert "Usage" not in answer.content
    emulator.send_message(s.resident, s.resident, f"/request #{HUGE}")
    await emulator.wait_for_message(s.resident, containing="There is no request")
    emulator.send_message(s.head, s.group, f"/poll {HUGE} close")
    await emulator.wait_for_message(s.group, containing="There is no poll")
    assert await bot.services.polls.get(1) is None  # not taken for a question either
    emulator.send_message(s.resident, s.group, "The lift in unit 2 is broken, stuck on floor 3")
    await emulator.wait_for_message(s.group, containing="#1 ")
    emulator.send_message(s.head, s.group, f"/reject 1 duplicate {HUGE}")
    await emulator.wait_for_message(s.group, containing="There is no request", count=2)
    await bot.settle()
    assert not [m for m in emulator.messages(s.admin_chat) if "⚠️" in m.content]


async def test_a_head_cannot_be_an_id_nobody_has_seen(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot]
) -> None:
    s, bot = scene
    emulator.send_message(s.head, s.group, "/head add 999999999999999")
    await emulator.wait_for_message(s.group, containing="I do not know anyone with the id")
    building = await bot.services.buildings.find("Building 5")
    assert building is not None
    assert await bot.services.roles.get(building.id, 999999999999999, CommunityRole.HEAD) is None
    # Someone in the group who never wrote is looked up in the group and appointed.
    quiet = emulator.create_user("Quinn", language_code="en")
    emulator.add_member(s.group, quiet)
    await bot.settle()
    emulator.send_message(s.head, s.group, f"/head add {quiet.id}")
    await emulator.wait_for_message(s.group, containing="Quinn")
    assert await bot.services.roles.get(building.id, quiet.id, CommunityRole.HEAD) is not None


async def test_deep_links_with_huge_numbers_are_out_of_date(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot]
) -> None:
    s, bot = scene
    emulator.user_starts_bot(s.resident, f"join-{HUGE}")
    await emulator.wait_for_message(s.resident, containing="out of date")
    emulator.user_starts_bot(s.head, f"households-{HUGE}")
    await emulator.wait_for_message(s.head, containing="out of date")
    await bot.settle()
    assert not [m for m in emulator.messages(s.admin_chat) if "⚠️" in m.content]


async def test_the_same_error_again_and_again_is_one_notice_with_a_count(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot]
) -> None:
    s, bot = scene
    users = [emulator.create_user(f"User {n}", language_code="en") for n in range(5)]
    for user in users:
        # The reply to /start fails on the first try and on both retries: a real error.
        emulator.inject_fault("sendMessage", kind="server_error", times=3, chat_id=user.id)
        emulator.user_starts_bot(user)
    await bot.settle(timeout=20)
    notices = [m for m in emulator.messages(s.admin_chat) if "⚠️" in m.content]
    assert len(notices) == 1
    (follow_up,) = bot.application.job_queue.get_jobs_by_name("error-notice-follow-up")
    await follow_up.run(bot.application)
    summary = await emulator.wait_for_message(s.admin_chat, containing="4 more time(s)")
    assert "NetworkError" in summary.content
    assert emulator.token not in summary.content


COMMANDS = (
    "request", "requests", "poll", "polls", "proxy", "setup", "head", "staff", "roles", "join",
    "household", "households", "reject", "close", "reopen", "note", "assign", "summary",
    "export", "digest", "language", "whoami", "report", "track", "mine", "leave", "help",
)  # fmt: skip


def _hostile_arguments(count: int) -> list[str]:
    """Arguments as hypothesis draws them: any Unicode, huge numbers, dates, flags."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    drawn: list[str] = []
    words = st.one_of(
        st.text(max_size=30),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.sampled_from(
            ["0001-01-01 00:00", "9999-12-31", "--until", "--hours", "0.0000001", "#P1",
             "add", "remove", "extend", "close", "cancel", "duplicate", "1", "@nobody_here"]
        ),
    )  # fmt: skip

    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(words, max_size=5))
    def collect(args: list[str]) -> None:
        drawn.append(" ".join(args))

    collect()
    return drawn


async def test_any_command_with_any_arguments_gets_an_answer_not_an_error(
    emulator: BotApiEmulator, scene: tuple[Scene, RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    s, bot = scene
    emulator.send_message(s.resident, s.group, "The lift in unit 2 is broken, stuck on floor 3")
    await emulator.wait_for_message(s.group, containing="#1 ")
    emulator.send_message(s.head, s.group, "/poll Paint the door red?")
    await emulator.wait_for_message(s.group, containing="(#P1)")
    known_crashes = [
        "/poll Q? --until 0001-01-01 00:00",
        "/poll Q? --until 9999-12-31",
        "/poll Q? --hours 0.0000001",
        "/poll 99999999999999999999 close",
        f"/request {HUGE}",
        f"/reject {HUGE} other x",
        f"/reject 1 duplicate {HUGE}",
        "/export 9999-12-30 9999-12-31",
        "/export 0001-01-01 0001-01-02",
        f"/proxy {HUGE} 1-101 1",
        f"/setup households {HUGE}",
        f"/poll 1 extend {HUGE}",
        f"/start join-{HUGE}",
    ]
    for text in known_crashes:
        for chat in (s.group, s.admin):
            emulator.send_message(s.admin, chat, text)
    arguments = _hostile_arguments(12)
    for index, args in enumerate(arguments):
        command = COMMANDS[index % len(COMMANDS)]
        for user in (s.head, s.resident):
            for chat in (s.group, user):
                emulator.send_message(user, chat, f"/{command} {args}".strip())
        for command in COMMANDS[index :: len(arguments)]:
            emulator.send_message(s.head, s.group, f"/{command} {args}".strip())
    await bot.settle(timeout=60)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [
        r.getMessage() for r in caplog.records if r.levelname == "ERROR"
    ]
    assert not [m for m in emulator.messages(s.admin_chat) if "⚠️" in m.content]
