"""The request export's files, written by a child process straight from the database.

`/export` of a district's month is tens of thousands of requests and their whole history:
over a million spreadsheet cells. Formatting them is seconds of CPU, and in the bot's
process that CPU would hold the GIL against every command. So the bot hands an
`ExportJob` to two child processes (`handlers.request_export`), which read the period in
pages on their own read-only connections and stream them into a CSV file and the two sheets
of an XLSX workbook.
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
from bot.xlsx_stream import SheetFile, write_workbook
from storage.database import placeholders
from storage.reports import (
    EXPORT_EVENTS_SQL,
    EXPORT_PAGE,
    EXPORT_REQUESTS_SQL,
    ExportedEvent,
    ExportedRequest,
    exported_event,
    exported_request,
    period_bounds,
)

Cell = str | int | bool | datetime | None
REQUESTS_SHEET = "requests.sheet.xml"
HISTORY_SHEET = "history.sheet.xml"
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


def _pages(
    connection: sqlite3.Connection, start: datetime, end: datetime, page_size: int
) -> Iterator[list[sqlite3.Row]]:
    """The period's request rows, a page at a time, in `ReportRepository.export_pages`'
    order and with its SQL (the query-plan test checks it there)."""
    low, high = period_bounds(start, end)
    after = (low - 1, 0)
    while True:
        rows = connection.execute(EXPORT_REQUESTS_SQL, (low, high, *after, page_size)).fetchall()
        if not rows:
            return
        yield rows
        if len(rows) < page_size:
            return
        after = (int(rows[-1]["created_at"]), int(rows[-1]["id"]))


def _history(connection: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[ExportedEvent]:
    """The history of a page's requests, in the requests' order."""
    ids = [int(row["id"]) for row in rows]
    events = connection.execute(EXPORT_EVENTS_SQL.format(placeholders(ids)), ids)
    order = {number: index for index, number in enumerate(ids)}
    return sorted((exported_event(row) for row in events), key=lambda e: order[e.request_id])


def _connect(job: ExportJob) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{job.database}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


# The two halves of the work run in two child processes at once (a core each), then the
# first puts the workbook together: requests.csv and requests.xlsx are what `/export` sends.
def write_requests_part(job: ExportJob) -> int:
    """requests.csv and the "requests" sheet; returns how many requests."""
    folder = Path(job.directory)
    columns = request_columns(job.tz)
    titles = [job.request_titles.get(title, title) for title, _get in columns]
    connection = _connect(job)
    sheet = SheetFile(folder / REQUESTS_SHEET)
    count = 0
    try:
        # Excel needs the BOM to read UTF-8 (Chinese) correctly.
        with (folder / "requests.csv").open("w", encoding="utf-8-sig", newline="") as csv_file:
            table = csv.writer(csv_file)
            table.writerow(titles)
            sheet.append(titles)
            for rows in _pages(connection, job.start, job.end, job.page_size):
                for request in map(exported_request, rows):
                    values = [get(request) for _title, get in columns]
                    table.writerow([csv_value(value) for value in values])
                    sheet.append(values)
                count += len(rows)
    finally:
        connection.close()
        sheet.close()
    return count


def write_history_part(job: ExportJob) -> None:
    """The "history" sheet: every event of the period's requests."""
    columns = history_columns(job.tz)
    connection = _connect(job)
    sheet = SheetFile(Path(job.directory) / HISTORY_SHEET)
    try:
        sheet.append([job.history_titles.get(title, title) for title, _get in columns])
        for rows in _pages(connection, job.start, job.end, job.page_size):
            for event in _history(connection, rows):
                sheet.append([get(event) for _title, get in columns])
    finally:
        connection.close()
        sheet.close()


def assemble_workbook(job: ExportJob) -> None:
    """requests.xlsx from the two finished sheets (which are then removed)."""
    folder = Path(job.directory)
    parts = [("requests", folder / REQUESTS_SHEET), ("history", folder / HISTORY_SHEET)]
    try:
        write_workbook(folder / "requests.xlsx", parts)
    finally:
        for _name, part in parts:
            part.unlink(missing_ok=True)


__all__ = ["ExportJob", "ExportedEvent", "ExportedRequest"]
