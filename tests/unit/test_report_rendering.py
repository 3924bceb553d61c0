"""Rendering the e-Plan status table: Thai text, Buddhist-era dates, blanks, separators."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from projections.reports.eplan_layout import (
    approval_text,
    count_text,
    render_csv,
    render_html,
    render_xlsx,
    table_lines,
)
from projections.reports.eplan_status import (
    EplanStatusReport,
    EplanStatusRow,
    EplanTotals,
    lao_label,
)
from projections.reports.labels import Lang
from projections.reports.sheets import plain_sheet
from projections.reports.tables import sheet_csv
from projections.reports.workbook import sheet_xlsx


def _row(no: int, **changes: object) -> EplanStatusRow:
    values: dict[str, object] = {
        "no": no,
        "lao": f"663000{no}",
        "label": f"อบต.ตัวอย่าง{no} (อ.เมืองตาก)",
        "vision_done": True,
        "strategies": 7,
        "plan_projects": (1234, None, 5),
        "plan_approved": True,
        "plan_approved_on": date(2016, 6, 29),
        "budget_approved": 53,
        "contracts_signed": 0,
        "disbursed": 0,
        "completed": 0,
    }
    values.update(changes)
    return EplanStatusRow(**values)  # type: ignore[arg-type]


REPORT = EplanStatusReport(
    province="ตาก",
    fiscal_year=2560,
    as_of=date(2016, 10, 3),
    rows=(
        _row(1),
        _row(
            2,
            vision_done=False,
            strategies=None,
            plan_projects=(None, None, None),
            plan_approved=False,
            plan_approved_on=None,
            budget_approved=None,
            contracts_signed=None,
            disbursed=None,
            completed=None,
        ),
    ),
    totals=EplanTotals(
        laos=2,
        vision_done=1,
        strategies=7,
        plan_projects=(1234, None, 5),
        plan_approved=1,
        budget_approved=53,
        contracts_signed=0,
        disbursed=0,
        completed=0,
    ),
)


def test_counts_carry_separators_and_blank_stays_blank() -> None:
    """9905 prints as 9,905; a count never reported prints as an empty cell, 0 as 0."""
    assert ("9,905", "", "0") == (count_text(9905), count_text(None), count_text(0))


def test_approval_cell() -> None:
    """Approved with a date: ทำแล้ว dd/mm/BE; without one: ทำแล้ว; else ยังไม่อนุมัติ."""
    assert "ทำแล้ว 29/06/2559" == approval_text(_row(1))
    assert "ทำแล้ว" == approval_text(_row(1, plan_approved_on=None))
    assert "ยังไม่อนุมัติ" == approval_text(_row(1, plan_approved=False, plan_approved_on=None))


def test_lao_labels_abbreviate_the_type() -> None:
    """Full names become the table's abbreviations, with the district."""
    assert "อบต.ตากออก (อ.บ้านตาก)" == lao_label("sao", "องค์การบริหารส่วนตำบลตากออก", "บ้านตาก")
    assert "อบจ.ตาก (อ.เมืองตาก)" == lao_label("pao", "องค์การบริหารส่วนจังหวัดตาก", "เมืองตาก")
    assert "เทศบาลนครแม่สอด (อ.แม่สอด)" == lao_label("city_municipality", "เทศบาลนครแม่สอด", "แม่สอด")


def test_table_lines_follow_the_seed_layout() -> None:
    """Title, subtitle, the two header lines, rows, totals, and the as-of line."""
    lines = table_lines(REPORT)

    assert ["รายงานสถานะการทำงานของแต่ละอปท."] == lines[0]
    assert ["จังหวัด ตาก ปี 2560"] == lines[1]
    assert ["", "", "", "2560", "2561", "2562", "", "", "", "", ""] == lines[3]
    assert [
        "1. อบต.ตัวอย่าง1 (อ.เมืองตาก)",
        "ทำแล้ว",
        "7",
        "1,234",
        "",
        "5",
        "ทำแล้ว 29/06/2559",
        "53",
        "0",
        "0",
        "0",
    ] == lines[4]
    assert ["2. อบต.ตัวอย่าง2 (อ.เมืองตาก)", "-", "", "", "", "", "ยังไม่อนุมัติ", "", "", "", ""] == lines[
        5
    ]
    assert ["รวม 2 อปท.", "1", "7", "1,234", "", "5", "1", "53", "0", "0", "0"] == lines[6]
    assert ["ข้อมูล ณ 03/10/2559"] == lines[7]


def test_csv_is_utf8_with_a_byte_order_mark() -> None:
    """Spreadsheet programs read the Thai text right: UTF-8 with a BOM."""
    content = render_csv(REPORT)

    assert content.startswith("\ufeff".encode())
    assert "ทำแล้ว 29/06/2559" in content.decode("utf-8-sig")


def test_html_declares_thai_and_utf8_and_escapes() -> None:
    """lang="th", a UTF-8 meta, and cell text escaped."""
    page = render_html(_with_label("<b>&</b>"))

    assert '<html lang="th">' in page
    assert '<meta charset="utf-8">' in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page
    assert '<th colspan="3">แผน 3 ปี</th>' in page


def _with_label(label: str) -> EplanStatusReport:
    return EplanStatusReport(
        REPORT.province, REPORT.fiscal_year, REPORT.as_of, (_row(1, label=label),), REPORT.totals
    )


def test_xlsx_keeps_counts_as_numbers_with_the_header_merged() -> None:
    """Counts are numbers formatted #,##0; blanks are empty; แผน 3 ปี spans three columns."""
    sheet = load_workbook(io.BytesIO(render_xlsx(REPORT))).active
    assert sheet is not None

    assert 1234 == sheet["D5"].value
    assert "#,##0" == sheet["D5"].number_format
    assert sheet["E5"].value is None
    assert "ทำแล้ว 29/06/2559" == sheet["G5"].value
    assert "D3:F3" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert "ข้อมูล ณ 03/10/2559" == sheet["A8"].value


def test_plain_tables_as_csv_and_xlsx() -> None:
    """Rows no layout describes: a header line of their keys' labels (the key itself when it
    has none), then rows; None is empty, lists are joined, booleans read yes or no, whole
    numbers are numbers."""
    rows = [{"lao": "6480101", "ok": True, "roles": ["a", "b"], "x": None, "n": 3}]

    text = sheet_csv(plain_sheet("t", rows), Lang.EN).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(sheet_xlsx(plain_sheet("t", rows), Lang.TH))).active

    assert ["LAO code,ok,Roles,x,n", '6480101,Yes,"a, b",,3'] == text.splitlines()
    assert sheet is not None
    assert ("6480101", "ใช่", 3) == (sheet["A2"].value, sheet["B2"].value, sheet["E2"].value)


def _with_stored_control_character() -> EplanStatusReport:
    row = _row(1, label="อบต.สม\x01ชาย (อ.เมืองตาก)", vision_done=False)
    return EplanStatusReport(
        REPORT.province, REPORT.fiscal_year, REPORT.as_of, (row,), REPORT.totals
    )


def test_the_xlsx_survives_a_stored_control_character() -> None:
    """A label holding U+0001 (old data) renders with a replacement character, not a failure;
    the dash of a stage not done stays a text cell."""
    sheet = load_workbook(io.BytesIO(render_xlsx(_with_stored_control_character()))).active
    assert sheet is not None

    assert "1. อบต.สม\ufffdชาย (อ.เมืองตาก)" == sheet["A5"].value
    assert ("-", "s") == (sheet["B5"].value, sheet["B5"].data_type)


def test_the_csv_keeps_its_dash_and_replaces_a_control_character() -> None:
    """The CSV's dash stays a dash (it computes nothing); the stored U+0001 is replaced."""
    lines = render_csv(_with_stored_control_character()).decode("utf-8-sig").splitlines()

    assert lines[4].startswith("1. อบต.สม\ufffdชาย (อ.เมืองตาก),-,")
