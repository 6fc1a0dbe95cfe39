"""The weekly report: each building's last 7 days to its heads and the community's admins.

A district has thousands of buildings, and each report with activity carries a chart
(matplotlib, tens of milliseconds of CPU each). The charts are drawn in two child processes
(at a lower priority) while the job goes on reading the next buildings, so the bot's process
stays free for commands; each building's messages are queued in the same order as before,
once its chart is ready.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from telegram.ext import JobQueue

from bot.charts import grouped_bar_chart
from bot.child_process import ChildWorker
from bot.context import CourtyardContext
from bot.domain.digest import next_weekly_at
from bot.domain.report import BuildingReport, previous_days
from bot.i18n import Translator, translator
from bot.services import Services
from handlers.care_jobs import queue_weekly_care_report
from handlers.common import chunk_lines, preferred_language
from handlers.households import head_ids
from handlers.list_report import lists_lines, lists_period
from handlers.outbox import deliver_outbox
from handlers.reports import (
    build_report,
    chart_caption,
    chart_data,
    report_lines,
    zone_of,
)
from storage.buildings import Building
from storage.list_reports import ListsPeriod
from storage.outbox import OutgoingMessage

WEEKLY_REPORT_JOB = "weekly_report"
LAST_WEEKLY_REPORT = "weekly_report_last_sent"
MONDAY = 0
# Buildings read ahead while their charts are drawn: enough to keep the child busy, few
# enough that a failure leaves little half-done (a second run queues nothing twice).
CHARTS_AHEAD = 8
# Two children, at a lower priority than the bot: the charts use what CPU the commands leave.
CHART_WORKERS = 2
CHART_NICENESS = 10


def _report_messages(
    context: CourtyardContext,
    chat_id: int,
    _: Translator,
    building: Building,
    report: BuildingReport,
    chart: bytes | None,
    lists: ListsPeriod | None = None,
) -> list[OutgoingMessage]:
    """The report for one recipient, then its chart, keyed by building, week and recipient
    so a second run of the job (after a crash or restart) queues nothing twice."""
    tz = zone_of(context.services, building)
    # Heads in private, or the community's admin chat: both may read every request.
    chunks = chunk_lines(
        report_lines(_, building, report, tz, in_group=False)
        + (lists_lines(_, lists) if lists is not None else [])
    )
    key = f"weekly:{building.id}:{report.period_end.astimezone(tz).date().isoformat()}:{chat_id}"
    messages = [
        OutgoingMessage(f"{key}:{index}", chat_id, chunk) for index, chunk in enumerate(chunks)
    ]
    if chart is not None:
        caption = chart_caption(_, building)
        messages.append(OutgoingMessage(f"{key}:chart", chat_id, caption, photo=chart))
    return messages


async def _person_translator(context: CourtyardContext, person_id: int) -> Translator | None:
    """The person's language, or None when the bot may not write to them."""
    person = await context.services.people.get(person_id)
    if person is None or not person.started_bot or person.blocked_bot:
        return None
    return translator(preferred_language(person.language or person.language_code, context))


async def _chat_translator(context: CourtyardContext, chat_id: int) -> Translator:
    chat = await context.services.chats.get(chat_id)
    return translator(preferred_language(chat.language if chat else None, context))


@dataclass
class _Pending:
    """A building's report waiting for its chart (None: no chart)."""

    building: Building
    report: BuildingReport
    lists: ListsPeriod
    recipients: list[tuple[int, Translator]]
    chart: asyncio.Future[bytes] | None


async def send_weekly_reports(context: CourtyardContext) -> None:
    """Job: each building's report for the last 7 whole days, to its heads who started the
    bot and to the community's admin chat, through the outbox (retried, never doubled)."""
    services = context.services
    now = services.clock.now()
    admin_chat = services.settings.community.admin_chat_id
    pending: deque[_Pending] = deque()
    async with AsyncExitStack() as stack:
        charts: list[ChildWorker] = []  # started at the first chart
        drawn = 0
        try:
            for building in await services.buildings.all():
                start, end = previous_days(now, zone_of(services, building), 7)
                await queue_weekly_care_report(context, building, start, end)  # no names
                # The week's range of each building, read beside the commands, a building a turn.
                async with services.database.job_reads():
                    report = await build_report(services, building, start, end)
                    lists = await lists_period(context, building, start, end)
                await asyncio.sleep(0)
                if report.is_quiet and lists.is_quiet:
                    continue
                recipients = await _recipients(context, building, admin_chat)
                data = chart_data(report)
                chart = None
                if data is not None and recipients:
                    if not charts:
                        for _ in range(CHART_WORKERS):
                            charts.append(
                                await stack.enter_async_context(
                                    ChildWorker(niceness=CHART_NICENESS)
                                )
                            )
                    worker = charts[drawn % len(charts)]
                    drawn += 1
                    chart = asyncio.ensure_future(
                        worker.call(grouped_bar_chart, data.labels, data.new, data.resolved)
                    )
                pending.append(_Pending(building, report, lists, recipients, chart))
                while len(pending) > CHARTS_AHEAD:
                    await _queue(context, pending.popleft())
            while pending:
                await _queue(context, pending.popleft())
        except BaseException:
            for waiting in pending:
                if waiting.chart is not None:
                    waiting.chart.cancel()
            raise
    await services.state.set(LAST_WEEKLY_REPORT, now.isoformat())
    await deliver_outbox(context)


async def _recipients(
    context: CourtyardContext, building: Building, admin_chat: int | None
) -> list[tuple[int, Translator]]:
    """Heads who may be written to, then the admin chat, each with their language."""
    recipients: list[tuple[int, Translator]] = []
    for head in sorted(await head_ids(context, building)):
        language = await _person_translator(context, head)
        if language is not None:
            recipients.append((head, language))
    if admin_chat is not None:
        recipients.append((admin_chat, await _chat_translator(context, admin_chat)))
    return recipients


async def _queue(context: CourtyardContext, ready: _Pending) -> None:
    """The building's messages to each recipient, once its chart is drawn."""
    chart = None if ready.chart is None else await ready.chart
    for chat_id, language in ready.recipients:
        await context.services.outbox.add(
            _report_messages(
                context, chat_id, language, ready.building, ready.report, chart, ready.lists
            )
        )


def schedule_weekly_report(
    queue: JobQueue[Any],
    services: Services,
    *,
    weekday: int = MONDAY,
    at: time | None = None,
) -> None:
    """Run `send_weekly_reports` every week on `weekday` (0 = Monday … 6 = Sunday, as in
    `datetime.weekday`) at `at` (default 09:00; a time without a zone is community time)."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    community_zone = services.settings.community.timezone
    when = at or time(9, 0)
    if when.tzinfo is None:
        when = when.replace(tzinfo=community_zone)
    for job in queue.get_jobs_by_name(WEEKLY_REPORT_JOB):
        job.schedule_removal()
    # python-telegram-bot counts days from Sunday (0) to Saturday (6).
    queue.run_daily(
        send_weekly_reports, time=when, days=((weekday + 1) % 7,), name=WEEKLY_REPORT_JOB
    )


async def catch_up_weekly_report(
    queue: JobQueue[Any], services: Services, *, weekday: int, at: time
) -> bool:
    """At start-up: send the weekly report now if its time passed while the bot was down."""
    now = services.clock.now()
    last_sent = await services.state.get(LAST_WEEKLY_REPORT)
    if last_sent is None:
        # A new installation owes nobody a report yet.
        await services.state.set(LAST_WEEKLY_REPORT, now.isoformat())
        return False
    tz = services.settings.community.timezone
    last_due = next_weekly_at(weekday, at, tz, now - timedelta(days=7))
    if last_due > now or datetime.fromisoformat(last_sent) >= last_due:
        return False
    queue.run_once(send_weekly_reports, when=0, name=f"{WEEKLY_REPORT_JOB}-catch-up")
    return True
