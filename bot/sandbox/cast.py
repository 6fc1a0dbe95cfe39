"""The demo community's people and group chat, as Telegram knows them before the bot acts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Language
from bot.sandbox.demo_content import DemoContent, Person
from bot.sandbox.driver import BotApiEmulator
from bot.sandbox.models import SimChat, SimUser
from bot.sandbox.session import Persona


@dataclass
class Cast:
    """The head (the group's creator), three residents and two staff members, in one group."""

    content: DemoContent
    group: SimChat
    head: SimUser
    residents: tuple[SimUser, SimUser, SimUser]
    plumber: SimUser
    manager: SimUser

    def personas(self) -> list[Persona]:
        """Who the page can act as, head first, staff last."""
        c = self.content
        people: list[tuple[SimUser, str, Person]] = [
            (self.head, "head", c.head),
            *(
                (user, "resident", person)
                for user, person in zip(self.residents, c.residents, strict=True)
            ),
            (self.plumber, "staff", c.plumber),
            (self.manager, "staff", c.manager),
        ]
        return [Persona(user, role, person.about) for user, role, person in people]


def create_cast(emulator: BotApiEmulator, content: DemoContent, language: Language) -> Cast:
    """Create the users and their group; the bot is not in the group yet (the head adds it,
    see :func:`bot.sandbox.seed.add_bot`)."""

    def user(person: Person) -> SimUser:
        return emulator.create_user(
            person.first_name,
            last_name=person.last_name,
            username=person.username,
            language_code=language,
        )

    head = user(content.head)
    r1, r2, r3 = (user(person) for person in content.residents)
    plumber, manager = user(content.plumber), user(content.manager)
    group = emulator.create_group(
        content.group_title,
        creator=head,
        members=[r1, r2, r3, plumber, manager],
        bot_is_member=False,
    )
    return Cast(content, group, head, (r1, r2, r3), plumber, manager)
