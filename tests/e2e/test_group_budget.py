"""A group may take only 20 messages a minute: one event, one message."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import BotApiEmulator
from tests.e2e.harness import running_bot, settings_for


async def test_a_request_in_a_building_without_staff_posts_one_message(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en"},
        buildings=[{"name": "Building 5", "chats": [group.id], "heads": [head.id]}],
    )
    async with running_bot(emulator, settings) as bot:
        before = len(emulator.messages(group))
        emulator.send_message(resident, group, "The water pipe in unit 2 is leaking badly")
        card = await emulator.wait_for_message(group, containing="#1")
        await bot.settle()
        await bot.outbox_sent()
        said = emulator.messages(group)[before:]
        assert [m.content for m in said if m.from_bot] == [card.content]
        assert "No staff is registered" in card.content
        requests = await bot.services.requests.get(1)
        assert requests is not None
        assert requests.routed_at is not None


async def test_reports_of_the_same_emergency_share_one_added_answer(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    head = emulator.create_user("Hana", language_code="en")
    plumber = emulator.create_user("Pavel", language_code="en")
    residents = [emulator.create_user(f"Resident {n}", language_code="en") for n in range(4)]
    group = emulator.create_group("Building 5", creator=head, members=[plumber, *residents])
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
    alarm = "Burst pipe in the basement, water is flooding everything!"
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(residents[0], group, alarm)
        await emulator.wait_for_message(group, containing="#1")
        for resident in residents[1:]:
            emulator.send_message(resident, group, alarm)
        await bot.settle()
        await bot.outbox_sent()
        answers = [m.content for m in emulator.messages(group) if "Added to #1" in m.content]
        # However the answers were batched, the last one counts everyone.
        assert 1 <= len(answers) <= 3
        assert answers[-1] == "Added to #1 — 👥 4 affected."
        request = await bot.services.requests.get(1)
        assert request is not None
        assert request.affected == 4
