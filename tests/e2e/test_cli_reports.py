"""``ledger report eplan-status`` over the demo's signed events reproduces the Tak letter's
table row for row, totals included, as CSV, XLSX and HTML; ``ledger project`` rebuilds views."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from projections.views.catalogue import VIEW_NAMES
from tests.demo_template import DemoFolder, copy_template

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
SEED = Path(__file__).resolve().parents[1] / "data" / "tak_eplan_2560_seed.txt"
OCR_FIXES = [
    ("ดาก", "ตาก"),
    ("อัมผาง", "อุ้มผาง"),
    ("อัมพาง", "อุ้มผาง"),
    ("วัง เจ้า", "วังเจ้า"),
    ("เมือง ตาก", "เมืองตาก"),
    ("ผา แดง", "ผาแดง"),
    ("ไทย พัฒนา", "ไทยพัฒนา"),
]
"""The OCR errors of the seed (DOMAIN.md: ดาก is ตาก, อัมผาง/อัมพาง is อุ้มผาง; split words)."""


def seed_table() -> list[list[str]]:
    """The seed's table (copied verbatim from the letter), OCR errors corrected, the wrapped
    row 27 rejoined, each line padded to the table's 11 cells."""
    text = SEED.read_text(encoding="utf-8")
    for wrong, right in OCR_FIXES:
        text = text.replace(wrong, right)
    lines: list[list[str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        cells = [cell.strip() for cell in raw.strip("*").split("\t")]
        if cells[0].startswith("(อ.") and lines:  # the wrapped second half of row 27
            previous = lines[-1]
            previous[0] += f" {cells[0]}"
            previous[6] += f" {cells[6]}"
            continue
        lines.append(cells)
    width = 11
    table = []
    for cells in lines:
        if len(cells) == 1 or (not any(cells[1:]) and not cells[0].startswith("หน่วยงาน")):
            table.append([cells[0]])  # a title or the as-of line
        else:
            table.append((cells + [""] * width)[:width])
    return table


@pytest.fixture(scope="module")
def demo_url(demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy for this module of the session's demo (``ledger demo --no-serve``'s SQLite file:
    tests/demo_template.py)."""
    return copy_template(demo_template, tmp_path_factory.mktemp("demo")).database_url


def report(url: str, form: str, *extra: str) -> bytes:
    result = runner.invoke(
        app,
        [
            "report", "eplan-status", "--database-url", url, "--name", "demo",
            "--province", "ตาก", "--fiscal-year", "2560", "--as-of", "03/10/2559",
            "--format", form, *extra,
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    return result.stdout_bytes


def test_the_seed_table_has_69_rows_and_totals() -> None:
    """The test's own reading of the seed: title, subtitle, 2 header lines, 69 LAOs, totals,
    the as-of line."""
    table = seed_table()

    assert 75 == len(table)
    assert ["รวม 69 อปท.", "61", "430", "9,905", "8,401", "8,933", "33", "638", "0", "0", "0"] == (
        table[-2]
    )
    assert "27. อบต.ตากออก (อ.บ้านตาก)" == table[30][0]
    assert "ทำแล้ว 27/06/2559" == table[30][6]


def test_csv_equals_the_seed_table_row_for_row(demo_url: str) -> None:
    """Every line of the CSV report is the seed's line: labels, blanks, dates, totals."""
    content = report(demo_url, "csv").decode("utf-8-sig")

    lines = list(csv.reader(io.StringIO(content)))

    assert seed_table() == lines


def test_xlsx_holds_the_same_cells(demo_url: str, tmp_path: Path) -> None:
    """The XLSX sheet has the seed's cells; counts are numbers shown with separators."""
    target = tmp_path / "tak.xlsx"
    report(demo_url, "xlsx", "--output", str(target))

    sheet = load_workbook(target).active
    assert sheet is not None
    cells = [
        [
            f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))
            for value in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]

    expected = seed_table()
    assert [line for line in expected[2:] if len(line) > 1] == cells[2:-1]
    assert expected[-1][0] == cells[-1][0]
    assert "#,##0" == sheet["D73"].number_format


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.attributes: dict[str, str] = {}
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html", "meta"):
            self.attributes.update({k: v or "" for k, v in attrs})
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_thai_utf8_with_the_seed_rows(demo_url: str) -> None:
    """The HTML page declares lang="th" and UTF-8, and its body rows are the seed's rows."""
    page = _Cells()

    page.feed(report(demo_url, "html").decode("utf-8"))

    assert "th" == page.attributes["lang"]
    assert "utf-8" == page.attributes["charset"]
    assert seed_table()[4:-1] == page.rows[2:]


def test_rebuilt_view_gives_the_same_report(demo_url: str) -> None:
    """``ledger project rebuild eplan`` rebuilds from zero; the report does not change."""
    before = report(demo_url, "csv")

    rebuilt = runner.invoke(
        app, ["project", "rebuild", "eplan", "--database-url", demo_url, "--name", "demo"]
    )

    assert 0 == rebuilt.exit_code, rebuilt.output
    assert "rebuilt" in rebuilt.output
    assert before == report(demo_url, "csv", "--no-catch-up")


def test_project_list_and_catch_up(demo_url: str) -> None:
    """``ledger project catch-up`` finds nothing new; ``list`` shows every view at the end."""
    caught = runner.invoke(
        app, ["project", "catch-up", "--database-url", demo_url, "--name", "demo"]
    )
    listed = runner.invoke(app, ["project", "list", "--database-url", demo_url, "--name", "demo"])

    assert 0 == caught.exit_code, caught.output
    assert "0 events applied" in caught.output
    assert 0 == listed.exit_code
    assert len(VIEW_NAMES) == listed.output.count("(0 behind)")


def test_unknown_view_is_named(demo_url: str) -> None:
    """Rebuilding a view that does not exist fails with the list of views."""
    result = runner.invoke(
        app, ["project", "rebuild", "nothing", "--database-url", demo_url, "--name", "demo"]
    )

    assert 1 == result.exit_code
    assert "registry" in result.output


def test_the_ledger_is_found_without_its_name(demo_url: str) -> None:
    """A database holding one ledger needs no --name: the demo's ``demo`` is found."""
    result = runner.invoke(
        app,
        [
            "report", "eplan-status", "--database-url", demo_url,
            "--province", "ตาก", "--fiscal-year", "2560", "--as-of", "03/10/2559",
        ],
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    assert "ตาก" in result.output


def test_a_mistyped_database_is_refused_and_not_created(tmp_path: Path) -> None:
    """A path with no database is one line and exit 1, and no empty ledger is left behind."""
    url = f"sqlite:///{tmp_path}/typo.sqlite"

    result = runner.invoke(
        app,
        ["report", "eplan-status", "--database-url", url, "--province", "ตาก",
         "--fiscal-year", "2560"],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "there is no database" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "typo.sqlite").exists()


def test_a_wrong_ledger_name_lists_the_ones_there(demo_url: str) -> None:
    """Naming a ledger the database does not hold says which it does hold."""
    result = runner.invoke(
        app,
        ["report", "eplan-status", "--database-url", demo_url, "--name", "other",
         "--province", "ตาก", "--fiscal-year", "2560"],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "'demo'" in result.output


def test_xlsx_is_not_written_to_a_terminal(demo_url: str) -> None:
    """On a terminal, an XLSX report asks for --output instead of printing binary."""
    leader, follower = os.openpty()
    try:
        finished = subprocess.run(
            [
                str(Path(sys.executable).parent / "ledger"), "report", "eplan-status",
                "--database-url", demo_url, "--province", "ตาก", "--fiscal-year", "2560",
                "--format", "xlsx",
            ],
            stdout=follower, stderr=subprocess.PIPE, check=False, timeout=120,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)

    assert 1 == finished.returncode
    assert b"--output" in finished.stderr


@pytest.mark.parametrize(
    ("command", "extra", "heading"),
    [
        ("registry", [], "ชื่อ-สกุล"),
        ("positions", [], "อปท."),
        ("occupancy", [], "อปท."),
        ("organizations", ["--province", "ตาก"], "ชื่อ อปท."),
        ("kpi", [], "อปท."),
        ("overdue", ["--as-of", "01/10/2562"], "อปท."),
        ("certification", [], "อปท."),
        ("record-certification", [], "ชื่อ-สกุล"),
        ("retirements", ["--first-year", "2563"], "ปีงบประมาณ"),
        ("section35", ["--fiscal-year", "2563"], "อปท."),
        ("leave", [], "ชื่อ-สกุล"),
    ],
)
def test_every_report_from_the_command_line(
    demo_url: str, tmp_path: Path, command: str, extra: list[str], heading: str
) -> None:
    """``ledger report NAME`` writes each report as CSV (BOM, Thai header), XLSX (the same
    header) and a Thai HTML page."""
    base = ["report", command, "--database-url", demo_url, "--name", "demo", *extra]
    target = tmp_path / f"{command}.xlsx"

    text = runner.invoke(app, [*base, "--format", "csv"])
    sheet_run = runner.invoke(app, [*base, "--format", "xlsx", "--output", str(target)])
    page = runner.invoke(app, [*base, "--format", "html"])

    assert (0, 0, 0) == (text.exit_code, sheet_run.exit_code, page.exit_code), text.output
    header = next(csv.reader(io.StringIO(text.stdout_bytes.decode("utf-8-sig"))))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert heading == header[0] == sheet["A1"].value
    assert header == [cell.value for cell in sheet[1]]
    assert '<html lang="th">' in page.stdout
    assert f'<th scope="col">{heading}</th>' in page.stdout


def test_a_report_in_english_from_the_command_line(demo_url: str) -> None:
    """``--lang en`` draws English headings; the organizations of Tak by name and type."""
    result = runner.invoke(
        app,
        ["report", "organizations", "--database-url", demo_url, "--name", "demo",
         "--province", "ตาก", "--lang", "en"],
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    lines = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert ["LAO name", "Type"] == lines[0][:2]
    assert "Subdistrict administrative organization" in {line[1] for line in lines[1:]}
    assert any("ขะเนจื้อ" in line[0] for line in lines[1:])
