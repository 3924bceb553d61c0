"""Plain tables as downloads: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
the Thai text right) and XLSX (one sheet, a bold header row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THAI_FONT = "Tahoma"
"""A font every office suite has that covers Thai script."""


def cell_value(value: Any) -> Any:
    """What a cell shows: text, a number, or blank; lists joined, booleans as 1/0."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join("" if item is None else str(item) for item in value)
    return str(value)


def csv_bytes(lines: Sequence[Sequence[Any]]) -> bytes:
    """Lines of cells as CSV; None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow(["" if cell is None else cell for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """A header line, then one line per row (the columns' values, in order)."""
    return csv_bytes(
        [list(columns), *([cell_value(row.get(column)) for column in columns] for row in rows)]
    )


def new_sheet(title: str) -> tuple[Workbook, Worksheet]:
    """A new workbook and its one sheet, named ``title`` (cut to Excel's 31 characters)."""
    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook always has its first sheet
        raise TypeError("openpyxl made a workbook without a worksheet")
    sheet.title = title[:31]
    return workbook, sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an XLSX file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(title: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """One sheet named ``title``: a bold header row, then one row per row."""
    workbook, sheet = new_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([cell_value(row.get(column)) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(name=THAI_FONT, bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.font = Font(name=THAI_FONT)
    return workbook_bytes(workbook)
