"""The board without the right to pin, heads turning it off and on, the lists opened
privately, and roles checked on the server for commands and for forged buttons."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.sandbox import BotApiEmulator
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.lists.helpers import Scene, board_of, board_shows, make_scene, press


async def test_the_board_explains_it_cannot_pin_and_heads_turn_it_off_and_on(
    emulator: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    s = make_scene(emulator, tmp_path, bot_is_admin=False, language="zh")
    async with running_bot(emulator, s.settings, clock):
        emulator.send_message(s.residents[0], s.group, "/need 楼道装扶手")
        explanation = await emulator.wait_for_message(s.group, containing="置顶消息")
        board = next(m for m in emulator.messages(s.group) if "三张清单" in m.content)
        assert explanation.reply_to == board.message_id
        assert not board.pinned
        emulator.send_message(s.residents[0], s.group, "/board off")
        await emulator.wait_for_message(s.group, containing="只有楼栋长")
        emulator.promote(s.group, emulator.bot_user, by_user=s.head)
        emulator.send_message(s.head, s.group, "/board on")
        await emulator.wait_for_message(s.group, containing="看板已开启并置顶")
        assert board_of(emulator, s.group) is not None
        emulator.send_message(s.head, s.group, "/board off")
        await emulator.wait_for_message(s.group, containing="看板已关闭")
        assert board_of(emulator, s.group) is None
        posted = len([m for m in emulator.messages(s.group) if "三张清单" in m.content])
        emulator.send_message(s.residents[1], s.group, "/need 自行车棚")
        await emulator.wait_for_message(s.group, containing="N2")
        # Off means off: a new need does not bring a board back.
        assert len([m for m in emulator.messages(s.group) if "三张清单" in m.content]) == posted


async def test_lists_open_privately_for_residents_paged_and_filtered(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    for number in range(10):
        emulator.send_message(s.residents[number % 4], s.group, f"/need Wish number {number}")
        await emulator.wait_for_message(s.group, containing=f"Need N{number + 1}")
    emulator.send_message(s.head, s.group, "/need 3 decline no room for it")
    await emulator.wait_for_message(s.group, containing="N3 is declined")
    board = await board_shows(emulator, s.group, "Needs (9)")
    link = next(b["url"] for b in board.buttons if "Needs" in b["text"])
    payload = link.rsplit("start=", 1)[1]
    stranger = emulator.create_user("Stranger", language_code="en")
    emulator.user_starts_bot(stranger, payload)
    await emulator.wait_for_message(stranger, containing="Only residents of this building")
    emulator.user_starts_bot(s.residents[0], payload)
    page = await emulator.wait_for_message(s.residents[0], containing="(1–8 / 9)")
    assert "N3" not in page.content
    await press(emulator, s.residents[0], page, "Next")
    await emulator.wait_for(lambda: "(9–9 / 9)" in page.content, 5, "the second page")
    await press(emulator, s.residents[0], page, "declined")
    await emulator.wait_for(lambda: "N3" in page.content, 5, "the declined filter")
    assert "no room" not in page.content  # the list is short; /need 3 shows the reason
    # A button pressed by someone outside the building shows nothing.
    query = emulator.press_button(stranger, page, page.buttons[0]["callback_data"], stale=True)
    assert "out of date" in ((await emulator.wait_callback_answer(query)).text or "")


async def test_roles_are_checked_for_commands_and_forged_buttons(
    emulator: BotApiEmulator, bot: RunningBot, scene: Scene
) -> None:
    s = scene
    resident = s.residents[0]
    for command in (
        "/meeting 2026-12-01 19:00 | Room | Garden",
        "/project Paint the hall",
        "/need 1 decline no",
        "/board off",
    ):
        emulator.send_message(resident, s.group, command)
    emulator.send_message(s.residents[1], s.group, "/need A garden on the empty lot")
    await emulator.wait_for_message(s.group, containing="Need N1")
    emulator.send_message(resident, s.group, "/need 1 decline no")
    refusals = await emulator.wait_for_message(
        s.group, containing="Sorry, only building heads", count=4
    )
    assert refusals is not None
    emulator.send_message(s.head, s.group, "/meeting 2026-12-01 19:00 | Room | need 1")
    announcement = await emulator.wait_for_message(s.group, containing="Meeting M1")
    emulator.send_message(resident, s.group, "/minutes 1 publish")
    emulator.send_message(resident, s.group, "/minutes 1 1 fine => decline no money")
    await emulator.wait_for_message(s.group, containing="Sorry, only building heads", count=6)
    need = await bot.services.needs.get(1)
    assert need is not None
    assert need.is_active
    # A decision's Done button only works for its owner (or a head): forged by a resident.
    emulator.send_message(
        s.head, s.group, "/minutes 1 1 agreed => ask the property company owner @wang"
    )
    await emulator.wait_for_message(s.group, containing="D1:")
    query = emulator.press_button(resident, announcement, "dc:done:1", stale=True)
    assert "Sorry" in ((await emulator.wait_callback_answer(query)).text or "")
    decision = await bot.services.decisions.get(1)
    assert decision is not None
    assert decision.is_open
    # Buttons of this building pressed in another group do nothing.
    other = emulator.create_group("Elsewhere", creator=resident)
    emulator.send_message(resident, other, "/need a pool")
    elsewhere = await emulator.wait_for_message(other, containing="not linked")
    for forged in ("nd:s:1", "mt:1:yes", "ev:1:1:2"):
        query = emulator.press_button(resident, elsewhere, forged, stale=True)
        answer = await emulator.wait_callback_answer(query)
        assert "out of date" in (answer.text or ""), forged
    assert not await bot.services.meetings.rsvps(1)
