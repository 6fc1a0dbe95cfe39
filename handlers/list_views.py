"""The three lists, paged and filterable: opened privately from the board's buttons, or with
/needs and /projects in the group. Who may look is checked again on every page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole
from bot.domain.lists import NeedStatus, ProjectStatus, progress_bar
from bot.domain.sla import Urgency
from bot.i18n import N_, Translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    not_linked,
    reply,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.list_common import may_view, need_status, project_status, short, when
from storage.buildings import Building

LINK_PAYLOAD = re.compile(r"^ls-([nrpd])-(\d+)$")
VIEW_CALLBACK = re.compile(r"^lv:([nrpd]):(\d+):([a-z]):(\d+)$")
PAGE_SIZE = 8
MAX_OPEN_SCANNED = 500  # open requests of one building looked at for the overdue filter

# Per list: its filters (code → label), the first being the default.
FILTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("a", N_("open")), ("p", N_("became projects")), ("d", N_("declined"))),
    "r": (("o", N_("open")), ("v", N_("overdue"))),
    "p": (("a", N_("active")), ("d", N_("done")), ("x", N_("declined"))),
    "d": (("o", N_("open")), ("v", N_("overdue")), ("f", N_("done"))),
}
TITLES = {
    "n": N_("🙋 Needs"),
    "r": N_("🔧 Problems"),
    "p": N_("🏗 Projects"),
    "d": N_("⏰ Decisions"),
}
NEED_FILTERS = {
    "a": (NeedStatus.OPEN, NeedStatus.FORWARDED),
    "p": (NeedStatus.ADOPTED,),
    "d": (NeedStatus.DECLINED, NeedStatus.MERGED),
}
PROJECT_FILTERS = {
    "a": tuple(s for s in ProjectStatus if s not in (ProjectStatus.DONE, ProjectStatus.DECLINED)),
    "d": (ProjectStatus.DONE,),
    "x": (ProjectStatus.DECLINED,),
}


@dataclass(frozen=True)
class View:
    kind: str
    building: Building
    filter: str
    offset: int
    privileged: bool  # heads, staff and admins also see privately reported texts


async def _lines(context: CourtyardContext, _: Translator, view: View) -> tuple[list[str], int]:
    services = context.services
    building = view.building
    lines: list[str] = []
    if view.kind == "n":
        needs, total = await services.needs.page(
            building.id, NEED_FILTERS[view.filter], limit=PAGE_SIZE, offset=view.offset
        )
        for need in needs:
            text = short(need.text, 60) if need.public else _("(proposed privately)")
            lines.append(
                f"<b>N{need.id}</b> {text} · 👍{need.support} · {need_status(_, need.status)}"
            )
        return lines, total
    if view.kind == "p":
        projects, total = await services.projects.page(
            building.id, PROJECT_FILTERS[view.filter], limit=PAGE_SIZE, offset=view.offset
        )
        for project in projects:
            lines.append(
                f"<b>PJ{project.id}</b> {short(project.title, 40)}\n   "
                f"{progress_bar(project.percent)} {project.percent}% · "
                f"{project_status(_, project.status)}"
            )
        return lines, total
    if view.kind == "d":
        now = services.clock.now()
        decisions, total = await services.decisions.page(
            building.id,
            open_only=view.filter != "f",
            overdue_at=now if view.filter == "v" else None,
            limit=PAGE_SIZE,
            offset=view.offset,
        )
        for decision in decisions:
            late = " ⚠️" if decision.is_open and decision.due_at <= now else ""
            lines.append(
                f"<b>D{decision.id}</b> {short(decision.text, 50)} · "
                + _("due {date}").format(date=when(context, building, decision.due_at)[:10])
                + late
            )
        return lines, total
    return await _problems(context, _, view)


async def _problems(context: CourtyardContext, _: Translator, view: View) -> tuple[list[str], int]:
    services = context.services
    if view.filter == "o":
        requests, total = await services.requests.open_in_building(
            view.building.id, limit=PAGE_SIZE, offset=view.offset
        )
    else:
        everything, _count = await services.requests.open_in_building(
            view.building.id, limit=MAX_OPEN_SCANNED, offset=0
        )
        now = services.clock.now()
        overdue = [
            r
            for r in everything
            if now - r.created_at
            >= services.sla.targets_for(
                r.category, Urgency.URGENT if r.urgent else Urgency.NORMAL, view.building.id
            ).resolve_within
        ]
        total = len(overdue)
        requests = overdue[view.offset : view.offset + PAGE_SIZE]
    lines = []
    for request in requests:
        text = (
            short(request.description, 50)
            if request.chat_id is not None or view.privileged
            else _("(reported privately)")
        )
        urgent = "🚨 " if request.urgent else ""
        lines.append(
            f"{urgent}<b>#{request.id}</b> {escape(category_name(_, request.category))} · "
            f"👥 {request.affected} · {text}"
        )
    return lines, total


async def render(
    context: CourtyardContext, _: Translator, view: View
) -> tuple[str, InlineKeyboardMarkup]:
    lines, total = await _lines(context, _, view)
    header = f"<b>{_(TITLES[view.kind])}</b> · {escape(view.building.name)}"
    if total:
        header += f" ({view.offset + 1}–{view.offset + len(lines)} / {total})"
    body = lines or [_("Nothing here.")]
    prefix = f"lv:{view.kind}:{view.building.id}"
    filters_row = [
        InlineKeyboardButton(
            ("• " if code == view.filter else "") + _(label),
            callback_data=f"{prefix}:{code}:0",
        )
        for code, label in FILTERS[view.kind]
    ]
    paging = []
    if view.offset > 0:
        previous = max(view.offset - PAGE_SIZE, 0)
        paging.append(
            InlineKeyboardButton(
                _("◀️ Previous"), callback_data=f"{prefix}:{view.filter}:{previous}"
            )
        )
    if view.offset + PAGE_SIZE < total:
        paging.append(
            InlineKeyboardButton(
                _("Next ▶️"), callback_data=f"{prefix}:{view.filter}:{view.offset + PAGE_SIZE}"
            )
        )
    rows = [filters_row] + ([paging] if paging else [])
    return "\n".join([header, *body]), InlineKeyboardMarkup(rows)


async def _view(
    update: Update, context: CourtyardContext, kind: str, building_id: int, code: str, offset: int
) -> View | None:
    """The view, if this person may see this building's lists here; None otherwise."""
    services = context.services
    building = await services.buildings.get(building_id)
    if building is None or code not in dict(FILTERS[kind]):
        return None
    user_id = sender_id(update)
    if is_private(update):
        if not await may_view(context, user_id, building):
            return None
    else:
        here = await building_of_chat(update, context)
        if here is None or here.id != building.id:
            return None
    roles = await services.access.roles_in(context.bot, user_id, building)
    privileged = is_private(update) and bool(
        roles & {CommunityRole.HEAD, CommunityRole.STAFF, CommunityRole.ADMIN}
    )
    return View(kind, building, code, max(offset, 0), privileged)


async def open_from_link(update: Update, context: CourtyardContext, payload: str) -> bool:
    """`/start ls-n-3` from a board button; False if the payload is not ours."""
    match = LINK_PAYLOAD.match(payload)
    if match is None:
        return False
    _ = await translator_for(update, context)
    kind = match.group(1)
    view = await _view(update, context, kind, int(match.group(2)), FILTERS[kind][0][0], 0)
    if view is None:
        await reply(update, _("Only residents of this building can open its lists."))
        return True
    text, keyboard = await render(context, _, view)
    await reply(update, text, reply_markup=keyboard)
    return True


async def on_view(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = VIEW_CALLBACK.match(query.data or "")
    view = (
        await _view(
            update,
            context,
            match.group(1),
            int(match.group(2)),
            match.group(3),
            int(match.group(4)),
        )
        if match
        else None
    )
    if view is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    text, keyboard = await render(context, _, view)
    await answer_quietly(query)
    await edit_quietly(query, text, keyboard)


async def _list_command(update: Update, context: CourtyardContext, kind: str) -> None:
    _ = await translator_for(update, context)
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    view = await _view(update, context, kind, building.id, FILTERS[kind][0][0], 0)
    if view is None:
        return
    text, keyboard = await render(context, _, view)
    await reply(update, text, reply_markup=keyboard)


async def needs_command(update: Update, context: CourtyardContext) -> None:
    await _list_command(update, context, "n")


async def projects_command(update: Update, context: CourtyardContext) -> None:
    await _list_command(update, context, "p")


async def decisions_command(update: Update, context: CourtyardContext) -> None:
    await _list_command(update, context, "d")


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("needs", needs_command),
        CommandHandler("projects", projects_command),
        CommandHandler("decisions", decisions_command),
        CallbackQueryHandler(on_view, pattern=VIEW_CALLBACK),
    ]
