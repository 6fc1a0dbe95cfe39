"""The streamed XLSX writer: what a spreadsheet program (openpyxl here) reads back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.xlsx_stream import XlsxStreamWriter


def test_values_come_back_with_their_types_and_text_is_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = XlsxStreamWriter(path, ["requests", "history & notes"])
    book.append(0, ["number", "text", "flag", "when", "empty", "last"])
    moment = datetime(2026, 11, 3, 8, 15, 59)
    book.append(0, [7, "=SUM(A1:A2)", True, moment, None, 12345678901])
    book.append(0, [8, "  水管 <漏水> & \x07bell ", False, datetime(1999, 12, 31, 23, 59, 1)])
    for number in range(1, 31):
        book.append(1, [number, f"line {number}"])
    book.close()

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["requests", "history & notes"]
    requests = workbook["requests"]
    assert requests.freeze_panes == "A2"
    rows = [list(row) for row in requests.iter_rows(values_only=True)]
    assert rows[0] == ["number", "text", "flag", "when", "empty", "last"]
    assert rows[1] == [7, "=SUM(A1:A2)", True, moment, None, 12345678901]
    assert requests.cell(row=2, column=2).data_type == "s"  # text, not a formula
    assert requests.cell(row=2, column=4).number_format == "yyyy-mm-dd hh:mm:ss"
    # XML's forbidden control characters go; spaces and markup characters stay as typed.
    assert rows[2][:4] == [8, "  水管 <漏水> & bell ", False, datetime(1999, 12, 31, 23, 59, 1)]
    history = [list(row) for row in workbook["history & notes"].iter_rows(values_only=True)]
    assert history == [[number, f"line {number}"] for number in range(1, 31)]


def test_close_is_idempotent_and_leaves_only_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    book = XlsxStreamWriter(path, ["only"])
    book.close()
    book.close()
    assert [p.name for p in tmp_path.iterdir()] == ["empty.xlsx"]
    assert list(load_workbook(path)["only"].iter_rows(values_only=True)) == []
