"""The scene the lists' end-to-end tests share: a building with a head, staff, residents and
a group where the bot may pin; helpers to press buttons, run the planner and read the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.sandbox import BotApiEmulator
from bot.sandbox.models import SentMessage, SimChat, SimUser
from tests.e2e.harness import RunningBot, settings_for

# Monday 2026-11-23 09:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass
class Scene:
    group: SimChat
    head: SimUser
    wang: SimUser  # staff, level 1: owns the work
    office: SimUser  # staff, level 3: the community office
    residents: list[SimUser]
    settings: Settings


def make_scene(
    emulator: BotApiEmulator, tmp_path: Path, *, bot_is_admin: bool = True, language: str = "en"
) -> Scene:
    """A building with a head, a volunteer (Wang), the community office and four residents."""
    head = emulator.create_user("Hana", username="hana", language_code="en")
    wang = emulator.create_user("Wang", username="wang", language_code="en")
    office = emulator.create_user("Office", username="office", language_code="en")
    residents = [emulator.create_user(f"Resident {n}", language_code="en") for n in range(4)]
    for person in (head, wang, office, *residents):
        emulator.user_starts_bot(person)
    group = emulator.create_group(
        "Building 5",
        creator=head,
        members=[wang, office, *residents],
        bot_is_admin=bot_is_admin,
    )
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": language, "quiet_hours": "off", "admins": [head.id]},
        polls={"edit_delay_seconds": 0.2},
        buildings=[
            {
                "name": "Building 5",
                "chats": [group.id],
                "heads": [head.id],
                "auto_approve": True,
                "staff": [
                    {"user": wang.id, "categories": ["*"], "level": 1},
                    {"user": office.id, "categories": ["*"], "level": 3},
                ],
            }
        ],
    )
    return Scene(group, head, wang, office, residents, settings)


async def tick(bot: RunningBot) -> None:
    """Run the lists planner now (every minute in production; the clock here is fake)."""
    job = next(j for j in bot.application.job_queue.jobs() if j.name == "plan_lists")
    await job.run(bot.application)


async def press(emulator: BotApiEmulator, user: SimUser, message: SentMessage, label: str) -> str:
    query = emulator.press_button(user, message, button_text=label)
    return (await emulator.wait_callback_answer(query)).text or ""


def board_of(emulator: BotApiEmulator, group: SimChat) -> SentMessage | None:
    return next((m for m in emulator.messages(group) if m.pinned and not m.deleted), None)


async def board_shows(emulator: BotApiEmulator, group: SimChat, text: str) -> SentMessage:
    def found() -> SentMessage | None:
        board = board_of(emulator, group)
        return board if board is not None and text in board.content else None

    return await emulator.wait_for(found, 10, f"the pinned board showing {text!r}")


async def join(emulator: BotApiEmulator, person: SimUser, flat: str) -> None:
    emulator.send_message(person, person, f"/join {flat}")
    await emulator.wait_for_message(person, containing="registered in")
