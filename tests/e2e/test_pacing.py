"""The bot at Telegram's real limits against the emulator's strict mode (429 with
`retry_after` for any message over a limit): every answer arrives once, in order."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import running_bot, settings_for

PRODUCTION = {"overall_per_second": 30, "group_per_minute": 20, "private_per_second": 1}


async def test_a_chatty_resident_and_a_busy_group_get_every_answer_once(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    plumber.started_bot = True
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[plumber, resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        telegram={"rate_limit": PRODUCTION},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "staff": [{"user": plumber.id, "categories": ["water"]}],
            }
        ],
    )
    limits = emulator.enforce_limits()
    async with running_bot(emulator, settings) as bot:
        emulator.user_starts_bot(resident)
        for n in range(3):
            emulator.send_message(resident, resident, f"/help {n}")
        for flat in range(1, 5):
            emulator.send_message(
                resident, group, f"/report The water pipe in unit 2 flat {flat} is leaking"
            )
        await emulator.wait_for(
            lambda: len([m for m in emulator.messages(plumber) if "#4" in m.content]) == 1,
            60,
            "the fourth staff card",
        )
        await bot.settle(timeout=60)
        sent = [c for c in emulator.calls() if c.ok and c.method.startswith("send")]
        to_resident = [c for c in sent if c.params["chat_id"] == str(resident.id)]
        assert len(to_resident) == 4  # the welcome and three answers to /help, once each
        cards = [m.content.split(" ", 1)[0] for m in emulator.messages(group)]
        assert [c for c in cards if c.startswith("#")] == ["#1", "#2", "#3", "#4"]
        staff = [m for m in emulator.messages(plumber) if "New request" in m.content]
        assert len(staff) == 4
    # Refusals are possible on a loaded machine (they are then waited out); print them.
    print(f"\nSTRICT: {limits.refused} refused")
