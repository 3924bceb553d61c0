"""A report as a web page: one complete HTML document (``<html lang="th">``, UTF-8, its style
inline, no external asset) holding one table with a ``<caption>``, column headers
(``<th scope="col">``), numbers right-aligned as Thai offices print them (``1,234.50``,
``41.2%``) and a totals row when a column sums.

Every text is HTML-escaped, and goes through ``tables.safe_text`` like a download's: a page may
be opened in a spreadsheet program too, which would run a cell beginning with ``=``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from projections.reports.labels import TOTAL, Lang, word
from projections.reports.sheets import Column, Sheet, show_number, show_text
from projections.reports.tables import safe_text

NO_ROWS = ("ไม่มีข้อมูล", "No rows")
STYLE = (
    "body{font-family:Tahoma,'TH Sarabun New','Noto Sans Thai',sans-serif;margin:1rem}"
    "table{border-collapse:collapse}caption{font-weight:bold;font-size:1.2em;padding:.5em;"
    "text-align:left}th,td{border:1px solid #444;padding:2px 6px;vertical-align:top}"
    "thead th{background:#dde4ee}td.num{text-align:right;white-space:nowrap}"
    "tfoot th,tfoot td{font-weight:bold}"
    "@media print{@page{size:A4 landscape}thead{display:table-header-group}}"
)


def sheet_html(sheet: Sheet, lang: Lang) -> str:
    """The page of the report's table."""
    e = html.escape
    title = word(sheet.title, lang)
    head = "".join(f'<th scope="col">{e(safe_text(c.heading(lang)))}</th>' for c in sheet.columns)
    if sheet.rows:
        body = "\n".join(_line(row, sheet.columns, lang) for row in sheet.rows)
    else:
        body = f'<tr><td colspan="{len(sheet.columns) or 1}">{e(word(NO_ROWS, lang))}</td></tr>'
    foot = f"<tfoot>{_totals(sheet, lang)}</tfoot>\n" if sheet.has_totals else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang.value}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<table>\n<caption>{e(title)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n{foot}</table>\n"
        "</body>\n</html>\n"
    )


def html_cell(value: Any, column: Column, lang: Lang) -> str:
    """One ``<td>``: a number right-aligned and formatted, text escaped and made safe."""
    if column.numeric:
        return f'<td class="num">{show_number(value, column.kind) or ""}</td>'
    text = show_text(value, column, lang)
    return f"<td>{'' if text is None else html.escape(safe_text(text))}</td>"


def _line(row: Mapping[str, Any], columns: tuple[Column, ...], lang: Lang) -> str:
    return "<tr>" + "".join(html_cell(row.get(c.key), c, lang) for c in columns) + "</tr>"


def _totals(sheet: Sheet, lang: Lang) -> str:
    sums = sheet.totals()
    cells = []
    for index, column in enumerate(sheet.columns):
        if column.total:
            cells.append(html_cell(sums[column.key], column, lang))
        elif index == 0:
            cells.append(f'<th scope="row">{html.escape(word(TOTAL, lang))}</th>')
        else:
            cells.append("<td></td>")
    return "<tr>" + "".join(cells) + "</tr>"
