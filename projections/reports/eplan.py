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
HTML render the same lines (XLSX keeps counts as numbers, formatted ``#,##0``).
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ledger.domain.rules import format_buddhist_date
from projections.reports.tables import THAI_FONT, csv_bytes
from projections.views.eplan_status import EplanStatusReport, EplanStatusRow, EplanTotals

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


def row_cells(row: EplanStatusRow) -> list[str]:
    """One LAO's line, as text cells."""
    return [
        f"{row.no}. {row.label}",
        DONE if row.vision_done else NOT_DONE,
        count_text(row.strategies),
        *(count_text(value) for value in row.plan_projects),
        approval_text(row),
        count_text(row.budget_approved),
        count_text(row.contracts_signed),
        count_text(row.disbursed),
        count_text(row.completed),
    ]


def totals_cells(totals: EplanTotals) -> list[str]:
    """The totals line (รวม n อปท.), as text cells."""
    return [
        f"รวม {totals.laos} อปท.",
        count_text(totals.vision_done),
        count_text(totals.strategies),
        *(count_text(value) for value in totals.plan_projects),
        count_text(totals.plan_approved),
        count_text(totals.budget_approved),
        count_text(totals.contracts_signed),
        count_text(totals.disbursed),
        count_text(totals.completed),
    ]


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


def render_xlsx(report: EplanStatusReport) -> bytes:
    """One sheet in the table's layout; counts are numbers formatted with separators."""
    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook always has its first sheet
        raise TypeError("openpyxl made a workbook without a worksheet")
    sheet.title = f"e-Plan {report.fiscal_year}"
    plain, bold = Font(name=THAI_FONT), Font(name=THAI_FONT, bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = get_column_letter(COLUMNS)
    for number, text in ((1, TITLE), (2, subtitle(report))):
        sheet.cell(row=number, column=1, value=text).font = bold
        sheet.merge_cells(f"A{number}:{last}{number}")
        sheet.cell(row=number, column=1).alignment = centre
    for line_number, line in enumerate(header_lines(report), start=3):
        for column, text in enumerate(line, start=1):
            cell = sheet.cell(row=line_number, column=column, value=text or None)
            cell.font, cell.alignment, cell.border = bold, centre, box
    for column in (1, 2, 3, 7, 8, 9, 10, 11):
        letter = get_column_letter(column)
        sheet.merge_cells(f"{letter}3:{letter}4")
    sheet.merge_cells("D3:F3")
    number = 5
    for row in report.rows:
        values: list[str | int | None] = [
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
        _put(sheet, number, values, plain, box)
        number += 1
    totals = report.totals
    _put(
        sheet,
        number,
        [
            f"รวม {totals.laos} อปท.",
            totals.vision_done,
            totals.strategies,
            *totals.plan_projects,
            totals.plan_approved,
            totals.budget_approved,
            totals.contracts_signed,
            totals.disbursed,
            totals.completed,
        ],
        bold,
        box,
    )
    note = footer(report)
    if note is not None:
        sheet.cell(row=number + 1, column=1, value=note).font = plain
    sheet.column_dimensions["A"].width = 42
    for column in range(2, COLUMNS + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = "B5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(
    sheet: Worksheet, number: int, values: Sequence[str | int | None], font: Font, box: Border
) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column, value=value)
        cell.font, cell.border = font, box
        if isinstance(value, int):
            cell.number_format = "#,##0"
            cell.alignment = Alignment(horizontal="center")
        elif column > 1:
            cell.alignment = Alignment(horizontal="center")
