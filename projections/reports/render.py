"""One way to draw any report: ``render(report, fmt, lang)``, the bytes and what they are.

JSON is the report's body (encoded as the API has always sent it: UTF-8, compact, codes and ISO
dates as stored); CSV and XLSX are a download of its sheet named ``<report name>.<format>`` and
HTML a page of it, in Thai (``lang``: English on request): headings and code labels in words,
Buddhist-era dates, names instead of IDs, numbers as numbers (``sheets``, ``tables``,
``workbook``, ``pages``). The e-Plan status table has its own layout, the Tak letter's, in Thai
whatever ``lang`` says. The HTTP API wraps the result into a response (``api.downloads``); the
command line writes it to a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from projections.reports.eplan_layout import (
    HTML_MEDIA_TYPE,
    render_csv,
    render_html,
    render_xlsx,
)
from projections.reports.eplan_status import EplanStatusReport
from projections.reports.labels import Lang
from projections.reports.pages import sheet_html
from projections.reports.results import Report, sheet_of_report
from projections.reports.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, sheet_csv
from projections.reports.workbook import sheet_xlsx

JSON_MEDIA_TYPE = "application/json"


class Format(StrEnum):
    """What a report is drawn as."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A drawn report: its bytes, their media type, and the file name of a download (None: a
    body to show as it is, JSON or an HTML page)."""

    content: bytes
    media_type: str
    filename: str | None = None


def json_bytes(value: Any) -> bytes:
    """JSON as the API sends it: UTF-8 with Thai text as it is, no spaces, no NaN."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def render(report: Report | EplanStatusReport, fmt: Format, lang: Lang = Lang.TH) -> Rendered:
    """The report drawn as ``fmt``, its words in ``lang``."""
    if fmt is Format.JSON:
        return Rendered(json_bytes(report.as_json()), JSON_MEDIA_TYPE)
    if isinstance(report, EplanStatusReport):
        return _render_eplan(report, fmt)
    sheet = sheet_of_report(report)
    if fmt is Format.HTML:
        return Rendered(sheet_html(sheet, lang).encode("utf-8"), HTML_MEDIA_TYPE)
    filename = f"{report.name}.{fmt.value}"
    if fmt is Format.XLSX:
        return Rendered(sheet_xlsx(sheet, lang), XLSX_MEDIA_TYPE, filename)
    return Rendered(sheet_csv(sheet, lang), CSV_MEDIA_TYPE, filename)


def _render_eplan(report: EplanStatusReport, fmt: Format) -> Rendered:
    """The Tak letter's layout: a page in HTML, a download in CSV and XLSX."""
    if fmt is Format.HTML:
        return Rendered(render_html(report).encode("utf-8"), HTML_MEDIA_TYPE)
    filename = f"{report.name}.{fmt.value}"
    if fmt is Format.XLSX:
        return Rendered(render_xlsx(report), XLSX_MEDIA_TYPE, filename)
    return Rendered(render_csv(report), CSV_MEDIA_TYPE, filename)
