"""Who may create a building, which buildings a resident is offered, and invitations by
@username: a stranger's group cannot pose as someone else's building."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.domain.community import CommunityRole
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for


@dataclass
class Scene:
    admin: SimUser
    owner: SimUser  # creates Tower A's group
    resident: SimUser
    stranger: SimUser  # owns a group of their own
    tower: SimChat
    fake: SimChat


@pytest.fixture
def scene(emulator: BotApiEmulator) -> Scene:
    admin = emulator.create_user("Ada", language_code="en")
    owner = emulator.create_user("Olga", username="olga", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    stranger = emulator.create_user("Sly", username="sly", language_code="en")
    tower = emulator.create_group("Tower A residents", creator=owner, members=[resident, admin])
    fake = emulator.create_group("Tower A (new)", creator=stranger, members=[admin])
    return Scene(admin, owner, resident, stranger, tower, fake)


def _settings(emulator: BotApiEmulator, tmp_path: Path, scene: Scene, **community: Any) -> Any:
    return settings_for(
        emulator,
        tmp_path / "c.db",
        community={
            "language": "en",
            "admins": [scene.admin.id],
            "open_building_creation": False,
            **community,
        },
    )


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path, scene: Scene) -> AsyncIterator[RunningBot]:
    async with running_bot(emulator, _settings(emulator, tmp_path, scene)) as running:
        emulator.user_starts_bot(scene.admin)
        await emulator.wait_for_message(scene.admin, containing="Welcome")
        yield running


def _data(message: SentMessage, label: str) -> str:
    return next(
        b["callback_data"]
        for row in message.reply_markup["inline_keyboard"]  # type: ignore[index]
        for b in row
        if label in b["text"]
    )


async def test_a_new_building_waits_for_a_community_admin(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.owner, s.tower, "/setup Tower A")
    await emulator.wait_for_message(s.tower, containing="needs a community admin's approval")
    assert await bot.services.buildings.find("Tower A") is None
    question = await emulator.wait_for_message(s.admin, containing="asks to create the building")
    assert "Tower A residents" in question.content
    reject = _data(question, "Reject")
    # Nobody but a community admin can press Approve, whatever they send.
    forged = emulator.press_button(s.owner, question, _data(question, "Approve"), stale=True)
    assert "only community admins" in ((await emulator.wait_callback_answer(forged)).text or "")
    assert await bot.services.buildings.find("Tower A") is None
    pressed = emulator.press_button(s.admin, question, _data(question, "✅ Approve"))
    await emulator.wait_callback_answer(pressed)
    await emulator.wait_for_message(s.tower, containing="A community admin approved")
    building = await bot.services.buildings.for_chat(s.tower.id)
    assert building is not None
    assert building.name == "Tower A"
    assert not building.public
    again = emulator.press_button(s.admin, question, reject, stale=True)
    assert "already decided" in ((await emulator.wait_callback_answer(again)).text or "")


async def test_a_rejected_building_is_not_created(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.stranger, s.fake, "/setup Maple Court")
    question = await emulator.wait_for_message(s.admin, containing="Maple Court")
    emulator.press_button(s.admin, question, _data(question, "Reject"))
    await emulator.wait_for_message(s.fake, containing="did not approve")
    assert await bot.services.buildings.find("Maple Court") is None


async def test_look_alike_names_are_refused(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.admin, s.tower, "/setup Tower A")  # an admin creates directly
    await emulator.wait_for_message(s.tower, containing="Created building")
    for disguise in ("Т\u043ewer А", "Tower-A", "T0wer A"):
        emulator.send_message(s.stranger, s.fake, f"/setup {disguise}")
        await emulator.wait_for_message(s.fake, containing="looks too much like")
    # Invisible and full-width tricks are cleaned away: the same name, someone else's.
    for disguise in ("Tower\u200b A", "\u202eTower A", "Ｔｏｗｅｒ Ａ"):
        emulator.send_message(s.stranger, s.fake, f"/setup {disguise}")
        await emulator.wait_for_message(s.fake, containing="already exists", count=1)
    await bot.settle()
    assert [b.name for b in await bot.services.buildings.all()] == ["Tower A"]
    assert await bot.services.buildings.for_chat(s.fake.id) is None
    assert not [m for m in emulator.messages(s.admin) if "asks to create" in m.content]


async def test_open_creation_lets_group_admins_create(
    emulator: BotApiEmulator, tmp_path: Path, scene: Scene
) -> None:
    s = scene
    settings = _settings(emulator, tmp_path, s, open_building_creation=True)
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(s.owner, s.tower, "/setup Tower A")
        await emulator.wait_for_message(s.tower, containing="Created building")
        assert await bot.services.buildings.for_chat(s.tower.id) is not None


async def test_private_pickers_offer_only_the_persons_buildings_with_their_groups(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.admin, s.tower, "/setup Tower A")
    await emulator.wait_for_message(s.tower, containing="Created building")
    emulator.send_message(s.admin, s.fake, "/setup Maple Court")
    await emulator.wait_for_message(s.fake, containing="Created building")
    listed = emulator.create_group("Garden House chat", creator=s.admin)
    emulator.send_message(s.admin, listed, "/setup Garden House")
    await emulator.wait_for_message(listed, containing="Created building")
    emulator.send_message(s.admin, listed, "/setup public on")
    await emulator.wait_for_message(listed, containing="everyone can pick")
    emulator.user_starts_bot(s.resident)
    await emulator.wait_for_message(s.resident, containing="Welcome")

    emulator.send_message(s.resident, s.resident, "/join 3-502")
    picker = await emulator.wait_for_message(s.resident, containing="Which building is 3-502 in")
    labels = [b["text"] for row in picker.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert labels == ["Garden House — Garden House chat", "Tower A — Tower A residents"]
    # A forged press for the stranger's building gets nowhere.
    maple = await bot.services.buildings.find("Maple Court")
    assert maple is not None
    forged = emulator.press_button(s.resident, picker, f"join:{maple.id}:3-502", stale=True)
    assert (await emulator.wait_callback_answer(forged)).text == "This button is out of date."
    assert not await bot.services.households.memberships_of(s.resident.id)

    emulator.send_message(s.resident, s.resident, "/report")
    report = await emulator.wait_for_message(
        s.resident, containing="Which building is the problem"
    )
    labels = [b["text"] for row in report.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert "Maple Court — Tower A (new)" not in labels
    assert "Tower A — Tower A residents" in labels
    forged = emulator.press_button(s.resident, report, f"pr:b:{maple.id}", stale=True)
    assert (await emulator.wait_callback_answer(forged)).text == "This button is out of date."


async def test_an_invitation_by_username_is_bound_to_the_first_holder(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.admin, s.tower, "/setup Tower A")
    await emulator.wait_for_message(s.tower, containing="Created building")
    emulator.user_starts_bot(s.owner)
    await emulator.wait_for_message(s.owner, containing="Welcome")
    emulator.send_message(s.owner, s.tower, "/head add @gina")
    invite = await emulator.wait_for_message(s.tower, containing="I have not met @gina")
    token = invite.content.split("?start=")[1].split()[0]
    gina = emulator.create_user("Gina", username="gina", language_code="en")
    emulator.add_member(s.tower, gina)
    emulator.send_message(gina, s.tower, "hello neighbours")
    await bot.settle()
    # Gina changes her name; someone else takes @gina and opens the link first.
    gina.username = "gina_w"
    impostor = emulator.create_user("Imp", username="gina", language_code="en")
    emulator.user_starts_bot(impostor, token)
    await emulator.wait_for_message(impostor, containing="meant for someone else")
    emulator.user_starts_bot(gina, token)
    await emulator.wait_for_message(gina, containing="You are a building head of Tower A")
    building = await bot.services.buildings.find("Tower A")
    assert building is not None
    assert await bot.services.roles.get(building.id, impostor.id, CommunityRole.HEAD) is None
    # The head who invited her hears who opened it.
    told = await emulator.wait_for_message(s.owner, containing="opened the invitation")
    assert "Gina" in told.content
