"""Building reports (/summary; the weekly job is in handlers.weekly_report) and /export.

The counting lives in `bot.domain.report`; this module queries, words and sends it. Exports
contain Telegram ids and residents' own words, so they go only to community admins, and only
in a private chat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler

import bot.charts  # noqa: F401 - selects the headless matplotlib backend before pyplot
from bot.charts import grouped_bar_chart
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.digest import age_parts
from bot.domain.report import (
    BuildingReport,
    ClosedPollRow,
    ResolveTarget,
    parse_period,
    rolling_period,
    summarize,
)
from bot.domain.sla import Urgency
from bot.i18n import Translator
from bot.services import Services
from handlers.common import (
    building_of_chat,
    escape,
    is_private,
    may_manage,
    not_linked,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.households import managed_buildings
from handlers.labels import category_name
from handlers.list_report import lists_lines, lists_period
from handlers.poll_view import option_label
from handlers.request_cards import shorten
from handlers.request_export import export
from storage.buildings import Building
from storage.reports import ReportRepository

logger = logging.getLogger(__name__)

MAX_BUILDINGS_PER_SUMMARY = 10
MAX_POLL_LINES = 10

# -- building reports -------------------------------------------------------------------------


def resolve_target_for(services: Services, building: Building) -> ResolveTarget:
    """The resolution target behind "overdue": the building's SLA policy."""
    policy = services.sla

    def target(category: str, urgent: bool) -> timedelta:
        urgency = Urgency.URGENT if urgent else Urgency.NORMAL
        return policy.targets_for(category, urgency, building.id).resolve_within

    return target


def zone_of(services: Services, building: Building) -> tzinfo:
    if building.timezone:
        return ZoneInfo(building.timezone)
    return services.settings.community.timezone


async def build_report(
    services: Services, building: Building, start: datetime, end: datetime
) -> BuildingReport:
    data = await ReportRepository(services.database, services.clock).report_data(
        building.id, start, end
    )
    return summarize(
        data, start, end, services.clock.now(), resolve_target_for(services, building)
    )


def duration_text(_: Translator, delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    parts = age_parts(delta)
    if parts.days:
        return _("{days} d {hours} h").format(days=parts.days, hours=parts.hours)
    if parts.hours:
        return _("{hours} h").format(hours=parts.hours)
    return _("{minutes} min").format(minutes=parts.minutes)


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _poll_outcome(_: Translator, poll: ClosedPollRow) -> str:
    if poll.passed is not None:
        return _("passed ✅") if poll.passed else _("not passed ❌")
    names = [option_label(_, poll.options[i]) for i in poll.winners if 0 <= i < len(poll.options)]
    if names:
        return _("most votes: {options}").format(options=escape(", ".join(names)))
    return _("no votes")


def report_lines(
    _: Translator, building: Building, report: BuildingReport, tz: tzinfo, *, in_group: bool
) -> list[str]:
    """The report message, in lines (HTML). In a group, privately reported requests are
    counted but their text is not shown."""
    first = report.period_start.astimezone(tz).date()
    last = (report.period_end - timedelta(microseconds=1)).astimezone(tz).date()
    lines = [
        _("📊 <b>Report for {building}</b>: {start} – {end}").format(
            building=escape(building.name), start=first.isoformat(), end=last.isoformat()
        ),
        _("🆕 New: {new} · ✅ Resolved: {resolved} · 🚫 Closed without a fix: {closed}").format(
            new=report.new, resolved=report.resolved, closed=report.closed_unresolved
        ),
        _("📂 Open now: {open} · ⚠️ Overdue: {overdue}").format(
            open=report.open, overdue=report.overdue
        ),
        _("⏱ Median time to first response: {response} · to resolution: {resolution}").format(
            response=duration_text(_, report.median_response),
            resolution=duration_text(_, report.median_resolution),
        ),
    ]
    share = report.satisfied_share
    if share is None:
        lines.append(_("👍 No answers from residents yet about fixes in this period."))
    else:
        lines.append(
            _("👍 Residents satisfied with the fix: {share} of {answers} answers").format(
                share=_percent(float(share)), answers=report.satisfaction_answers
            )
        )
    rating = report.average_rating
    if rating is not None:
        lines.append(
            _("⭐ Average rating: {rating} ({count} ratings)").format(
                rating=f"{float(rating):.1f}", count=report.ratings
            )
        )
    if report.categories:
        lines.append("")
        lines.append(_("<b>By category</b> (new / resolved / open now):"))
        for counts in report.categories:
            lines.append(
                f"• {escape(category_name(_, counts.category))}: "
                f"{counts.new} / {counts.resolved} / {counts.open}"
            )
    if report.top_open:
        lines.append("")
        lines.append(_("<b>Open requests affecting the most households</b>:"))
        for index, row in enumerate(report.top_open, start=1):
            text = (
                _("(reported privately)")
                if in_group and row.private
                else escape(shorten(row.description, 80))
            )
            lines.append(
                f"{index}. {'🚨 ' if row.urgent else ''}<b>#{row.id}</b> "
                f"{escape(category_name(_, row.category))} · 👥 {row.affected} · "
                f"{text}"
            )
    if report.polls:
        lines.append("")
        lines.append(_("<b>Polls closed</b>:"))
        for poll in report.polls[:MAX_POLL_LINES]:
            lines.append(
                f"• #P{poll.id} {escape(shorten(poll.question, 80))} — {_poll_outcome(_, poll)}"
            )
        if len(report.polls) > MAX_POLL_LINES:
            lines.append(_("… and {count} more").format(count=len(report.polls) - MAX_POLL_LINES))
    return lines


def chart_caption(_: Translator, building: Building) -> str:
    return _("{building}: new (grey) and resolved (green) requests by category").format(
        building=escape(building.name)
    )


@dataclass(frozen=True)
class ChartData:
    """Per-category counts for the chart; labels are category keys (ASCII, see bot.charts)."""

    labels: tuple[str, ...]
    new: tuple[int, ...]
    resolved: tuple[int, ...]


def chart_data(report: BuildingReport) -> ChartData | None:
    """None when nothing was new or resolved (an empty chart says nothing)."""
    rows = [c for c in report.categories if c.new or c.resolved]
    if not rows:
        return None
    return ChartData(
        # Keys are ASCII; anything else would be drawn as missing-glyph boxes.
        labels=tuple(c.category.encode("ascii", "replace").decode() for c in rows),
        new=tuple(c.new for c in rows),
        resolved=tuple(c.resolved for c in rows),
    )


def render_chart(data: ChartData) -> bytes:
    """New and resolved bars per category (blocking: call via asyncio.to_thread)."""
    return grouped_bar_chart(data.labels, data.new, data.resolved)


async def chart_of(report: BuildingReport) -> bytes | None:
    data = chart_data(report)
    if data is None:
        return None
    return await asyncio.to_thread(render_chart, data)


def summary_usage(_: Translator) -> str:
    return _("Usage: /summary [week|month] (the last 7 or 30 days; a week by default)")


async def summary(update: Update, context: CourtyardContext) -> None:
    """`/summary [week|month]`: the report for this group's building, or privately for every
    building the sender manages."""
    _ = await translator_for(update, context)
    services = context.services
    if is_private(update):
        buildings = await managed_buildings(update, context)
        if not buildings:
            if services.access.is_admin(sender_id(update)):
                await reply(update, _("No building has been set up yet."))
            else:
                await reply(update, refusal(_))
            return
    else:
        building = await building_of_chat(update, context)
        if building is None:
            await reply(update, not_linked(_))
            return
        if not await may_manage(update, context, building):
            await reply(update, refusal(_))
            return
        buildings = [building]
    kind = parse_period(context.args or [])
    if kind is None:
        await reply(update, summary_usage(_))
        return
    start, end = rolling_period(kind, services.clock.now())
    for building in buildings[:MAX_BUILDINGS_PER_SUMMARY]:
        report = await build_report(services, building, start, end)
        await reply_long(
            update,
            report_lines(
                _, building, report, zone_of(services, building), in_group=not is_private(update)
            )
            + lists_lines(_, await lists_period(context, building, start, end)),
        )
        chart = await chart_of(report)
        message = update.effective_message
        if chart is not None and message is not None:
            await message.reply_photo(chart, caption=chart_caption(_, building))


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("summary", summary),
        CommandHandler("export", export),
    ]
