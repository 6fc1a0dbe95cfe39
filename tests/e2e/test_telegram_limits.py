"""Every text the bot builds fits Telegram's limits, even with the longest user input."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import running_bot, settings_for


async def test_a_long_rejection_reason_still_updates_a_photo_card(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("R" * 64, last_name="S" * 64, language_code="en")
    plumber = emulator.create_user("P" * 64, last_name="Q" * 64, language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[resident, plumber])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "staff": [{"user": plumber.id, "categories": ["water"]}],
            }
        ],
    )
    async with running_bot(emulator, settings) as bot:
        emulator.user_starts_bot(plumber)
        await emulator.wait_for_message(plumber, containing="Welcome")
        description = "water leaking from the ceiling in unit 2 " + "& <drip> " * 60
        emulator.send_message(resident, group, photo=True, caption=f"/report {description}")
        staff_card = await emulator.wait_for_message(plumber, containing="#1")
        assert staff_card.photo is not None
        taken = emulator.press_button(plumber, staff_card, "rq:take:1")
        await emulator.wait_callback_answer(taken)
        reason = "not ours: " + "the pipe belongs to the city & <water company> " * 20
        emulator.send_message(head, group, f"/reject 1 other {reason}")
        await emulator.wait_for_message(group, containing="#1 was rejected")
        await bot.settle()
        await emulator.wait_for(
            lambda: "rejected" in staff_card.content, description="the staff card to update"
        )
        refused = [c for c in emulator.calls("editMessageCaption") if c.error is not None]
        assert refused == []
