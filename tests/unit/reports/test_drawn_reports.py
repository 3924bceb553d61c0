"""Every report of the facade drawn as CSV, XLSX and HTML and read back as its readers' programs
would: Thai headings, names before codes, numbers as numbers, Buddhist-era dates, a header row
even when empty, totals as SUM formulas; English on request."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.facade import Reports
from projections.reports.labels import Lang
from projections.reports.layouts import ORGANIZATIONS
from projections.reports.render import Format, render
from projections.reports.results import Table
from projections.reports.scope import EVERYWHERE, ReadScope
from projections.views.organizations import OrganizationRow
from tests.projection_world import ProjectionWorld

NOWHERE = ReadScope(province="ไม่มีจังหวัดนี้")

REPORTS: dict[str, Callable[[Reports, ProjectionWorld, ReadScope], Any]] = {
    "registry": lambda r, w, s: r.registry(s),
    "positions": lambda r, w, s: r.positions(s),
    "occupancy": lambda r, w, s: r.occupancy(s),
    "organizations": lambda r, w, s: r.organizations(s),
    "kpi": lambda r, w, s: r.kpi(s),
    "overdue": lambda r, w, s: r.overdue(s),
    "certification": lambda r, w, s: r.certification(s),
    "record-certification": lambda r, w, s: r.record_certification(s),
    "retirements": lambda r, w, s: r.retirements(s, 2563, 2567),
    "section35": lambda r, w, s: r.section35(s, 2563),
    "leave": lambda r, w, s: r.leave(s),
    "audit": lambda r, w, s: r.audit_trail(w.records["r1"]),
}
FIRST_HEADINGS = {
    "registry": "ชื่อ-สกุล",
    "positions": "อปท.",
    "occupancy": "อปท.",
    "organizations": "ชื่อ อปท.",
    "kpi": "อปท.",
    "overdue": "อปท.",
    "certification": "อปท.",
    "record-certification": "ชื่อ-สกุล",
    "retirements": "ปีงบประมาณ",
    "section35": "อปท.",
    "leave": "ชื่อ-สกุล",
    "audit": "ลำดับในบันทึก",
}


def workbook(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def csv_lines(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class Page(HTMLParser):
    """The page's language, caption, column headers and body cells."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.caption = ""
        self.headers: list[str] = []
        self.cells: list[str] = []
        self.external: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        if tag in ("link", "script", "img") or found.get("src"):
            self.external.append(tag)
        if tag == "th" and found.get("scope") == "col":
            self._in = "th"
            self.headers.append("")
        elif tag == "td":
            self._in = "td"
            self.cells.append("")
        elif tag == "caption":
            self._in = "caption"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td", "caption"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "th":
            self.headers[-1] += data
        elif self._in == "td":
            self.cells[-1] += data
        elif self._in == "caption":
            self.caption += data


def page(content: bytes) -> Page:
    parsed = Page()
    parsed.feed(content.decode("utf-8"))
    return parsed


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_in_three_formats(reports: Reports, world: ProjectionWorld, name: str) -> None:
    """CSV, XLSX and HTML of each report agree: the same Thai headings, as many rows."""
    report = REPORTS[name](reports, world, EVERYWHERE)
    rows = len(report.sheet().rows)

    lines = csv_lines(render(report, Format.CSV).content)
    sheet = workbook(render(report, Format.XLSX).content)
    shown = page(render(report, Format.HTML).content)

    assert FIRST_HEADINGS[name] == lines[0][0] == sheet["A1"].value == shown.headers[0]
    assert lines[0] == [cell.value for cell in sheet[1]] == shown.headers
    assert rows + 1 == len(lines)
    assert rows > 0
    assert ("th", []) == (shown.lang, shown.external)
    assert shown.caption
    assert not [cell for cell in shown.cells if cell in ("None", "{}")]


@pytest.mark.parametrize("name", [name for name in REPORTS if name != "audit"])
def test_an_empty_report_has_its_header_row(reports: Reports, name: str) -> None:
    """A report with no row still downloads its header row, and its page its header cells."""
    report = REPORTS[name](reports, None, NOWHERE)  # type: ignore[arg-type]

    lines = csv_lines(render(report, Format.CSV).content)
    sheet = workbook(render(report, Format.XLSX).content)
    shown = page(render(report, Format.HTML).content)

    assert [FIRST_HEADINGS[name]] == [lines[0][0]] == [sheet["A1"].value] == shown.headers[:1]
    assert (1, 1) == (len(lines), sheet.max_row)


def test_money_is_numeric_with_two_decimals_and_totals_are_sums(reports: Reports) -> None:
    """The registry's salaries are numbers formatted #,##0.00; the totals row sums them with a
    SUM formula; the sheet prints landscape, one page wide, its header repeated and frozen."""
    sheet = workbook(render(reports.registry(EVERYWHERE), Format.XLSX).content)
    headings = [cell.value for cell in sheet[1]]
    salary = headings.index("เงินเดือน (บาท)") + 1
    last = sheet.max_row
    cells = [sheet.cell(row=n, column=salary) for n in range(2, last)]

    assert {"n"} == {cell.data_type for cell in cells}
    assert {"#,##0.00"} == {cell.number_format for cell in cells}
    total = sheet.cell(row=last, column=salary)
    letter = total.column_letter
    assert (f"=SUM({letter}2:{letter}{last - 1})", "รวม") == (
        total.value,
        sheet["A" + str(last)].value,
    )
    assert ("landscape", 1, 0) == (
        sheet.page_setup.orientation,
        sheet.page_setup.fitToWidth,
        sheet.page_setup.fitToHeight,
    )
    assert ("A2", "$1:$1") == (sheet.freeze_panes, sheet.print_title_rows)
    assert all((sheet.column_dimensions[c.column_letter].width or 0) >= 8 for c in sheet[1])


def test_ratios_are_percentages(reports: Reports) -> None:
    """The Section 35 ratio is a number shown 0.0% (42.3%), in CSV a percentage."""
    report = reports.section35(EVERYWHERE, 2563)
    sheet = workbook(render(report, Format.XLSX).content)
    headings = [cell.value for cell in sheet[1]]
    ratio = sheet.cell(row=3, column=headings.index("สัดส่วนค่าใช้จ่ายด้านบุคคล") + 1)
    lines = csv_lines(render(report, Format.CSV).content)

    assert (pytest.approx(0.423), "0.0%") == (ratio.value, ratio.number_format)
    assert "42.30%" in lines[2]
    assert "42.3%" in page(render(report, Format.HTML).content).cells


def test_codes_show_labels_dates_the_buddhist_era_and_names_come_first(
    reports: Reports, world: ProjectionWorld
) -> None:
    """A category reads ข้าราชการส่วนท้องถิ่น, a birth date 10/05/2503, the LAO its name; the
    stream ID stays, last."""
    lines = csv_lines(render(reports.registry(EVERYWHERE), Format.CSV).content)
    row = next(line for line in lines if line[-1] == str(world.records["r1"]))

    assert ["นายหนึ่ง ทดสอบ", "ข้าราชการส่วนท้องถิ่น", "10/05/2503", "เทศบาลตำบลตัวอย่าง"] == [
        row[0],
        row[2],
        row[3],
        row[4],
    ]


def test_english_on_request(reports: Reports, world: ProjectionWorld) -> None:
    """lang=en: English headings and labels, ISO dates."""
    lines = csv_lines(render(reports.registry(EVERYWHERE), Format.CSV, Lang.EN).content)
    row = next(line for line in lines if line[-1] == str(world.records["r1"]))
    shown = page(render(reports.registry(EVERYWHERE), Format.HTML, Lang.EN).content)

    assert ["Name", "Citizen ID", "Staff category", "Birth date"] == lines[0][:4]
    assert ["Local official", "1960-05-10"] == row[2:4]
    assert ("en", "Personnel registry") == (shown.lang, shown.caption)


def test_leave_has_a_column_per_leave_type(reports: Reports) -> None:
    """The leave report: times and days per leave type in Thai, the ก.พ.๗ line in columns of
    its own, numbers as numbers, and no dict text or None anywhere."""
    report = reports.leave(EVERYWHERE)
    sheet = workbook(render(report, Format.XLSX).content)
    headings = [cell.value for cell in sheet[1]]
    text = render(report, Format.CSV).content.decode("utf-8-sig")

    assert {"ลาป่วย (ครั้ง)", "ลาป่วย (วัน)", "ลาพักผ่อน (วัน)", "ก.พ.๗ ลาป่วย (วัน)"} <= set(headings)
    sick = sheet.cell(row=2, column=headings.index("ลาป่วย (วัน)") + 1)
    reported = sheet.cell(row=2, column=headings.index("ก.พ.๗ ลาป่วย (วัน)") + 1)
    assert (2, 3.5, "n") == (sick.value, reported.value, sick.data_type)
    assert "None" not in text
    assert "{" not in text


def test_a_formula_name_stays_text_on_every_drawing(reports: Reports) -> None:
    """A name beginning with = is written with an apostrophe and as a string cell."""
    row = OrganizationRow("6480199", "=1+1", "sao", "นครพนม", "เมือง", None, "2000-01-01", 0)
    table = Table("organizations", (row,), ORGANIZATIONS)

    sheet = workbook(render(table, Format.XLSX).content)
    shown = page(render(table, Format.HTML).content)

    assert ("'=1+1", "s") == (sheet["A2"].value, sheet["A2"].data_type)
    assert "'=1+1" == shown.cells[0]
