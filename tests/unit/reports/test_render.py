"""Drawing a report: JSON as the API sends it, CSV and XLSX downloads, the e-Plan page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.reports.eplan_status import EplanStatusReport, EplanTotals
from projections.reports.render import Format, render
from projections.reports.results import Table
from projections.reports.tables import CSV_MEDIA_TYPE


@dataclass(frozen=True)
class Place:
    name: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count}


PLACES = Table("places", (Place("ตาก", 1), Place("นครพนม", 2)))
EMPTY_EPLAN = EplanStatusReport(
    "ตาก", 2560, None, (), EplanTotals(0, 0, None, (None, None, None), 0, None, None, None, None)
)


def test_json_is_compact_utf8_with_thai_text_as_it_is() -> None:
    """JSON has no spaces and no escaped Thai letters, and is not a download."""
    rendered = render(PLACES, Format.JSON)

    expected = '[{"name":"ตาก","count":1},{"name":"นครพนม","count":2}]'.encode()
    assert (expected, "application/json", None) == (
        rendered.content,
        rendered.media_type,
        rendered.filename,
    )


def test_csv_is_a_download_named_for_the_report() -> None:
    """A CSV is an attachment named ``<report>.csv``, in UTF-8 with a byte-order mark."""
    rendered = render(PLACES, Format.CSV)

    assert ("places.csv", CSV_MEDIA_TYPE) == (rendered.filename, rendered.media_type)
    assert "\ufeffชื่อ,count\r\nตาก,1\r\nนครพนม,2\r\n".encode() == rendered.content


def test_an_empty_table_without_a_layout_downloads_without_a_header() -> None:
    """A table whose columns come from its first row has none when it is empty (every report
    of the facade has a layout, and so a header)."""
    rendered = render(Table("nothing", ()), Format.CSV)

    assert "\ufeff\r\n".encode() == rendered.content


def test_a_plain_table_has_a_page_too() -> None:
    """HTML of a plain table is a page showing it, not a download."""
    rendered = render(PLACES, Format.HTML)

    assert (None, "text/html; charset=utf-8") == (rendered.filename, rendered.media_type)
    assert "<td>นครพนม</td>" in rendered.content.decode()


def test_the_eplan_page_is_shown_not_downloaded() -> None:
    """The e-Plan table as HTML is a UTF-8 page with no file name."""
    rendered = render(EMPTY_EPLAN, Format.HTML)

    assert (None, "text/html; charset=utf-8") == (rendered.filename, rendered.media_type)
    assert rendered.content.startswith(b"<!DOCTYPE html>")


def test_an_eplan_download_is_named_for_its_year() -> None:
    """The e-Plan table as XLSX is an attachment named for the fiscal year."""
    rendered = render(EMPTY_EPLAN, Format.XLSX)

    assert "eplan-status-2560.xlsx" == rendered.filename
