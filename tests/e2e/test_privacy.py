"""Privacy end to end: private reports stay private, "me too" gives no reporter rights, flat
numbers typed in a group are deleted or honestly reported as still visible."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.lifecycle import RequestStatus
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, running_bot, settings_for

PHONE = "13912345678"
PRIVATE_TEXT = f"Water is leaking from the ceiling in unit 3, flat 3-502, please call {PHONE}"


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    resident: SimUser
    neighbour: SimUser
    plumber: SimUser
    building_id: int


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings) as running:
        yield running


@pytest.fixture
async def scene(emulator: BotApiEmulator, bot: RunningBot) -> Scene:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    neighbour = emulator.create_user("Nick", username="nick", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    group = emulator.create_group(
        "Building 5", creator=head, members=[resident, neighbour, plumber]
    )
    emulator.send_message(head, group, "/setup Building 5")
    await emulator.wait_for_message(group, containing="Created building")
    for user in (head, resident, neighbour, plumber):
        emulator.user_starts_bot(user)
        await emulator.wait_for_message(user, containing="Welcome")
    note = emulator.send_message(plumber, group, "hi")
    emulator.send_message(head, group, "/staff add water 1", reply_to=note)
    await emulator.wait_for_message(group, containing="Pavel is now staff")
    building = await bot.services.buildings.for_chat(group.id)
    assert building is not None
    return Scene(group, head, resident, neighbour, plumber, building.id)


async def _report_privately(emulator: BotApiEmulator, user: SimUser, text: str) -> None:
    emulator.send_message(user, user, f"/report {text}")
    ask_photo = await emulator.wait_for_message(user, containing="add a photo")
    query = emulator.press_button(user, ask_photo, button_text="Skip")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(user, containing="your request is filed")


def _group_texts(emulator: BotApiEmulator, scene: Scene) -> str:
    return "\n".join(m.content + str(m.reply_markup) for m in emulator.history(scene.group))


async def test_a_private_report_is_never_offered_or_quoted_in_the_group(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    await _report_privately(emulator, s.resident, PRIVATE_TEXT)
    emulator.send_message(s.neighbour, s.group, "Water is leaking from the ceiling in unit 3")
    card = await emulator.wait_for_message(s.group, containing="#2 ")
    assert "Me too" in str(card.reply_markup)
    await bot.settle()
    group = _group_texts(emulator, s)
    assert "Is this the same" not in group
    assert PHONE not in group
    assert "3-502" not in group


async def test_an_urgent_look_alike_does_not_silently_join_a_private_report(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    await _report_privately(emulator, s.resident, PRIVATE_TEXT)
    emulator.send_message(
        s.head, s.group, "Burst pipe! Water is flooding from the ceiling in unit 3, leaking"
    )
    card = await emulator.wait_for_message(s.group, containing="#2 ")
    assert "urgent" in card.content
    await bot.settle()
    assert await bot.services.requests.supporters(1) == [s.resident.id]
    group = _group_texts(emulator, s)
    assert "#1" not in group
    assert "Added to" not in group


async def test_me_too_does_not_give_the_reporters_rights(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The water pipe in unit 3 is leaking")
    card = await emulator.wait_for_message(s.group, containing="#1 ")
    staff_card = await emulator.wait_for_message(s.plumber, containing="New request")
    query = emulator.press_button(s.neighbour, card, button_text="🙋 Me too")
    await emulator.wait_callback_answer(query)
    emulator.send_message(s.plumber, s.plumber, "/note 1 staff only: the valve key is with Hana")
    await emulator.wait_for_message(s.plumber, containing="Noted on #1")

    # A supporter reads the card, not the history, notes or who reported it.
    emulator.send_message(s.neighbour, s.neighbour, "/request 1")
    seen = await emulator.wait_for_message(s.neighbour, containing="#1")
    assert "History" not in seen.content
    assert "valve key" not in seen.content
    assert "Rita" not in seen.content
    emulator.send_message(s.neighbour, s.neighbour, "/note 1 me too!")
    await emulator.wait_for_message(s.neighbour, containing="not allowed")
    # The reporter reads the history, without staff notes or the neighbours' names.
    emulator.send_message(s.resident, s.resident, "/request 1")
    own = await emulator.wait_for_message(s.resident, containing="History")
    assert "valve key" not in own.content
    assert "Nick" not in own.content
    # Staff and heads read everything, including who reported it.
    emulator.send_message(s.head, s.head, "/request 1")
    full = await emulator.wait_for_message(s.head, containing="History")
    assert "valve key" in full.content
    assert "Reported by Rita" in full.content

    # A head rejects it: the reporter may ask again, the supporter may not.
    emulator.send_message(s.head, s.group, "/reject 1 other not the building's pipe")
    await emulator.wait_for_message(s.group, containing="#1 was rejected")
    emulator.send_message(s.neighbour, s.group, "/reopen 1")
    await emulator.wait_for_message(s.group, containing="not allowed")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.status is RequestStatus.REJECTED

    # Resolved: the supporter is asked too, but only the reporter's 👎 reopens it.
    emulator.send_message(s.head, s.group, "/reopen 1")
    await emulator.wait_for_message(s.group, containing="#1 is reopened")
    await emulator.wait_for(lambda: "Take it" in str(staff_card.reply_markup), 15, "takeable")
    query = emulator.press_button(s.plumber, staff_card, button_text="🛠 Take it")
    await emulator.wait_callback_answer(query)
    query = emulator.press_button(s.plumber, staff_card, button_text="✅ Resolved")
    await emulator.wait_callback_answer(query)
    asked = await emulator.wait_for_message(s.neighbour, containing="Is it really fixed?")
    query = emulator.press_button(s.neighbour, asked, button_text="👎 Not fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(s.plumber, containing="A neighbour affected by request #1")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.status is RequestStatus.RESOLVED
    query = emulator.press_button(s.neighbour, card, button_text="👎 Not fixed")
    answer = await emulator.wait_callback_answer(query)
    assert "already answered" in (answer.text or "")
    question = await emulator.wait_for_message(s.resident, containing="Is it really fixed?")
    query = emulator.press_button(s.resident, question, button_text="👎 Not fixed")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for(lambda: "reopened" in card.content, 15, "the reporter reopens it")


async def _private_link(message: SentMessage) -> str:
    url = message.reply_markup["inline_keyboard"][0][0]["url"]  # type: ignore[index]
    return str(url).split("start=")[1]


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("/join 3-502", "keep your flat number private"),
        ("/household add 3-502 Grandma Li", "register households in a private chat"),
        ("/proxy 1 3-502 1", "use /proxy in a private chat"),
    ],
)
async def test_a_flat_number_the_bot_cannot_delete_is_said_to_be_visible(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene, command: str, reply: str
) -> None:
    s = scene
    typed = emulator.send_message(s.head, s.group, command)
    answer = await emulator.wait_for_message(s.group, containing=reply)
    assert "could not delete your message" in answer.content
    assert "make me an administrator" in answer.content
    assert "3-502" not in answer.content
    assert not any(
        m.message_id == typed["message_id"] and m.deleted for m in emulator.history(s.group)
    )
    assert await _private_link(answer)
    await bot.settle()
    assert await bot.services.households.find(s.building_id, "3-502") is None


async def test_with_the_right_to_delete_the_flat_number_disappears_and_private_links_work(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.promote(s.group, emulator.bot_user)
    typed = emulator.send_message(s.head, s.group, "/household add 3-502 Grandma Li")
    answer = await emulator.wait_for_message(s.group, containing="private chat")
    assert "could not delete" not in answer.content
    assert any(
        m.message_id == typed["message_id"] and m.deleted for m in emulator.history(s.group)
    )
    emulator.user_starts_bot(s.head, await _private_link(answer))
    await emulator.wait_for_message(s.head, containing="Send the flat and the resident's name")
    emulator.send_message(s.head, s.head, "3-502 Grandma Li")
    await emulator.wait_for_message(s.head, containing="Registered 3-502 in Building 5")
    # No flat typed: just the link, and nothing to apologise for.
    emulator.send_message(s.head, s.group, "/proxy")
    proxy = await emulator.wait_for_message(s.group, containing="use /proxy in a private chat")
    assert "could not delete" not in proxy.content
    emulator.user_starts_bot(s.head, await _private_link(proxy))
    await emulator.wait_for_message(s.head, containing="Send the proxy vote here")
