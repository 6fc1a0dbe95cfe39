"""Access checks meet Telegram trouble: only a refusal means "no"; a blip is retried."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import running_bot, settings_for


async def test_a_timeout_while_checking_admins_is_retried_not_a_refusal(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("B7", creator=owner, members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[{"name": "B7", "chats": [group.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.inject_fault("getChatAdministrators", kind="server_error", times=1)
        emulator.send_message(owner, group, "/roles")
        await emulator.wait_for_message(group, containing="Roles in B7")
        await bot.settle()
        assert not [m for m in emulator.messages(group) if "only building heads" in m.content]
        # A real "no" (a resident) is still a refusal, answered once.
        emulator.send_message(resident, group, "/roles")
        await emulator.wait_for_message(group, containing="only building heads")


async def test_a_timeout_while_checking_one_member_is_retried(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    group = emulator.create_group("Fresh group", creator=owner)
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings) as bot:
        await bot.settle()
        emulator.inject_fault("getChatMember", kind="bad_gateway", times=1)
        # Not linked yet: /setup asks Telegram whether the sender administers the group.
        emulator.send_message(owner, group, "/setup households 5")
        await emulator.wait_for_message(group, containing="Link this group to a building first")
        assert not [m for m in emulator.messages(group) if "only building heads" in m.content]


async def test_a_demoted_group_admin_loses_head_rights_at_once(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    helper = emulator.create_user("Hu", language_code="en")
    group = emulator.create_group("B7", creator=owner, admins=[helper], bot_is_admin=True)
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[{"name": "B7", "chats": [group.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(helper, group, "/roles")
        await emulator.wait_for_message(group, containing="Roles in B7")
        emulator.demote(group, helper, by_user=owner)
        await bot.settle()
        # Within the cache's two minutes: the chat_member update already dropped it.
        emulator.send_message(helper, group, "/roles")
        await emulator.wait_for_message(group, containing="only building heads")
