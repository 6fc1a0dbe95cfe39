"""Who leads a building: its heads, and the buildings a sender may manage."""

from __future__ import annotations

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from handlers.common import sender_id
from storage.buildings import Building


async def head_ids(context: CourtyardContext, building: Building) -> set[int]:
    """Explicit heads plus the group admins who count as heads."""
    services = context.services
    ids = {
        a.person_id
        for a in await services.roles.in_building(building.id)
        if a.role is CommunityRole.HEAD
    }
    for chat_id in await services.buildings.chats_of(building.id):
        for user_id in await services.access.chat_admin_ids(context.bot, chat_id):
            if CommunityRole.HEAD in await services.access.roles_in(
                context.bot, user_id, building
            ):
                ids.add(user_id)
    return ids


async def managed_buildings(update: Update, context: CourtyardContext) -> list[Building]:
    services = context.services
    return [
        b
        for b in await services.buildings.all()
        if await services.access.may_manage(context.bot, sender_id(update), b)
    ]
