"""A project's card in its group: title, owner, budget, progress bar, poll result, links."""

from __future__ import annotations

import json
import logging

from telegram.error import BadRequest, TelegramError

from bot.context import CourtyardContext
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.lists import format_money, progress_bar
from bot.i18n import Translator
from handlers import board
from handlers.common import escape
from handlers.list_common import chat_translator, name_of, project_status
from handlers.list_items import links_line
from storage.projects import Project

logger = logging.getLogger(__name__)


async def card_text(context: CourtyardContext, _: Translator, project: Project) -> str:
    lines = [
        _("🏗 <b>Project PJ{number}</b> · {status}").format(
            number=project.id, status=project_status(_, project.status)
        ),
        escape(project.title),
    ]
    facts = [_("👤 {owner}").format(owner=await name_of(context, project.owner_id))]
    if project.budget_cents is not None:
        money = format_money(project.budget_cents)
        facts.append(
            _("💰 {amount} ({funding})").format(amount=money, funding=escape(project.funding))
            if project.funding
            else _("💰 {amount}").format(amount=money)
        )
    if project.target_date is not None:
        facts.append(_("📅 by {date}").format(date=project.target_date.isoformat()))
    lines.append(" · ".join(facts))
    lines.append(f"{progress_bar(project.percent)} {project.percent}%")
    if project.poll_result:
        lines.append(poll_result_text(_, project.poll_result))
    evaluation = project.evaluation
    if evaluation and evaluation.get("percent") is not None:
        lines.append(
            _("⭐ Residents satisfied: {percent}% (threshold {threshold}%)").format(
                percent=evaluation["percent"], threshold=evaluation["threshold"]
            )
        )
    link = await links_line(context, _, ItemRef(ItemKind.PROJECT, project.id))
    if link:
        lines.append(link)
    return "\n".join(lines)


def poll_result_text(_: Translator, stored: str) -> str:
    """The result attached when a poll moved the project: `#P3: For 20 · Against 5 …`."""
    data = json.loads(stored)
    labels = (_("For"), _("Against"), _("Abstain"))
    counts = " · ".join(
        f"{label} {count}" for label, count in zip(labels, data.get("counts", []), strict=False)
    )
    verdict = _("passed") if data.get("passed") else _("not passed")
    return _("🗳 #P{number}: {counts} — {verdict}").format(
        number=data["poll"], counts=counts, verdict=verdict
    )


async def refresh_card(context: CourtyardContext, project_id: int) -> None:
    services = context.services
    project = await services.projects.get(project_id)
    if project is None or project.chat_id is None or project.card_message_id is None:
        return
    building = await services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    try:
        await context.bot.edit_message_text(
            await card_text(context, _, project), project.chat_id, project.card_message_id
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update the card of PJ%d: %s", project_id, exc)
    except TelegramError as exc:
        logger.warning("Could not update the card of PJ%d: %s", project_id, exc)


async def post_card(context: CourtyardContext, project: Project, reply_to: int | None) -> None:
    """The project's card in its group (edited as it moves); the board follows."""
    if project.chat_id is None:
        return
    building = await context.services.buildings.get(project.building_id)
    _ = await chat_translator(context, project.chat_id, building)
    message = await context.bot.send_message(
        project.chat_id, await card_text(context, _, project), reply_to_message_id=reply_to
    )
    await context.services.projects.set_card(project.id, project.chat_id, message.message_id)
    if building is not None:
        await board.start_board(context, project.chat_id, building)
    await board.touch(context, project.building_id)
