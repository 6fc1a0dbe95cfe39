"""Who may do what: community roles resolved on the server for every action."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot, ChatMember
from telegram.error import BadRequest, Forbidden

from bot.clock import Clock
from bot.domain.community import CommunityRole
from storage.buildings import Building, BuildingRepository
from storage.roles import RoleRepository

logger = logging.getLogger(__name__)

CHAT_ADMIN_TTL = timedelta(minutes=2)


@dataclass
class _CachedAdmins:
    ids: frozenset[int]
    fetched_at: datetime


class AccessControl:
    """Resolves a person's roles in a building.

    Admins come from the config; heads and staff from the database; Telegram administrators
    of a building's linked groups count as heads unless the building or config says otherwise
    (asked with getChatAdministrators and cached briefly).
    """

    def __init__(
        self,
        *,
        admins: frozenset[int],
        chat_admins_are_heads: bool,
        buildings: BuildingRepository,
        roles: RoleRepository,
        clock: Clock,
    ) -> None:
        self._admins = admins
        self._chat_admins_are_heads = chat_admins_are_heads
        self._buildings = buildings
        self._roles = roles
        self._clock = clock
        self._chat_admins: dict[int, _CachedAdmins] = {}

    def is_admin(self, user_id: int) -> bool:
        return user_id in self._admins

    async def roles_in(
        self, bot: Bot, user_id: int, building: Building | None
    ) -> frozenset[CommunityRole]:
        """All roles of a person in a building (RESIDENT is implied for everyone)."""
        roles = {CommunityRole.RESIDENT}
        if user_id in self._admins:
            roles.add(CommunityRole.ADMIN)
        if building is None:
            return frozenset(roles)
        for assignment in await self._roles.of_person(user_id):
            if assignment.building_id == building.id:
                roles.add(assignment.role)
        if CommunityRole.HEAD not in roles and self._heads_from_chat_admins(building):
            for chat_id in await self._buildings.chats_of(building.id):
                if user_id in await self.chat_admin_ids(bot, chat_id):
                    roles.add(CommunityRole.HEAD)
                    break
        return frozenset(roles)

    async def may_manage(self, bot: Bot, user_id: int, building: Building | None) -> bool:
        """Building heads and community admins manage a building."""
        roles = await self.roles_in(bot, user_id, building)
        return bool(roles & {CommunityRole.HEAD, CommunityRole.ADMIN})

    def _heads_from_chat_admins(self, building: Building) -> bool:
        if building.chat_admins_are_heads is not None:
            return building.chat_admins_are_heads
        return self._chat_admins_are_heads

    async def chat_admin_ids(self, bot: Bot, chat_id: int) -> frozenset[int]:
        """Telegram administrators of a chat, cached for a short while.

        The cache is dropped whenever Telegram reports a change (`forget_chat`); the
        time limit is only the fallback for chats where the bot gets no such reports.
        Telegram refusing to answer (the bot left the chat) means nobody; a passing error
        (5xx, timeout) propagates, so the update is handled again rather than refused.
        """
        now = self._clock.now()
        cached = self._chat_admins.get(chat_id)
        if cached is not None and now - cached.fetched_at < CHAT_ADMIN_TTL:
            return cached.ids
        try:
            members = await bot.get_chat_administrators(chat_id)
        except (BadRequest, Forbidden) as exc:
            logger.info("getChatAdministrators(%s) refused: %s", chat_id, exc)
            self._chat_admins.pop(chat_id, None)
            return frozenset()
        ids = frozenset(
            member.user.id
            for member in members
            if member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
            and not member.user.is_bot
        )
        self._chat_admins[chat_id] = _CachedAdmins(ids, now)
        return ids

    def forget_chat(self, chat_id: int) -> None:
        """Drop the cache when Telegram tells us admins changed."""
        self._chat_admins.pop(chat_id, None)
