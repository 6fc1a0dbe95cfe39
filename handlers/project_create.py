"""Creating a project (from `/project` or a meeting decision), and who may own one."""

from __future__ import annotations

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.list_syntax import ProjectSpec
from bot.domain.lists import ProjectStatus
from handlers import board
from handlers.need_cards import refresh_card as refresh_need_card
from handlers.project_cards import post_card
from storage.buildings import Building
from storage.projects import NewProject, Project


async def create_project(
    context: CourtyardContext,
    building: Building,
    spec: ProjectSpec,
    *,
    actor_id: int,
    chat_id: int | None,
    source_key: str,
    owner_id: int | None,
    reply_to: int | None,
) -> Project | str:
    """Store the project (adopting its need) and post its card; a reason string if not."""
    services = context.services
    sources: list[ItemRef] = []
    title = spec.title
    status = ProjectStatus.PLANNED
    note = ""
    if spec.source is not None and spec.source.kind is ItemKind.NEED:
        need = await services.needs.get(spec.source.number)
        if need is None or need.building_id != building.id or not need.is_active:
            return "need"
        sources.append(spec.source)
        title = title or need.text
        # A need the building already approved by poll starts as an approved project.
        for poll_id in await services.list_history.results_of(spec.source, ItemKind.POLL):
            poll = await services.polls.get(poll_id)
            if poll is not None and poll.result and poll.result.get("passed"):
                sources.append(ItemRef(ItemKind.POLL, poll_id))
                status, note = ProjectStatus.APPROVED, f"#P{poll_id}"
    elif spec.source is not None:
        request = await services.requests.get(spec.source.number)
        if request is None or request.building_id != building.id:
            return "request"
        sources.append(spec.source)
        title = title or request.description
    assert title is not None
    project, created = await services.projects.create(
        NewProject(
            building_id=building.id,
            chat_id=chat_id,
            source_key=source_key,
            title=title[:200],
            owner_id=owner_id,
            budget_cents=spec.budget_cents,
            funding=spec.funding,
            target_date=spec.target_date,
            created_by=actor_id,
            status=status,
            sources=tuple(sources),
            note=note,
        )
    )
    if project.card_message_id is None and project.chat_id is not None:
        await post_card(context, project, reply_to)
        for source in sources:
            if source.kind is ItemKind.NEED:
                await refresh_need_card(context, source.number)
    if created:
        await board.touch(context, building.id)
    return project


async def owner_allowed(context: CourtyardContext, building: Building, person_id: int) -> bool:
    """Owners are staff or heads of the building (or admins)."""
    roles = await context.services.access.roles_in(context.bot, person_id, building)
    return bool(roles & {CommunityRole.STAFF, CommunityRole.HEAD, CommunityRole.ADMIN})
