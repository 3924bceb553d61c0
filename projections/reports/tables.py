"""Tables as downloads: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Thai
text right), and what every download shares (safe text cells, a new workbook, its bytes; the
XLSX drawing of a report is ``projections.reports.workbook``'s).

Every text cell goes through ``safe_text``: a download is opened in a spreadsheet program, where
text beginning with ``= + - @`` (or a tab or carriage return) would run as a formula (a name
``=HYPERLINK(...)`` becomes a live link), so it is written as text with a leading ``'``; and a
control character that old data may hold (``สม\x01ชาย``) is replaced, since XLSX cannot hold
it and openpyxl would fail the whole download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from projections.personal import is_marker
from projections.reports.labels import Lang
from projections.reports.sheets import Column, Kind, Sheet, number, show_text

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THAI_FONT = "Tahoma"
"""A font every office suite has that covers Thai script."""


REPLACEMENT_CHARACTER = "\ufffd"
"""What a control character of stored text shows as in a download."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a cell a spreadsheet program would read as a formula begins (OWASP's CSV injection)."""

_NUMBER_OR_DASH = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?|-")
"""A signed number or a lone dash: they begin like a formula but compute nothing else."""


def safe_text(text: str) -> str:
    """Text as a download writes it: control characters replaced, and a leading ``'`` where a
    spreadsheet program would run it as a formula (a number or the table's dash stays)."""
    text = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT_CHARACTER, text)
    if text.startswith(FORMULA_STARTS) and _NUMBER_OR_DASH.fullmatch(text) is None:
        return "'" + text
    return text


def as_text(cell: Cell | MergedCell) -> None:
    """Keep a text cell text: openpyxl guesses a formula from a leading ``=``, never again."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def csv_bytes(lines: Sequence[Sequence[Any]]) -> bytes:
    """Lines of cells as CSV; None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow(["" if cell is None else _csv_cell(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(cell: Any) -> Any:
    return safe_text(cell) if isinstance(cell, str) else cell


def sheet_csv(sheet: Sheet, lang: Lang) -> bytes:
    """A header line (even when there is no row), then one line per row. Numbers are written
    plain so a spreadsheet reads them as numbers: money ``20000.00``, a ratio ``41.23%``."""
    header = [column.heading(lang) for column in sheet.columns]
    lines = [
        [csv_cell(row.get(column.key), column, lang) for column in sheet.columns]
        for row in sheet.rows
    ]
    return csv_bytes([header, *lines])


def csv_cell(value: Any, column: Column, lang: Lang) -> Any:
    """One cell of a CSV line (None: empty)."""
    if not column.numeric or is_marker(value):  # a withheld number reads as the word
        return show_text(value, column, lang)
    found = number(value, column.kind)
    if found is None:
        return None
    if column.kind is Kind.RATIO:
        return f"{float(found) * 100:.2f}%"
    if column.kind is Kind.MONEY:
        return f"{found:.2f}"
    return found


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
