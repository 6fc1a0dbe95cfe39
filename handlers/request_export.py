"""`/export`: every request of a period as CSV and XLSX, streamed page by page.

A child process reads the period page by page and streams it into a CSV file and an XLSX
workbook (temporary files), so memory does not grow with the export and the bot's process
stays free for commands: a district's month is tens of thousands of requests and their whole
history, over a million cells.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, datetime, tzinfo
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, helpers

from bot.child_process import ChildWorker
from bot.context import CourtyardContext
from bot.domain.report import local_day_bounds, parse_export_range
from bot.i18n import Translator
from handlers.common import is_private, reply, sender_id, translator_for
from handlers.list_report import export_caption, export_lists_xlsx
from handlers.survey_export import SURVEY_EXPORT_WORDS, export_survey
from storage.export_files import (
    ExportJob,
    assemble_workbook,
    history_columns,
    request_columns,
    write_history_part,
    write_requests_part,
)
from storage.list_reports import ListsExport


def export_usage(_: Translator) -> str:
    return _(
        "Usage: /export [days] (the last 30 days by default) or /export 2026-11-01 2026-11-30"
    )


async def export(update: Update, context: CourtyardContext) -> None:
    """`/export [days]` or `/export FROM TO`: every request created in the range, as CSV and
    XLSX, to a community admin in a private chat. `/export survey N` is a survey's answers."""
    if context.args and context.args[0].casefold() in SURVEY_EXPORT_WORDS:
        # A survey has its own rules: heads of its building may have its answers too.
        await export_survey(update, context, context.args[1:])
        return
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    if not services.access.is_admin(user_id):
        await reply(update, _("Sorry, only community admins can export requests."))
        return
    if not is_private(update):
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Open private chat"),
                        url=helpers.create_deep_linked_url(context.bot.username),
                    )
                ]
            ]
        )
        await reply(
            update,
            _(
                "Exports contain personal data, so I send them only in a private chat. Please "
                "send /export to me privately."
            ),
            reply_markup=keyboard,
        )
        return
    tz = services.settings.community.timezone
    now = services.clock.now()
    days = parse_export_range(context.args or [], now.astimezone(tz).date())
    if days is None:
        await reply(update, export_usage(_))
        return
    first, last = days
    start, end = local_day_bounds(first, last, tz)
    lists = await services.list_reports.export(start, end)
    message = update.effective_message
    if message is None:
        return
    stem = f"requests-{first.isoformat()}-{last.isoformat()}"
    with tempfile.TemporaryDirectory(prefix="courtyard-export-") as directory:
        count = await write_export(context, _, start, end, Path(directory))
        if count == 0 and lists.is_empty:
            await reply(
                update,
                _("No requests were reported from {start} to {end}.").format(
                    start=first.isoformat(), end=last.isoformat()
                ),
            )
            return
        if count:
            caption = _(
                "{count} requests reported from {start} to {end}. This file contains personal "
                "data (Telegram ids and residents' messages): keep it private."
            ).format(count=count, start=first.isoformat(), end=last.isoformat())
            folder = Path(directory)
            with (folder / "requests.csv").open("rb") as csv_file:
                await message.reply_document(csv_file, filename=f"{stem}.csv", caption=caption)
            with (folder / "requests.xlsx").open("rb") as xlsx_file:
                await message.reply_document(xlsx_file, filename=f"{stem}.xlsx")
    await _send_lists(update, _, lists, first, last, tz)


async def _send_lists(
    update: Update, _: Translator, lists: ListsExport, first: date, last: date, tz: tzinfo
) -> None:
    """The needs, projects, meetings and decisions workbook (when there is anything)."""
    message = update.effective_message
    if message is None or lists.is_empty:
        return
    workbook = await asyncio.to_thread(export_lists_xlsx, _, lists, tz)
    await message.reply_document(
        workbook,
        filename=f"lists-{first.isoformat()}-{last.isoformat()}.xlsx",
        caption=export_caption(_, lists),
    )


async def write_export(
    context: CourtyardContext, _: Translator, start: datetime, end: datetime, directory: Path
) -> int:
    """Write the period's requests into `directory` (requests.csv, requests.xlsx); returns
    how many. Two child processes read and write them (see storage.export_files), so the
    seconds of formatting a district's month never hold up a command."""
    services = context.services
    tz = services.settings.community.timezone
    job = ExportJob(
        database=str(services.database.path),
        start=start,
        end=end,
        tz=tz,
        request_titles={title: _(title) for title, _get in request_columns(tz)},
        history_titles={title: _(title) for title, _get in history_columns(tz)},
        directory=str(directory),
    )
    async with ChildWorker() as requests_part, ChildWorker() as history_part:
        count, _none = await asyncio.gather(
            requests_part.call(write_requests_part, job),
            history_part.call(write_history_part, job),
        )
        await requests_part.call(assemble_workbook, job)
    return count
