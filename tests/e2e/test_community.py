"""Community setup end to end: buildings, roles, onboarding, the household roster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for


@dataclass
class Building:
    """A group with its owner (a Telegram admin), a resident and a future staff member."""

    group: SimChat
    owner: SimUser
    resident: SimUser
    plumber: SimUser


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings) as running:
        yield running


@pytest.fixture
def building(emulator: BotApiEmulator) -> Building:
    owner = emulator.create_user("Olga", username="olga", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    plumber = emulator.create_user("Pavel", username="pavel", language_code="en")
    group = emulator.create_group("Building 5 chat", creator=owner, members=[resident, plumber])
    return Building(group, owner, resident, plumber)


async def _linked(emulator: BotApiEmulator, bot: RunningBot, b: Building) -> int:
    emulator.send_message(b.owner, b.group, "/setup Building 5")
    await emulator.wait_for_message(b.group, containing="Building 5")
    linked = await bot.services.buildings.for_chat(b.group.id)
    assert linked is not None
    return linked.id


async def test_setup_links_shows_changes_and_unlinks(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    emulator.send_message(b.owner, b.group, "/setup Building 5")
    created = await emulator.wait_for_message(b.group, containing="Created building")
    assert "Next steps" in created.content
    emulator.send_message(b.owner, b.group, "/setup households 706")
    await emulator.wait_for_message(b.group, containing="706 households")
    emulator.send_message(b.owner, b.group, "/setup quiet 23:00-06:30")
    await emulator.wait_for_message(b.group, containing="23:00–06:30")
    emulator.send_message(b.owner, b.group, "/setup timezone Mars/Base")
    await emulator.wait_for_message(b.group, containing="Usage: /setup timezone")
    emulator.send_message(b.owner, b.group, "/setup")
    shown = await emulator.wait_for_message(b.group, containing="This group is linked to")
    assert "706" in shown.content
    assert shown.reply_markup is not None
    # A resident cannot press the unlink button; the owner can.
    query = emulator.press_button(b.resident, shown, button_text="Unlink this group")
    answer = await emulator.wait_callback_answer(query)
    assert "only building heads" in (answer.text or "")
    assert await bot.services.buildings.for_chat(b.group.id) is not None
    query = emulator.press_button(b.owner, shown, button_text="Unlink this group")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "Unlinked" in shown.content, 5, "card edited")
    assert await bot.services.buildings.for_chat(b.group.id) is None
    # Once unlinked, its admins are no longer heads of Building 5 and cannot relink to it.
    emulator.send_message(b.owner, b.group, "/setup Building 5")
    await emulator.wait_for_message(b.group, containing="already exists")
    # Linking to another name moves the group; the old building keeps its settings.
    emulator.send_message(b.owner, b.group, "/setup Courtyard East")
    await emulator.wait_for_message(b.group, containing="Created building")
    emulator.send_message(b.owner, b.group, "/setup Courtyard West")
    await emulator.wait_for_message(b.group, containing="Moved this group from Courtyard East")
    old = await bot.services.buildings.find("building 5")
    assert old is not None
    assert old.total_households == 706


async def test_group_admins_cannot_link_to_someone_elses_building(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    intruder = emulator.create_user("Ivan", language_code="en")
    other = emulator.create_group("Ivan's group", creator=intruder)
    emulator.send_message(intruder, other, "/setup Building 5")
    await emulator.wait_for_message(other, containing="already exists")
    assert await bot.services.buildings.for_chat(other.id) is None
    # The building's own head may link a second chat.
    second = emulator.create_group("Building 5 parents", creator=b.owner)
    emulator.send_message(b.owner, second, "/setup Building 5")
    await emulator.wait_for_message(second, containing="Linked this group to")
    linked = await bot.services.buildings.for_chat(second.id)
    assert linked is not None
    assert linked.id == building_id


async def test_bot_added_greets_once_and_removal_keeps_data(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    group = emulator.create_group("New group", creator=owner, bot_is_member=False)
    emulator.add_bot_to_group(group, owner)
    greeting = await emulator.wait_for_message(group, containing="/setup")
    assert "Hello everyone" in greeting.content
    emulator.send_message(owner, group, "/setup Tower A")
    await emulator.wait_for_message(group, containing="Tower A")
    emulator.remove_bot_from_group(group, owner)
    await bot.settle()
    chat = await bot.services.chats.get(group.id)
    assert chat is not None
    assert not chat.active
    assert await bot.services.buildings.find("Tower A") is not None
    emulator.add_bot_to_group(group, owner)
    await bot.settle()
    greetings = [m for m in emulator.messages(group) if "Hello everyone" in m.content]
    assert len(greetings) == 1
    assert (await bot.services.buildings.for_chat(group.id)) is not None


async def test_migration_to_supergroup_keeps_the_link(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    supergroup = emulator.migrate_to_supergroup(b.group, by_user=b.owner)
    await bot.settle()
    moved = await bot.services.buildings.for_chat(supergroup.id)
    assert moved is not None
    assert moved.id == building_id
    assert await bot.services.buildings.for_chat(b.group.id) is None
    emulator.send_message(b.owner, supergroup, "/setup")
    await emulator.wait_for_message(supergroup, containing="This group is linked to")


async def test_role_commands_by_reply_username_and_id(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    note = emulator.send_message(b.plumber, b.group, "I can fix pipes")
    emulator.send_message(b.owner, b.group, "/staff add water,heating 1", reply_to=note)
    link = await emulator.wait_for_message(b.group, containing="?start=")
    assert "Pavel" in link.content
    staff = await bot.services.roles.get(building_id, b.plumber.id, CommunityRole.STAFF)
    assert staff is not None
    assert staff.categories == {"water", "heating"}
    assert staff.level is StaffLevel.VOLUNTEER
    # @username of someone the bot has seen.
    emulator.send_message(b.resident, b.group, "Hello neighbours")
    emulator.send_message(b.owner, b.group, "/head add @rita")
    await emulator.wait_for_message(b.group, containing="Rita is now a building head")
    assert await bot.services.roles.get(building_id, b.resident.id, CommunityRole.HEAD)
    # A numeric id, then removal by id.
    emulator.send_message(b.owner, b.group, f"/staff add 电梯 level2 {b.resident.id}")
    await emulator.wait_for_message(b.group, containing="elevator")
    emulator.send_message(b.owner, b.group, f"/staff remove {b.resident.id}")
    await emulator.wait_for_message(b.group, containing="no longer staff")
    assert await bot.services.roles.get(building_id, b.resident.id, CommunityRole.STAFF) is None
    emulator.send_message(b.owner, b.group, "/head remove @rita")
    await emulator.wait_for_message(b.group, containing="no longer a building head")
    events = await bot.services.roles.events(building_id)
    assert [(e["role"], e["action"], e["actor_id"]) for e in events] == [
        ("staff", "assign", b.owner.id),
        ("head", "assign", b.owner.id),
        ("staff", "assign", b.owner.id),
        ("staff", "revoke", b.owner.id),
        ("head", "revoke", b.owner.id),
    ]
    emulator.send_message(b.owner, b.group, "/roles")
    listing = await emulator.wait_for_message(b.group, containing="Roles in Building 5")
    assert "Pavel" in listing.content
    assert "has not started the bot" in listing.content


async def test_bad_role_arguments_get_usage(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    await _linked(emulator, bot, b)
    emulator.send_message(b.owner, b.group, "/staff add plumbing @pavel")
    unknown = await emulator.wait_for_message(b.group, containing="Unknown category")
    assert "Usage: /staff add" in unknown.content
    emulator.send_message(b.owner, b.group, "/staff add water")
    await emulator.wait_for_message(b.group, count=2, containing="Usage: /staff add")
    emulator.send_message(b.owner, b.group, "/head promote @rita")
    await emulator.wait_for_message(b.group, containing="Usage: reply to someone with /head")


async def test_staff_onboarding_through_the_deep_link(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    stranger = emulator.create_user("Sam", username="sam_fixes", language_code="en")
    emulator.send_message(b.owner, b.group, "/staff add electricity 2 @sam_fixes")
    invite = await emulator.wait_for_message(b.group, containing="I have not met @sam_fixes")
    token = invite.content.split("?start=")[1].split()[0]
    # Someone else cannot use Sam's link.
    emulator.user_starts_bot(b.resident, token)
    await emulator.wait_for_message(b.resident, containing="meant for someone else")
    emulator.user_starts_bot(stranger, token)
    welcome = await emulator.wait_for_message(stranger, containing="You are staff of Building 5")
    assert "electricity" in welcome.content
    assert "property manager" in welcome.content
    role = await bot.services.roles.get(building_id, stranger.id, CommunityRole.STAFF)
    assert role is not None
    assert role.level is StaffLevel.PROPERTY_MANAGER
    emulator.user_starts_bot(stranger, token)  # the link is one-time, but Sam keeps the role
    await emulator.wait_for_message(stranger, count=2, containing="You are staff")
    emulator.send_message(b.owner, b.group, "/roles")
    listing = await emulator.wait_for_message(b.group, containing="Roles in Building 5")
    assert "Sam" in listing.content
    assert "Invitations not yet opened" not in listing.content


async def test_chat_admins_count_as_heads_unless_configured_otherwise(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    helper = emulator.create_user("Hu", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("B7", creator=owner, admins=[helper], members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[
            {
                "name": "B7",
                "chats": [group.id],
                "chat_admins_are_heads": False,
                "heads": [owner.id],
            }
        ],
    )
    async with running_bot(emulator, settings) as bot:
        building = await bot.services.buildings.find("B7")
        assert building is not None
        emulator.send_message(helper, group, "/roles")
        await emulator.wait_for_message(group, containing="only building heads")
        emulator.send_message(owner, group, "/roles")
        listing = await emulator.wait_for_message(group, containing="Roles in B7")
        assert "Olga" in listing.content
        await bot.services.buildings.update(building.id, chat_admins_are_heads=1)
        emulator.send_message(helper, group, "/roles")
        await emulator.wait_for_message(group, count=2, containing="Roles in B7")


async def test_config_declares_buildings_and_wins(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    owner = emulator.create_user("Olga", language_code="en")
    group = emulator.create_group("B9", creator=owner)
    base = {"community": {"language": "en"}}
    declared = {
        "name": "B9",
        "chats": [group.id],
        "total_households": 120,
        "heads": [4242424],
        "staff": [{"user": 5151515, "categories": ["water"], "level": 2}],
    }
    async with running_bot(
        emulator, settings_for(emulator, tmp_path / "c.db", buildings=[declared], **base)
    ) as bot:
        b9 = await bot.services.buildings.for_chat(group.id)
        assert b9 is not None
        assert b9.total_households == 120
        roles = {(a.person_id, a.role) for a in await bot.services.roles.in_building(b9.id)}
        assert roles == {(4242424, CommunityRole.HEAD), (5151515, CommunityRole.STAFF)}
    declared.pop("staff")
    async with running_bot(
        emulator, settings_for(emulator, tmp_path / "c.db", buildings=[declared], **base)
    ) as bot:
        roles = {(a.person_id, a.role) for a in await bot.services.roles.in_building(b9.id)}
        assert roles == {(4242424, CommunityRole.HEAD)}


async def test_join_in_group_moves_to_private_and_head_approves(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    emulator.user_starts_bot(b.owner)
    await emulator.wait_for_message(b.owner, containing="Welcome")
    emulator.promote(b.group, emulator.bot_user)  # so it may delete the flat number
    typed = emulator.send_message(b.resident, b.group, "/join 3-502")
    button = await emulator.wait_for_message(b.group, containing="keep your flat number private")
    assert "502" not in button.content
    assert all("3-502" not in m.content for m in emulator.messages(b.group))
    assert any(
        m.message_id == typed["message_id"] and m.deleted for m in emulator.history(b.group)
    )
    url = button.reply_markup["inline_keyboard"][0][0]["url"]  # type: ignore[index]
    emulator.user_starts_bot(b.resident, url.split("start=")[1])
    await emulator.wait_for_message(b.resident, containing="Which flat")
    emulator.send_message(b.resident, b.resident, "3单元502室")
    await emulator.wait_for_message(b.resident, containing="sent to the building heads")
    request = await emulator.wait_for_message(b.owner, containing="asks to join 3-502")
    # Another resident cannot approve; the head can.
    query = emulator.press_button(b.plumber, request, button_text="✅ Approve")
    refusal = await emulator.wait_callback_answer(query)
    assert "only building heads" in (refusal.text or "")
    query = emulator.press_button(b.owner, request, button_text="✅ Approve")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(b.resident, containing="was approved")
    membership = await bot.services.households.membership_in(building_id, b.resident.id)
    assert membership is not None
    assert membership.status == "approved"
    assert request.reply_markup is None  # decided: the buttons are gone


async def test_join_rejected_and_auto_approve(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    emulator.user_starts_bot(b.owner)
    emulator.user_starts_bot(b.plumber)
    emulator.send_message(b.plumber, b.plumber, "/join 2-101")
    request = await emulator.wait_for_message(b.owner, containing="asks to join 2-101")
    query = emulator.press_button(b.owner, request, button_text="❌ Reject")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(b.plumber, containing="was not approved")
    assert await bot.services.households.membership_in(building_id, b.plumber.id) is None
    emulator.send_message(b.owner, b.group, "/setup approve auto")
    await emulator.wait_for_message(b.group, containing="approved automatically")
    emulator.user_starts_bot(b.resident)
    emulator.send_message(b.resident, b.resident, "/join 2-102")
    await emulator.wait_for_message(b.resident, containing="You are registered in 2-102")


async def test_on_behalf_registration_and_coverage(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    await _linked(emulator, bot, b)
    emulator.send_message(b.owner, b.group, "/setup households 4")
    await emulator.wait_for_message(b.group, containing="4 households")
    emulator.promote(b.group, emulator.bot_user)
    # In the group the command never registers: it deletes the flat and links to a private chat.
    typed = emulator.send_message(b.owner, b.group, "/household add 1-101 王奶奶")
    link = await emulator.wait_for_message(b.group, containing="private chat")
    assert all(
        "101" not in m.content and "王奶奶" not in m.content for m in emulator.messages(b.group)
    )
    assert any(
        m.message_id == typed["message_id"] and m.deleted for m in emulator.history(b.group)
    )
    url = link.reply_markup["inline_keyboard"][0][0]["url"]  # type: ignore[index]
    emulator.user_starts_bot(b.owner, url.split("start=")[1])
    await emulator.wait_for_message(b.owner, containing="Send the flat and the resident's name")
    emulator.send_message(b.owner, b.owner, "1-101 王奶奶")
    await emulator.wait_for_message(b.owner, containing="on behalf of 王奶奶")
    emulator.send_message(b.owner, b.group, "/setup approve auto")
    await emulator.wait_for_message(b.group, containing="approved automatically")
    emulator.user_starts_bot(b.resident)
    emulator.send_message(b.resident, b.resident, "/join 1-102")
    await emulator.wait_for_message(b.resident, containing="registered in 1-102")
    emulator.send_message(b.owner, b.group, "/households")
    coverage = await emulator.wait_for_message(b.group, containing="households registered")
    assert "2 / 4 households registered (50%)" in coverage.content
    assert "1-10" not in coverage.content  # no flat numbers in the group
    emulator.send_message(b.owner, b.owner, "/households")
    listing = await emulator.wait_for_message(b.owner, containing="households registered")
    assert "王奶奶" in listing.content
    assert "1-102" in listing.content
    # Residents may not list households.
    emulator.send_message(b.resident, b.resident, "/households")
    await emulator.wait_for_message(b.resident, containing="only building heads")


async def test_whoami_leave_and_forgetme(
    emulator: BotApiEmulator, bot: RunningBot, building: Building
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    emulator.send_message(b.owner, b.group, "/setup approve auto")
    await emulator.wait_for_message(b.group, containing="approved automatically")
    emulator.user_starts_bot(b.resident)
    emulator.send_message(b.resident, b.resident, "/join 5-501")
    await emulator.wait_for_message(b.resident, containing="registered in 5-501")
    emulator.send_message(b.resident, b.resident, "/whoami")
    await emulator.wait_for_message(b.resident, containing="Your household: 5-501")
    emulator.send_message(b.resident, b.group, "/whoami")
    in_group = await emulator.wait_for_message(b.group, containing="private chat")
    assert "5-501" not in in_group.content
    emulator.send_message(b.resident, b.resident, "/forgetme")
    confirm = await emulator.wait_for_message(b.resident, containing="Continue?")
    query = emulator.press_button(b.plumber, confirm, button_text="Yes, delete my data")
    await emulator.wait_callback_answer(query)
    assert await bot.services.households.membership_in(building_id, b.resident.id) is not None
    query = emulator.press_button(b.resident, confirm, button_text="Yes, delete my data")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "deleted" in confirm.content, 5, "confirmation edited")
    assert await bot.services.households.membership_in(building_id, b.resident.id) is None
    assert await bot.services.people.get(b.resident.id) is None  # tests/e2e/test_forget.py
    emulator.send_message(b.plumber, b.plumber, "/join 5-502")
    await emulator.wait_for_message(b.plumber, containing="5-502")
    emulator.send_message(b.plumber, b.plumber, "/leave")
    await emulator.wait_for_message(b.plumber, containing="no longer registered")


@pytest.mark.parametrize(
    "command",
    [
        "/setup Other",
        "/setup households 5",
        "/head add @olga",
        "/staff add water @olga",
        "/staff remove @olga",
        "/roles",
        "/households",
        "/household add 1-101 x",
    ],
)
async def test_restricted_commands_refuse_residents(
    emulator: BotApiEmulator, bot: RunningBot, building: Building, command: str
) -> None:
    b = building
    building_id = await _linked(emulator, bot, b)
    emulator.send_message(b.resident, b.group, command)
    await emulator.wait_for_message(b.group, containing="only building heads")
    linked = await bot.services.buildings.for_chat(b.group.id)
    assert linked is not None
    assert linked.id == building_id
    assert linked.total_households is None
    assert await bot.services.roles.in_building(building_id) == []
