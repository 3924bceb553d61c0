"""A report as an XLSX workbook people print and sum: one sheet, the header row frozen and
repeated on every printed page, landscape and fitted to the page's width, columns wide enough
to read, numbers as numbers (money ``#,##0.00``, ratios ``0.0%``), and a totals row whose sums
are ``SUM`` formulas, so they follow an edit.

Text cells are written through ``tables.safe_text`` and kept text (``tables.as_text``): a name
beginning with ``=`` stays a name. The totals row's formulas are the only formulas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from projections.personal import is_marker
from projections.reports.labels import TOTAL, Lang, word
from projections.reports.sheets import NUMBER_FORMATS, Column, Sheet, number, show_text
from projections.reports.tables import THAI_FONT, as_text, new_sheet, safe_text, workbook_bytes

PLAIN = Font(name=THAI_FONT)
BOLD = Font(name=THAI_FONT, bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIN_WIDTH, MAX_WIDTH = 8, 48
A4 = 9
"""openpyxl's paper size code of A4."""

_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def sheet_xlsx(sheet: Sheet, lang: Lang) -> bytes:
    """The report's one sheet: header, rows, and totals when a column sums."""
    title = word(sheet.title, lang)
    workbook, worksheet = new_sheet(_SHEET_TITLE_UNSAFE.sub(" ", title))
    _put_header(worksheet, sheet.columns, lang)
    for row in sheet.rows:
        worksheet.append([xlsx_cell(row.get(column.key), column, lang) for column in sheet.columns])
    last = len(sheet.rows) + 1
    _style_rows(worksheet, sheet.columns, last)
    if sheet.has_totals:
        _put_totals(worksheet, sheet.columns, last, lang)
    _set_widths(worksheet, sheet, lang)
    print_setup(worksheet, title, header_rows="1:1")
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns) or 1)}{last}"
    return workbook_bytes(workbook)


def xlsx_cell(value: Any, column: Column, lang: Lang) -> Any:
    """A cell's value: a number for a numeric column, else safe text (None: blank)."""
    if column.numeric and not is_marker(value):  # a withheld number reads as the word
        return number(value, column.kind)
    text = show_text(value, column, lang)
    return None if text is None else safe_text(text)


def print_setup(worksheet: Worksheet, title: str, *, header_rows: str) -> None:
    """Landscape A4 fitted to one page wide, ``header_rows`` repeated on every page, the
    title at the top and the page number at the bottom of each."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    worksheet.print_title_rows = header_rows
    worksheet.print_options.gridLines = True
    header, footer = worksheet.oddHeader, worksheet.oddFooter
    if header is not None and footer is not None:  # a new sheet has both
        header.center.text = title.replace("&", "&&")
        footer.center.text = "&P / &N"


def _put_header(worksheet: Worksheet, columns: Sequence[Column], lang: Lang) -> None:
    worksheet.append([safe_text(column.heading(lang)) for column in columns])
    for cell in worksheet[1]:
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX
        cell.alignment = HEADER_ALIGNMENT
        as_text(cell)


def _style_rows(worksheet: Worksheet, columns: Sequence[Column], last: int) -> None:
    for line in worksheet.iter_rows(min_row=2, max_row=last):
        for cell, column in zip(line, columns, strict=True):
            cell.font, cell.border = PLAIN, BOX
            if column.numeric:
                cell.number_format = NUMBER_FORMATS[column.kind]
            else:
                as_text(cell)


def _put_totals(worksheet: Worksheet, columns: Sequence[Column], last: int, lang: Lang) -> None:
    """The totals row under the rows: ``=SUM(...)`` of each summable column."""
    number_ = last + 1
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=number_, column=index)
        if column.total:
            letter = get_column_letter(index)
            cell.value = f"=SUM({letter}2:{letter}{last})"
            cell.number_format = NUMBER_FORMATS[column.kind]
        elif index == 1:
            cell.value = word(TOTAL, lang)
        cell.font, cell.border = BOLD, BOX


def _set_widths(worksheet: Worksheet, sheet: Sheet, lang: Lang) -> None:
    """Each column as wide as its longest cell (its heading wraps), within bounds."""
    for index, column in enumerate(sheet.columns, start=1):
        texts = [show_text(row.get(column.key), column, lang) or "" for row in sheet.rows]
        if column.numeric:
            texts = [f"{value:,}" if value is not None else "" for value in _numbers(sheet, column)]
        longest = max([len(text) for text in texts] + [min(len(column.heading(lang)), 20)])
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 3))
        worksheet.column_dimensions[get_column_letter(index)].width = width


def _numbers(sheet: Sheet, column: Column) -> list[Any]:
    return [number(row.get(column.key), column.kind) for row in sheet.rows]
