"""The needs, projects and meetings part of the weekly report and /summary, and the lists
workbook of /export (sheets: needs, projects, meetings, decisions, history)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from bot.context import CourtyardContext
from bot.domain.lists import format_money, progress_bar
from bot.i18n import N_, Translator
from handlers.common import escape
from handlers.list_common import need_status, project_status, short
from storage.buildings import Building
from storage.list_reports import ListsExport, ListsPeriod


async def lists_period(
    context: CourtyardContext, building: Building, start: datetime, end: datetime
) -> ListsPeriod:
    return await context.services.list_reports.period(building.id, start, end)


def lists_lines(_: Translator, lists: ListsPeriod) -> list[str]:
    """Needs, projects, meetings and decisions of the period (privately proposed needs are
    counted, never quoted)."""
    if lists.is_quiet:
        return []
    lines = [
        "",
        _(
            "🙋 <b>Needs</b>: {new} new · {active} open · {adopted} became projects · "
            "{declined} declined"
        ).format(
            new=lists.needs_new,
            active=lists.needs_active,
            adopted=lists.needs_adopted,
            declined=lists.needs_declined,
        ),
    ]
    for need in lists.top_needs:
        text = short(need.text, 60) if need.public else _("(proposed privately)")
        lines.append(f"• N{need.id} {text} · 👍{need.support} · {need_status(_, need.status)}")
    lines.append(
        _("🏗 <b>Projects</b>: {active} under way · {done} done in this period").format(
            active=len(lists.projects_active), done=lists.projects_done
        )
    )
    for project in lists.projects_active:
        lines.append(
            f"• PJ{project.id} {short(project.title, 40)} {progress_bar(project.percent)} "
            f"{project.percent}% · {project_status(_, project.status)}"
        )
    for project in lists.evaluations:
        evaluation = project.evaluation or {}
        if evaluation.get("percent") is not None:
            lines.append(
                _("⭐ PJ{number} evaluated: {percent}% satisfied (threshold {threshold}%)").format(
                    number=project.id,
                    percent=evaluation["percent"],
                    threshold=evaluation["threshold"],
                )
            )
    lines.append(
        _(
            "📅 Meetings: {meetings} · decisions taken: {made} · done: {done} · "
            "⚠️ overdue: {overdue}"
        ).format(
            meetings=lists.meetings_held,
            made=lists.decisions_made,
            done=lists.decisions_done,
            overdue=lists.decisions_overdue,
        )
    )
    return lines


Cell = str | int | bool | datetime | None
Column = tuple[str, Callable[[Any], Cell]]


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _sheets(export: ListsExport, tz: tzinfo) -> list[tuple[str, list[Column], Sequence[Any]]]:
    needs: list[Column] = [
        (N_("number"), lambda n: f"N{n.id}"),
        (N_("building id"), lambda n: n.building_id),
        (N_("status"), lambda n: n.status.value),
        (N_("text"), lambda n: n.text),
        (N_("support"), lambda n: n.support),
        (N_("proposed privately"), lambda n: not n.public),
        (N_("author id"), lambda n: n.author_id),
        (N_("decline reason"), lambda n: n.decline_reason),
        (N_("merged into"), lambda n: n.merged_into),
        (N_("created"), lambda n: _local(n.created_at, tz)),
    ]
    projects: list[Column] = [
        (N_("number"), lambda p: f"PJ{p.id}"),
        (N_("building id"), lambda p: p.building_id),
        (N_("title"), lambda p: p.title),
        (N_("status"), lambda p: p.status.value),
        (N_("percent"), lambda p: p.percent),
        (N_("owner id"), lambda p: p.owner_id),
        (N_("budget"), lambda p: None if p.budget_cents is None else format_money(p.budget_cents)),
        (N_("funding"), lambda p: p.funding),
        (N_("target date"), lambda p: p.target_date.isoformat() if p.target_date else None),
        (N_("created"), lambda p: _local(p.created_at, tz)),
        (N_("done"), lambda p: _local(p.done_at, tz)),
        (N_("satisfied %"), lambda p: (p.evaluation or {}).get("percent")),
    ]
    meetings: list[Column] = [
        (N_("number"), lambda m: f"M{m.id}"),
        (N_("building id"), lambda m: m.building_id),
        (N_("starts"), lambda m: _local(m.starts_at, tz)),
        (N_("place"), lambda m: m.place),
        (N_("agenda"), lambda m: "; ".join(i.title for i in m.agenda)),
        (N_("cancelled"), lambda m: m.cancelled),
        (N_("attendance"), lambda m: m.attendance_count),
    ]
    decisions: list[Column] = [
        (N_("number"), lambda d: f"D{d.id}"),
        (N_("meeting"), lambda d: f"M{d.meeting_id}"),
        (N_("item"), lambda d: d.item_position),
        (N_("kind"), lambda d: d.kind.value),
        (N_("decision"), lambda d: d.text),
        (N_("owner id"), lambda d: d.owner_id),
        (N_("due"), lambda d: _local(d.due_at, tz)),
        (N_("done"), lambda d: _local(d.done_at, tz)),
        (N_("for"), lambda d: d.votes_for),
        (N_("against"), lambda d: d.votes_against),
    ]
    history: list[Column] = [
        (N_("item"), lambda h: f"{h[0]} {h[1]}"),
        (N_("time"), lambda h: _local(h[2], tz)),
        (N_("actor id"), lambda h: h[3]),
        (N_("action"), lambda h: h[4]),
        (N_("note"), lambda h: h[5]),
    ]
    return [
        ("needs", needs, export.needs),
        ("projects", projects, export.projects),
        ("meetings", meetings, export.meetings),
        ("decisions", decisions, export.decisions),
        ("lists history", history, export.history),
    ]


def export_lists_xlsx(_: Translator, export: ListsExport, tz: tzinfo) -> bytes:
    """One workbook, a sheet per list (text cells stay text, even when they start with =)."""
    # openpyxl takes ~0.25 s to import: paid at the first lists export, not at every start.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    workbook = Workbook()
    for index, (title, columns, rows) in enumerate(_sheets(export, tz)):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([_(name) for name, _get in columns])
        for row_number, item in enumerate(rows, start=2):
            for column_number, (_name, get) in enumerate(columns, start=1):
                value = get(item)
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=row_number, column=column_number, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_caption(_: Translator, export: ListsExport) -> str:
    return escape(
        _(
            "The three lists: {needs} needs, {projects} projects, {meetings} meetings and "
            "{decisions} decisions, with their history."
        ).format(
            needs=len(export.needs),
            projects=len(export.projects),
            meetings=len(export.meetings),
            decisions=len(export.decisions),
        )
    )
