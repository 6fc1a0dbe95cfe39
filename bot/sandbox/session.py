"""What one sandbox run holds: the emulator, its clock, the bot process, the demo community."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from bot.config import Language, Settings
from bot.sandbox.driver import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from bot.sandbox.supervisor import BotSupervisor
from bot.sandbox.timeshift import ClockBroadcast, OffsetClock
from storage.database import Database


@dataclass
class Persona:
    """Someone the page can act as: a Telegram user with a role in the demo community."""

    user: SimUser
    role: str  # head, resident or staff
    about: str  # "plumber, level 1 (repair team)", in the community's language


@dataclass
class Community:
    """The demo community: settings the bot runs with, its group and its people."""

    settings: Settings
    database: Path
    group: SimChat
    personas: list[Persona]

    @property
    def language(self) -> Language:
        """The language the community (and by default the page) speaks."""
        return self.settings.community.language

    @property
    def timezone(self) -> tzinfo:
        """The community's time zone (clock presets and message times use it)."""
        return self.settings.community.timezone

    def persona(self, user_id: int) -> Persona | None:
        """The persona of a user id, if it is one."""
        return next((p for p in self.personas if p.user.id == user_id), None)


@dataclass
class SandboxSession:
    """Everything the driver API and the page act on."""

    emulator: BotApiEmulator
    clock: OffsetClock
    time: ClockBroadcast
    supervisor: BotSupervisor | None = None
    community: Community | None = None
    # The bot's database, opened here too for reading (open polls, the outbox's backlog).
    bot_database: Database | None = None
    # What the page still has to do before it is usable ("" when ready).
    preparing: str = ""
    # Per chat, the newest message the page has shown (the rest counts as unread).
    seen: dict[int, int] = field(default_factory=dict)

    @classmethod
    def create(cls, emulator: BotApiEmulator, clock: OffsetClock) -> SandboxSession:
        """A session whose clock jumps wake the page like any emulator change."""
        return cls(emulator, clock, ClockBroadcast(clock, emulator.state.changed))

    def changed(self) -> None:
        """Wake the page's live updates."""
        self.emulator.state.changed()
