"""The foundation end to end: the real Application over HTTP against the emulator."""

from __future__ import annotations

import gc
from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, free_port, running_bot, settings_for, start_bot


async def test_start_in_private_answers_in_the_users_language(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    li = emulator.create_user("李", language_code="zh-hans")
    bob = emulator.create_user("Bob", language_code="en")
    emulator.user_starts_bot(li)
    emulator.user_starts_bot(bob)
    chinese = await emulator.wait_for_message(li)
    english = await emulator.wait_for_message(bob)
    assert "欢迎" in chinese.content
    assert "/help" in chinese.content
    assert "Welcome" in english.content
    person = await bot.services.people.get(li.id)
    assert person is not None
    assert person.started_bot


async def test_help_in_group_follows_the_chat_language(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    owner = emulator.create_user("Owner", language_code="en")
    group = emulator.create_group("Building 5", creator=owner)
    emulator.send_message(owner, group, "/help")
    first = await emulator.wait_for_message(group, containing="/start")
    assert "命令" in first.content
    emulator.send_message(owner, group, "/language en")
    await emulator.wait_for_message(group, containing="English")
    emulator.send_message(owner, group, "/help")
    english = await emulator.wait_for_message(group, containing="Commands you can use")
    assert "/language" in english.content


async def test_language_change_in_group_is_refused_for_non_admins(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    owner = emulator.create_user("Owner")
    resident = emulator.create_user("Resident")
    group = emulator.create_group("Building 5", creator=owner, members=[resident])
    emulator.send_message(resident, group, "/language en")
    refusal = await emulator.wait_for_message(group, containing="管理员")
    assert refusal.reply_to is not None
    chat = await bot.services.chats.get(group.id)
    assert chat is not None
    assert chat.language is None


async def test_language_usage_for_bad_argument(emulator: BotApiEmulator, bot: RunningBot) -> None:
    bob = emulator.create_user("Bob", language_code="en")
    emulator.send_message(bob, bob, "/language klingon")
    usage = await emulator.wait_for_message(bob, containing="Usage")
    assert "/language zh" in usage.content


async def test_set_my_commands_for_private_and_groups_in_both_languages(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    for scope in ({"type": "all_private_chats"}, {"type": "all_group_chats"}):
        chinese = emulator.commands(scope, "zh")
        english = emulator.commands(scope, "en")
        assert {c["command"] for c in chinese} >= {"start", "help", "language"}
        assert [c["command"] for c in chinese] == [c["command"] for c in english]
        assert chinese != english
        assert emulator.commands(scope, None) == chinese  # the community default is zh
    # Group administrators also get the managing commands; residents' menus stay short.
    admins = {c["command"] for c in emulator.commands({"type": "all_chat_administrators"}, "en")}
    members = {c["command"] for c in emulator.commands({"type": "all_group_chats"}, "en")}
    assert admins > members
    assert {"setup", "poll", "head", "staff", "summary"} <= admins - members
    assert not {"export", "proxy", "forgetme"} & admins  # private-chat commands


async def test_group_message_reaches_handlers_and_is_recorded(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    owner = emulator.create_user("王", username="wang")
    group = emulator.create_group("3号楼", creator=owner)
    emulator.send_message(owner, group, "大家好")
    await bot.settle()
    person = await bot.services.people.get(owner.id)
    chat = await bot.services.chats.get(group.id)
    assert person is not None
    assert person.username == "wang"
    assert chat is not None
    assert chat.title == "3号楼"
    assert chat.is_group


async def test_start_in_group_warns_when_privacy_mode_hides_messages(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    emulator.privacy_mode = True
    owner = emulator.create_user("Owner", language_code="en")
    group = emulator.create_group("Building 7", creator=owner)
    async with running_bot(emulator, settings_for(emulator, tmp_path / "c.db")):
        emulator.send_message(owner, group, "/start")
        reply = await emulator.wait_for_message(group)
        assert "隐私模式" in reply.content
        emulator.promote(group, emulator.bot_user)
        emulator.send_message(owner, group, "/start")
        second = await emulator.wait_for_message(group, count=2)
        assert "隐私模式" not in second.content


async def test_errors_are_reported_to_the_admin_chat_without_the_token(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    admin = emulator.create_user("Admin", language_code="en")
    emulator.user_starts_bot(admin)
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"admins": [admin.id], "admin_chat_id": admin.id},
    )
    # Three 500s in a row: the first try and both retries of the reply to /start fail.
    emulator.inject_fault("sendMessage", kind="server_error", times=3, chat_id=admin.id)
    async with running_bot(emulator, settings):
        report = await emulator.wait_for_message(admin, containing="⚠️")
        assert "NetworkError" in report.content or "Error" in report.content
        assert emulator.token not in report.content
        assert emulator.token.split(":")[1] not in report.content


async def test_a_passing_telegram_error_is_retried_not_reported(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    admin = emulator.create_user("Admin", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    emulator.user_starts_bot(admin)
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en", "admins": [admin.id], "admin_chat_id": admin.id},
    )
    async with running_bot(emulator, settings) as bot:
        await emulator.wait_for_message(admin, containing="Welcome")
        emulator.inject_fault("sendMessage", kind="bad_gateway", times=1, chat_id=resident.id)
        emulator.user_starts_bot(resident)
        await emulator.wait_for_message(resident, containing="Welcome")
        await bot.settle()
    attempts = [
        c for c in emulator.calls("sendMessage") if str(c.params["chat_id"]) == str(resident.id)
    ]
    assert [c.fault for c in attempts] == ["bad_gateway", None]
    assert not [m for m in emulator.messages(admin) if "⚠️" in m.content]


async def test_webhook_mode_stores_then_answers(emulator: BotApiEmulator, tmp_path: Path) -> None:
    port = free_port()
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        telegram={
            "mode": "webhook",
            "webhook": {
                "url": f"http://127.0.0.1:{port}/hook",
                "listen": "127.0.0.1",
                "port": port,
                "path": "/hook",
                "secret_token": "s3cret-token",
            },
        },
    )
    bob = emulator.create_user("Bob", language_code="en")
    async with running_bot(emulator, settings) as bot:
        assert emulator.webhook_url == f"http://127.0.0.1:{port}/hook"
        emulator.user_starts_bot(bob)
        await emulator.wait_for_message(bob, containing="Welcome")
        await bot.settle()
        assert not await bot.services.inbox.unhandled()
        assert await bot.services.inbox.next_offset() is not None


async def test_the_bots_own_process_keeps_startup_objects_out_of_garbage_collection(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    """What start-up built lives as long as the process; full collections skip it."""
    assert gc.get_freeze_count() == 0
    bot = await start_bot(
        emulator, settings_for(emulator, tmp_path / "c.db"), freeze_startup_objects=True
    )
    try:
        assert gc.get_freeze_count() > 0
        owner = emulator.create_user("Owner", language_code="en")
        emulator.user_starts_bot(owner)
        assert "Welcome" in (await emulator.wait_for_message(owner)).content
    finally:
        await bot.shutdown()
        gc.unfreeze()
