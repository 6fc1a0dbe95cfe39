"""Bring the database in line with buildings, chats and roles declared in the config."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from bot.domain.sla import SlaOverrides
from bot.services import Services

logger = logging.getLogger(__name__)


async def reconcile_config(services: Services) -> None:
    """The config wins for what it declares; everything else in the database stays."""
    declared_roles: set[tuple[int, int, CommunityRole]] = set()
    building_sla: dict[int, SlaOverrides] = {}
    for declaration in services.settings.buildings:
        building, created = await services.buildings.ensure(declaration.name, from_config=True)
        if created:
            logger.info("Created building %r from the config", declaration.name)
        settings: dict[str, object] = {}
        if declaration.total_households is not None:
            settings["total_households"] = declaration.total_households
        if declaration.language is not None:
            settings["language"] = declaration.language
        if declaration.timezone is not None:
            settings["timezone"] = declaration.timezone.key
        if declaration.quiet_hours is not None:
            settings["quiet_start"], settings["quiet_end"] = declaration.quiet_hours
        for flag in ("auto_approve", "residents_may_poll", "chat_admins_are_heads", "public"):
            value = getattr(declaration, flag)
            if value is not None:
                settings[flag] = int(value)
        if settings:
            await services.buildings.update(building.id, **settings)
        if declaration.sla.by_urgency or declaration.sla.by_category:
            building_sla[building.id] = declaration.sla
        for chat_id in declaration.chats:
            await services.chats.ensure_exists(chat_id)
            await services.buildings.link_chat(chat_id, building.id)
        for head in declaration.heads:
            await services.roles.assign(
                building.id, head, CommunityRole.HEAD, actor_id=None, from_config=True
            )
            declared_roles.add((building.id, head, CommunityRole.HEAD))
        for staff in declaration.staff:
            await services.roles.assign(
                building.id,
                staff.user_id,
                CommunityRole.STAFF,
                actor_id=None,
                categories=staff.categories,
                level=StaffLevel(staff.level),
                from_config=True,
            )
            declared_roles.add((building.id, staff.user_id, CommunityRole.STAFF))
    services.sla = replace(services.settings.sla, building_overrides=building_sla)
    for assignment in await services.roles.config_roles():
        key = (assignment.building_id, assignment.person_id, assignment.role)
        if key not in declared_roles:
            await services.roles.revoke(*key, actor_id=None)
            logger.info("Removed %s role of %s: no longer in the config", key[2], key[1])
