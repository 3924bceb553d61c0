"""The e-Plan status table in the layout of the Tak letter's table (ตก ๐๐๒๓.๓/ว ๑๖๖๘):

```
รายงานสถานะการทำงานของแต่ละอปท.
จังหวัด ตาก ปี 2560
หน่วยงาน  วิสัยทัศน์  ยุทธศาสตร์  แผน 3 ปี (2560 2561 2562)  อนุมัติแผน
        อนุมัติงบประมาณ  ลงนามสัญญา  เบิกจ่ายแล้ว  ดำเนินการ 100%
1. อบจ.ตาก (อ.เมืองตาก)  -  7  30  16  16  ยังไม่อนุมัติ
3. เทศบาลเมืองตาก (อ.เมืองตาก)  ทำแล้ว  6  293  145  132  ทำแล้ว 29/06/2559
...
รวม 69 อปท.  61  430  9,905  8,401  8,933  33  638  0  0  0
ข้อมูล ณ 03/10/2559
```

A blank cell is a stage never reported (never written 0); dates are Buddhist era, dd/mm/yyyy;
counts carry thousands separators. ``table_lines`` gives those lines as text cells; CSV, XLSX and
HTML render the same lines (XLSX keeps counts as numbers, formatted ``#,##0``). Text cells go
through ``tables.safe_text`` as in every download (no formula, no control character).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ledger.domain.rules import format_buddhist_date
from projections.reports.eplan_status import EplanStatusReport, EplanStatusRow, EplanTotals
from projections.reports.tables import (
    THAI_FONT,
    as_text,
    csv_bytes,
    new_sheet,
    safe_text,
    workbook_bytes,
)

TITLE = "รายงานสถานะการทำงานของแต่ละอปท."
DONE = "ทำแล้ว"
NOT_DONE = "-"
NOT_APPROVED = "ยังไม่อนุมัติ"
HEADINGS = (
    "หน่วยงาน",
    "วิสัยทัศน์",
    "ยุทธศาสตร์",
    "แผน 3 ปี",
    "",
    "",
    "อนุมัติแผน",
    "อนุมัติงบประมาณ",
    "ลงนามสัญญา",
    "เบิกจ่ายแล้ว",
    "ดำเนินการ 100%",
)
COLUMNS = len(HEADINGS)
HTML_MEDIA_TYPE = "text/html; charset=utf-8"


def count_text(value: int | None) -> str:
    """A count as the table prints it: ``9,905``; blank when never reported."""
    return "" if value is None else f"{value:,}"


def approval_text(row: EplanStatusRow) -> str:
    if not row.plan_approved:
        return NOT_APPROVED
    if row.plan_approved_on is None:
        return DONE
    return f"{DONE} {format_buddhist_date(row.plan_approved_on)}"


def subtitle(report: EplanStatusReport) -> str:
    return f"จังหวัด {report.province} ปี {report.fiscal_year}"


def footer(report: EplanStatusReport) -> str | None:
    return None if report.as_of is None else f"ข้อมูล ณ {format_buddhist_date(report.as_of)}"


Cell = str | int | None
"""A cell of a line: text, a count (None: never reported)."""


def row_values(row: EplanStatusRow) -> list[Cell]:
    """One LAO's line, counts as numbers."""
    return [
        f"{row.no}. {row.label}",
        DONE if row.vision_done else NOT_DONE,
        row.strategies,
        *row.plan_projects,
        approval_text(row),
        row.budget_approved,
        row.contracts_signed,
        row.disbursed,
        row.completed,
    ]


def totals_values(totals: EplanTotals) -> list[Cell]:
    """The totals line (รวม n อปท.), counts as numbers."""
    return [
        f"รวม {totals.laos} อปท.",
        totals.vision_done,
        totals.strategies,
        *totals.plan_projects,
        totals.plan_approved,
        totals.budget_approved,
        totals.contracts_signed,
        totals.disbursed,
        totals.completed,
    ]


def _texts(values: Sequence[Cell]) -> list[str]:
    return [value if isinstance(value, str) else count_text(value) for value in values]


def row_cells(row: EplanStatusRow) -> list[str]:
    """One LAO's line, as text cells."""
    return _texts(row_values(row))


def totals_cells(totals: EplanTotals) -> list[str]:
    """The totals line (รวม n อปท.), as text cells."""
    return _texts(totals_values(totals))


def header_lines(report: EplanStatusReport) -> list[list[str]]:
    years = ["", "", "", *(str(year) for year in report.years), "", "", "", "", ""]
    return [list(HEADINGS), years]


def table_lines(report: EplanStatusReport) -> list[list[str]]:
    """Every line of the report: title, subtitle, two header lines, the LAOs, totals, as-of."""
    lines = [[TITLE], [subtitle(report)], *header_lines(report)]
    lines.extend(row_cells(row) for row in report.rows)
    lines.append(totals_cells(report.totals))
    note = footer(report)
    if note is not None:
        lines.append([note])
    return lines


def render_csv(report: EplanStatusReport) -> bytes:
    return csv_bytes(table_lines(report))


def render_html(report: EplanStatusReport) -> str:
    """A standalone UTF-8 HTML page (lang="th") holding the table."""
    e = html.escape
    head = (
        "<tr>"
        f'<th rowspan="2">{e(HEADINGS[0])}</th><th rowspan="2">{e(HEADINGS[1])}</th>'
        f'<th rowspan="2">{e(HEADINGS[2])}</th><th colspan="3">{e(HEADINGS[3])}</th>'
        + "".join(f'<th rowspan="2">{e(text)}</th>' for text in HEADINGS[6:])
        + "</tr><tr>"
        + "".join(f"<th>{year}</th>" for year in report.years)
        + "</tr>"
    )

    def line(cells: Sequence[str], tag: str = "td") -> str:
        first, *rest = cells
        return (
            f'<tr><{tag} class="lao">{e(first)}</{tag}>'
            + "".join(f"<{tag}>{e(cell)}</{tag}>" for cell in rest)
            + "</tr>"
        )

    body = "\n".join(line(row_cells(row)) for row in report.rows)
    note = footer(report)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(TITLE)} {e(subtitle(report))}</title>\n"
        "<style>body{font-family:Tahoma,'TH Sarabun New','Noto Sans Thai',sans-serif}"
        "table{border-collapse:collapse}th,td{border:1px solid #444;padding:2px 6px;"
        "text-align:center}td.lao{text-align:left}tfoot td{font-weight:bold}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{e(TITLE)}</h1>\n<h2>{e(subtitle(report))}</h2>\n"
        f"<table>\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody>\n"
        f"<tfoot>{line(totals_cells(report.totals))}</tfoot>\n</table>\n"
        + (f"<p>{e(note)}</p>\n" if note is not None else "")
        + "</body>\n</html>\n"
    )


PLAIN = Font(name=THAI_FONT)
BOLD = Font(name=THAI_FONT, bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
FIRST_ROW = 5
"""The first LAO's row of the sheet (after the title, the subtitle and two header lines)."""


def render_xlsx(report: EplanStatusReport) -> bytes:
    """One sheet in the table's layout; counts are numbers formatted with separators."""
    workbook, sheet = new_sheet(f"e-Plan {report.fiscal_year}")
    _put_heading(sheet, report)
    number = FIRST_ROW
    for row in report.rows:
        _put(sheet, number, row_values(row), PLAIN)
        number += 1
    _put(sheet, number, totals_values(report.totals), BOLD)
    note = footer(report)
    if note is not None:
        sheet.cell(row=number + 1, column=1, value=safe_text(note)).font = PLAIN
    sheet.column_dimensions["A"].width = 42
    for column in range(2, COLUMNS + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = f"B{FIRST_ROW}"
    return workbook_bytes(workbook)


def _put_heading(sheet: Worksheet, report: EplanStatusReport) -> None:
    """The title and subtitle across the table, and the two header lines with merged cells."""
    last = get_column_letter(COLUMNS)
    for number, text in ((1, TITLE), (2, subtitle(report))):
        sheet.cell(row=number, column=1, value=safe_text(text)).font = BOLD
        sheet.merge_cells(f"A{number}:{last}{number}")
        sheet.cell(row=number, column=1).alignment = CENTRE
    for line_number, line in enumerate(header_lines(report), start=3):
        for column, text in enumerate(line, start=1):
            cell = sheet.cell(row=line_number, column=column, value=text or None)
            cell.font, cell.alignment, cell.border = BOLD, CENTRE, BOX
    for column in (1, 2, 3, 7, 8, 9, 10, 11):
        letter = get_column_letter(column)
        sheet.merge_cells(f"{letter}3:{letter}4")
    sheet.merge_cells("D3:F3")


def _put(sheet: Worksheet, number: int, values: Sequence[Cell], font: Font) -> None:
    for column, value in enumerate(values, start=1):
        text = safe_text(value) if isinstance(value, str) else value
        cell = sheet.cell(row=number, column=column, value=text)
        cell.font, cell.border = font, BOX
        as_text(cell)
        if isinstance(value, int):
            cell.number_format = "#,##0"
            cell.alignment = Alignment(horizontal="center")
        elif column > 1:
            cell.alignment = Alignment(horizontal="center")
