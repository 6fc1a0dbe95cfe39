"""Helpers shared by the needs, projects, meetings, board and list handlers."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from telegram import ChatMember
from telegram.error import TelegramError

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole, Target
from bot.domain.list_syntax import ListSyntaxError, Problem
from bot.domain.lists import NeedStatus, ProjectStatus
from bot.i18n import N_, Translator, translator
from handlers.common import escape, preferred_language
from storage.buildings import Building

NEED_STATUS_NAMES = {
    NeedStatus.OPEN: N_("open"),
    NeedStatus.FORWARDED: N_("moved forward"),
    NeedStatus.MERGED: N_("merged"),
    NeedStatus.DECLINED: N_("declined"),
    NeedStatus.ADOPTED: N_("became a project"),
}

PROJECT_STATUS_NAMES = {
    ProjectStatus.PLANNED: N_("planned"),
    ProjectStatus.VOTING: N_("put to a vote"),
    ProjectStatus.APPROVED: N_("approved"),
    ProjectStatus.IN_PROGRESS: N_("in progress"),
    ProjectStatus.DONE: N_("done"),
    ProjectStatus.DECLINED: N_("declined"),
    ProjectStatus.REOPENED: N_("reopened for discussion"),
}

PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)
TITLE_ON_PHONE = 28  # characters of a title that fit one line of a phone screen


def need_status(_: Translator, status: NeedStatus) -> str:
    return _(NEED_STATUS_NAMES[status])


def project_status(_: Translator, status: ProjectStatus) -> str:
    return _(PROJECT_STATUS_NAMES[status])


def short(text: str, limit: int = TITLE_ON_PHONE) -> str:
    """Shortened to `limit` characters on one line (escaped for HTML)."""
    flat = " ".join(text.split())
    return escape(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def zone(context: CourtyardContext, building: Building | None) -> tzinfo:
    if building is not None and building.timezone:
        return ZoneInfo(building.timezone)
    return context.services.settings.community.timezone


def when(context: CourtyardContext, building: Building | None, moment: datetime) -> str:
    return moment.astimezone(zone(context, building)).strftime("%Y-%m-%d %H:%M")


async def chat_translator(
    context: CourtyardContext, chat_id: int | None, building: Building | None
) -> Translator:
    """The language of a group (its choice, else its building's, else the community's)."""
    chat = await context.services.chats.get(chat_id) if chat_id is not None else None
    code = (chat.language if chat else None) or (building.language if building else None)
    return translator(preferred_language(code, context))


async def person_translator(context: CourtyardContext, person_id: int) -> Translator:
    person = await context.services.people.get(person_id)
    code = (person.language or person.language_code) if person else None
    return translator(preferred_language(code, context))


async def reachable(context: CourtyardContext, person_id: int) -> bool:
    """The bot may write to this person privately."""
    person = await context.services.people.get(person_id)
    return person is not None and person.started_bot and not person.blocked_bot


async def name_of(context: CourtyardContext, person_id: int | None) -> str:
    """A person's name (escaped), for messages; never a flat number."""
    if person_id is None:
        return "–"
    person = await context.services.people.get(person_id)
    return escape(person.display_name if person else str(person_id))


async def person_of(context: CourtyardContext, target: Target) -> int | None:
    """The id behind `@username` or a user id, if the bot knows them."""
    if target.user_id is not None:
        return target.user_id
    assert target.username is not None
    person = await context.services.people.find_by_username(target.username)
    return None if person is None else person.id


async def may_view(context: CourtyardContext, user_id: int, building: Building) -> bool:
    """Residents (members of a linked group or a registered household), staff, heads and
    admins may open the building's lists privately."""
    services = context.services
    roles = await services.access.roles_in(context.bot, user_id, building)
    if roles - {CommunityRole.RESIDENT}:
        return True
    membership = await services.households.membership_in(building.id, user_id)
    if membership is not None and membership.status == "approved":
        return True
    for chat_id in await services.buildings.chats_of(building.id):
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            continue
        if member.status in PRESENT:
            return True
    return False


async def may_manage_building(context: CourtyardContext, user_id: int, building: Building) -> bool:
    return await context.services.access.may_manage(context.bot, user_id, building)


def syntax_problem(_: Translator, error: ListSyntaxError) -> str:
    """One line saying what was wrong with what the head typed."""
    value = escape(error.value)
    texts = {
        Problem.EMPTY: _("Something is missing."),
        Problem.PARTS: _("Please separate the parts with |."),
        Problem.TIME: _("I cannot read the date or time “{value}”."),
        Problem.NO_TIME_OF_DAY: _("Please give a time of day as well, e.g. 2030-05-20 19:00."),
        Problem.PAST: _("“{value}” is in the past."),
        Problem.TOO_FAR: _("“{value}” is more than a year away."),
        Problem.TOO_LONG: _("“{value}…” is too long."),
        Problem.TOO_MANY_ITEMS: _("Too many agenda items ({value}); at most 12."),
        Problem.MONEY: _("I cannot read the amount “{value}”."),
        Problem.OWNER: _("The owner must be an @username or a user id: “{value}”."),
        Problem.UNKNOWN_PART: _("I do not understand “{value}”."),
        Problem.MISSING_REQUEST: _("Which request? Write its number, e.g. #34."),
        Problem.MISSING_TARGET: _("Whom to assign it to? Write @username."),
        Problem.MISSING_REASON: _("Please give the reason."),
    }
    return texts[error.problem].format(value=value)
