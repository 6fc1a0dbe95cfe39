"""Which buildings a person is offered in private (/join, /report): only their own.

A building is the person's when they have a household or a role in it, or are in one of its
groups; community admins may list a building for everyone (`/setup public on`). Each choice
shows the building's groups too, so a look-alike name would still stand out. Button presses
are checked against the same list, so a forged building id gets nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.context import CourtyardContext
from bot.i18n import Translator
from bot.text_limits import fit_plain
from storage.buildings import Building

MAX_CHOICES = 30
BUTTON_TEXT_LIMIT = 60  # keeps a button readable on a phone
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


@dataclass(frozen=True)
class Choice:
    """A building the person may pick, with the titles of its groups."""

    building: Building
    groups: tuple[str, ...]

    def label(self) -> str:
        groups = " · ".join(self.groups)
        text = f"{self.building.name} — {groups}" if groups else self.building.name
        return fit_plain(text, BUTTON_TEXT_LIMIT)


async def choices_for(context: CourtyardContext, person_id: int) -> list[Choice]:
    """The buildings this person may pick privately, by name."""
    services = context.services
    own = {m.building_id for m in await services.households.memberships_of(person_id)}
    own |= {a.building_id for a in await services.roles.of_person(person_id)}
    choices = []
    for building in await services.buildings.all():
        chats = await services.buildings.chats_of(building.id)
        if (
            building.id in own
            or building.public
            or services.access.is_admin(person_id)
            or await _in_any(context, chats, person_id)
        ):
            titles = []
            for chat_id in chats:
                chat = await services.chats.get(chat_id)
                if chat is not None and chat.title:
                    titles.append(chat.title)
            choices.append(Choice(building, tuple(titles)))
        if len(choices) >= MAX_CHOICES:
            break
    return choices


def unknown_building(_: Translator) -> str:
    return _(
        "I do not know your building yet. Please send the command in your building's group "
        "chat, and I will continue with you here."
    )


async def may_pick(context: CourtyardContext, person_id: int, building_id: int) -> bool:
    return any(c.building.id == building_id for c in await choices_for(context, person_id))


def keyboard(choices: list[Choice], callback: str) -> InlineKeyboardMarkup:
    """One button per choice; `callback` has a `{id}` field for the building id."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.label(), callback_data=callback.format(id=c.building.id))]
            for c in choices
        ]
    )


async def _in_any(context: CourtyardContext, chats: list[int], person_id: int) -> bool:
    """Is the person in one of these groups now? (A refusal means no; a passing Telegram
    error propagates, so the update is handled again.)"""
    for chat_id in chats:
        try:
            member = await context.bot.get_chat_member(chat_id, person_id)
        except (BadRequest, Forbidden):
            continue
        if member.status in _PRESENT or (
            member.status == ChatMember.RESTRICTED and getattr(member, "is_member", False)
        ):
            return True
    return False
