"""Categories route people: an uncertain card asks, a correction re-routes and is learned from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from storage.corrections import CorrectionKind, message_subject
from tests.e2e.harness import RunningBot, running_bot, settings_for

# Messages the classifier is torn about between water and heating (one is picked at run time,
# so the test follows the packaged model rather than pinning one of its outputs).
TORN = (
    "楼道的暖气管漏水了，地上一滩水",
    "Water dripping from the radiator pipe in the hallway",
    "暖气片接口漏水，地板都湿了",
    "The radiator valve is leaking water onto the floor",
)


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    resident: SimUser
    neighbour: SimUser
    plumber: SimUser  # water staff
    fitter: SimUser  # heating staff


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    async with running_bot(emulator, settings) as running:
        yield running


@pytest.fixture
async def scene(emulator: BotApiEmulator, bot: RunningBot) -> Scene:
    head = emulator.create_user("Hana", username="hana", language_code="en")
    resident = emulator.create_user("Rita", username="rita", language_code="en")
    neighbour = emulator.create_user("Nick", username="nick", language_code="en")
    plumber = emulator.create_user("Pavel", username="pavel", language_code="en")
    fitter = emulator.create_user("Hugo", username="hugo", language_code="en")
    group = emulator.create_group(
        "Building 8", creator=head, members=[resident, neighbour, plumber, fitter]
    )
    emulator.send_message(head, group, "/setup Building 8")
    await emulator.wait_for_message(group, containing="Created building")
    for user, args in ((plumber, "water 1"), (fitter, "heating 1")):
        emulator.user_starts_bot(user)
        await emulator.wait_for_message(user, containing="Welcome")
        note = emulator.send_message(user, group, "hi")
        emulator.send_message(head, group, f"/staff add {args}", reply_to=note)
        await emulator.wait_for_message(group, containing=f"{user.first_name} is now staff")
    return Scene(group, head, resident, neighbour, plumber, fitter)


def staff_for(scene: Scene, category: str) -> SimUser:
    return {"water": scene.plumber, "heating": scene.fitter}[category]


async def test_uncertain_category_is_asked_and_a_correction_reroutes(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    understanding = bot.services.understanding
    text, result = next(
        (t, r)
        for t in TORN
        if (r := understanding.classify(t)).is_request
        and {r.category, r.alternative_category} == {"water", "heating"}
    )
    assert result.alternative_category is not None
    first, second = result.category, result.alternative_category
    report = emulator.send_message(s.resident, s.group, text)
    card: SentMessage = await emulator.wait_for_message(s.group, containing="#1 ")
    assert " or " in card.content
    assert "choose below" in card.content
    buttons = str(card.reply_markup)
    assert f"rc:1:{first}" in buttons
    assert f"rc:1:{second}" in buttons
    await emulator.wait_for_message(staff_for(s, first), containing="#1")

    # A neighbour is neither the reporter nor staff: refused, nothing changes.
    query = emulator.press_button(s.neighbour, card, f"rc:1:{second}")
    answer = await emulator.wait_callback_answer(query)
    assert "Only the reporter" in (answer.text or "")

    # The reporter picks the other category: re-routed, and the staff it left is told.
    query = emulator.press_button(s.resident, card, f"rc:1:{second}")
    await emulator.wait_callback_answer(query)
    await emulator.wait_for_message(staff_for(s, second), containing="#1")
    await emulator.wait_for_message(staff_for(s, first), containing="no longer yours")
    await emulator.wait_for(
        lambda: (
            "choose below" not in card_now(emulator, s, card).content
            and "rc:1:" not in str(card_now(emulator, s, card).reply_markup)
        ),
        10,
        "the card stops asking",
    )
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.category == second
    assert request.category_alternative is None
    learned = await bot.services.corrections.of_subject(
        message_subject(s.group.id, report["message_id"])
    )
    assert [(c.kind, c.category) for c in learned] == [(CorrectionKind.CATEGORY, second)]

    # A head moves it back with /category: routed again, the other staff told.
    emulator.send_message(s.head, s.group, f"/category 1 {first}")
    await emulator.wait_for_message(s.group, containing="is now filed under")
    await emulator.wait_for_message(staff_for(s, second), containing="no longer yours")
    await bot.settle()
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.category == first
    sent_to_first = [m for m in emulator.messages(staff_for(s, first)) if "#1" in m.content]
    assert len(sent_to_first) >= 2, "the staff of the category it came back to got it again"

    # Residents may not use /category.
    emulator.send_message(s.resident, s.group, f"/category 1 {second}")
    await emulator.wait_for_message(s.group, containing="not allowed")


def card_now(emulator: BotApiEmulator, scene: Scene, card: SentMessage) -> SentMessage:
    return next(m for m in emulator.messages(scene.group) if m.message_id == card.message_id)


async def test_urgency_and_not_a_request_corrections_are_remembered(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    emulator.send_message(s.resident, s.group, "The kitchen tap in 4B keeps dripping")
    await emulator.wait_for_message(s.group, containing="#1 ")
    emulator.send_message(s.head, s.group, "/urgent 1 on")
    await emulator.wait_for_message(s.group, containing="#1 is marked urgent")
    request = await bot.services.requests.get(1)
    assert request is not None
    assert request.urgent

    emulator.send_message(s.neighbour, s.group, "The radiator in the lobby is cold again")
    await emulator.wait_for_message(s.group, containing="#2 ")
    emulator.send_message(s.neighbour, s.group, "/notrequest 2")
    await emulator.wait_for_message(s.group, containing="not allowed")
    emulator.send_message(s.head, s.group, "/notrequest 2")
    await emulator.wait_for_message(s.group, containing="closed as not a request")
    await bot.settle()
    kinds = [c.kind for c in await bot.services.corrections.all()]
    assert kinds == [CorrectionKind.URGENT, CorrectionKind.NOT_A_REQUEST]
    closed = await bot.services.requests.get(2)
    assert closed is not None
    assert not closed.is_open
