"""The request export's files, written by a child process straight from the database.

`/export` of a district's month is tens of thousands of requests and their whole history:
over a million spreadsheet cells. Formatting them is seconds of CPU, and in the bot's
process that CPU would hold the GIL against every command. So the bot hands an
`ExportJob` to a child process (`handlers.request_export`), which reads the period in pages
on its own read-only connection and streams them into a CSV file and an XLSX workbook.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.i18n import N_
from bot.xlsx_stream import XlsxStreamWriter
from storage.database import placeholders
from storage.reports import (
    EXPORT_EVENTS_SQL,
    EXPORT_PAGE,
    EXPORT_REQUESTS_SQL,
    ExportedEvent,
    ExportedRequest,
    RequestExport,
    exported_event,
    exported_request,
    period_bounds,
)

Cell = str | int | bool | datetime | None
Column = tuple[str, Callable[[Any], Cell]]


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


def csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # a spreadsheet must not run residents' text as a formula
    return str(value)


@dataclass(frozen=True)
class ExportJob:
    """What the child needs (picklable): the database, the period, the zone for local
    times, the column titles already in the admin's language, and where to write."""

    database: str
    start: datetime
    end: datetime
    tz: tzinfo
    request_titles: dict[str, str]
    history_titles: dict[str, str]
    directory: str
    page_size: int = EXPORT_PAGE


def export_pages(
    connection: sqlite3.Connection, start: datetime, end: datetime, page_size: int
) -> Iterator[RequestExport]:
    """The same pages as `ReportRepository.export_pages`, read synchronously (same SQL)."""
    low, high = period_bounds(start, end)
    after = (low - 1, 0)
    while True:
        rows = connection.execute(EXPORT_REQUESTS_SQL, (low, high, *after, page_size)).fetchall()
        if not rows:
            return
        requests = tuple(exported_request(row) for row in rows)
        ids = [request.id for request in requests]
        events = connection.execute(EXPORT_EVENTS_SQL.format(placeholders(ids)), ids)
        order = {number: index for index, number in enumerate(ids)}
        history = sorted(
            (exported_event(row) for row in events), key=lambda e: order[e.request_id]
        )
        yield RequestExport(requests, tuple(history))
        if len(rows) < page_size:
            return
        after = (int(rows[-1]["created_at"]), int(rows[-1]["id"]))


def write_export_files(job: ExportJob) -> int:
    """Write requests.csv and requests.xlsx into `job.directory`; returns how many requests.
    Runs in a child process (blocking, CPU-bound)."""
    folder = Path(job.directory)
    request_columns_ = request_columns(job.tz)
    history_columns_ = history_columns(job.tz)
    request_titles = [job.request_titles.get(title, title) for title, _get in request_columns_]
    history_titles = [job.history_titles.get(title, title) for title, _get in history_columns_]
    connection = sqlite3.connect(f"file:{job.database}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    book = XlsxStreamWriter(folder / "requests.xlsx", ["requests", "history"])
    count = 0
    try:
        # Excel needs the BOM to read UTF-8 (Chinese) correctly.
        with (folder / "requests.csv").open("w", encoding="utf-8-sig", newline="") as csv_file:
            table = csv.writer(csv_file)
            table.writerow(request_titles)
            book.append(0, request_titles)
            book.append(1, history_titles)
            for page in export_pages(connection, job.start, job.end, job.page_size):
                for request in page.requests:
                    row = [get(request) for _title, get in request_columns_]
                    table.writerow([csv_value(value) for value in row])
                    book.append(0, row)
                for event in page.history:
                    book.append(1, [get(event) for _title, get in history_columns_])
                count += len(page.requests)
    finally:
        connection.close()
        book.close()
    return count


__all__ = ["ExportJob", "ExportedEvent", "ExportedRequest", "write_export_files"]
