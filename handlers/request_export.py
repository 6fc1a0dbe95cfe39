"""`/export`: every request of a period as CSV and XLSX, streamed page by page.

Rows go from the database to a CSV file and an openpyxl write-only workbook (temporary files)
one page at a time, so memory does not grow with the export: a district's month is tens of
thousands of requests and their whole history.
"""

from __future__ import annotations

import asyncio
import csv
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, helpers

from bot.context import CourtyardContext
from bot.domain.report import local_day_bounds, parse_export_range
from bot.i18n import N_, Translator
from handlers.common import is_private, reply, sender_id, translator_for
from handlers.list_report import export_caption, export_lists_xlsx
from handlers.survey_export import SURVEY_EXPORT_WORDS, export_survey
from storage.list_reports import ListsExport
from storage.reports import ExportedEvent, ExportedRequest, ReportRepository, RequestExport

Cell = str | int | bool | datetime | None
Column = tuple[str, Callable[[Any], Cell]]
WRITE_SLICE = 50  # requests written between two turns of the event loop


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """Local wall time without a zone (spreadsheets cannot store zones)."""
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def request_columns(tz: tzinfo) -> list[Column]:
    return [
        (N_("number"), lambda r: r.id),
        (N_("building"), lambda r: r.building),
        (N_("category"), lambda r: r.category),
        (N_("urgent"), lambda r: r.urgent),
        (N_("status"), lambda r: r.status),
        (N_("location"), lambda r: r.location),
        (N_("description"), lambda r: r.description),
        (N_("reporter id"), lambda r: r.reporter_id),
        (N_("assignee id"), lambda r: r.assignee_id),
        (N_("created"), lambda r: _local(r.created_at, tz)),
        (N_("first response"), lambda r: _local(r.responded_at, tz)),
        (N_("resolved"), lambda r: _local(r.resolved_at, tz)),
        (N_("closed"), lambda r: _local(r.closed_at, tz)),
        (N_("affected households"), lambda r: r.affected),
        (N_("satisfied"), lambda r: r.satisfied),
        (N_("rating"), lambda r: r.rating),
    ]


def history_columns(tz: tzinfo) -> list[Column]:
    return [
        (N_("request number"), lambda e: e.request_id),
        (N_("time"), lambda e: _local(e.at, tz)),
        (N_("actor id"), lambda e: e.actor_id),
        (N_("action"), lambda e: e.action),
        (N_("from status"), lambda e: e.from_status),
        (N_("to status"), lambda e: e.to_status),
        (N_("note"), lambda e: e.note),
    ]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # a spreadsheet must not run residents' text as a formula
    return str(value)


class ExportWriter:
    """Writes export pages to a CSV file and a write-only XLSX workbook in `directory`.

    Synchronous (run it in a worker thread): openpyxl and csv do the CPU work.
    """

    def __init__(self, _: Translator, tz: tzinfo, directory: Path) -> None:
        self.csv_path = directory / "requests.csv"
        self.xlsx_path = directory / "requests.xlsx"
        self.count = 0
        self._request_columns = request_columns(tz)
        self._history_columns = history_columns(tz)
        # Excel needs the BOM to read UTF-8 (Chinese) correctly.
        self._csv_file: IO[str] = self.csv_path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow([_(title) for title, _get in self._request_columns])
        self._book = Workbook(write_only=True)
        self._requests = self._book.create_sheet("requests")
        self._history = self._book.create_sheet("history")
        for sheet, columns in (
            (self._requests, self._request_columns),
            (self._history, self._history_columns),
        ):
            sheet.freeze_panes = "A2"
            sheet.append([_(title) for title, _get in columns])

    def add(self, page: RequestExport) -> None:
        for request in page.requests:
            self._csv.writerow([_csv_value(get(request)) for _title, get in self._request_columns])
            self._requests.append(self._cells(self._requests, self._request_columns, request))
        for event in page.history:
            self._history.append(self._cells(self._history, self._history_columns, event))
        self.count += len(page.requests)

    def finish(self) -> None:
        """Close both files (idempotent); the workbook is written even when empty, so none of
        its sheets is left open."""
        if self._csv_file.closed:
            return
        self._csv_file.close()
        self._book.save(self.xlsx_path)

    @staticmethod
    def _cells(
        sheet: Any, columns: Sequence[Column], item: ExportedRequest | ExportedEvent
    ) -> list[object]:
        row: list[object] = []
        for _title, get in columns:
            value = get(item)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith("="):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text stays text, never a formula
                    row.append(cell)
                    continue
            elif isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                row.append(cell)
                continue
            row.append(value)
        return row


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
    """Stream the period's requests into `directory` (requests.csv, requests.xlsx); returns
    how many. Reads on the job connection, one page at a time, writing in a worker thread."""
    services = context.services
    tz = services.settings.community.timezone
    writer = ExportWriter(_, tz, directory)
    try:
        async with services.database.job_reads():
            pages = ReportRepository(services.database, services.clock).export_pages(start, end)
            async for page in pages:
                # Small slices in the event loop, not a worker thread: a thread would hold the
                # GIL against every command's database round trip for the whole export.
                for piece in slices(page, WRITE_SLICE):
                    writer.add(piece)
                    await asyncio.sleep(0)
    finally:
        await asyncio.to_thread(writer.finish)
    return writer.count


def slices(page: RequestExport, size: int) -> list[RequestExport]:
    """The page in pieces of `size` requests, each with its own history lines."""
    pieces = []
    for first in range(0, len(page.requests), size):
        requests = page.requests[first : first + size]
        numbers = {request.id for request in requests}
        history = tuple(event for event in page.history if event.request_id in numbers)
        pieces.append(RequestExport(requests, history))
    return pieces
