"""The shape of a dashboard page: figures, each a chart and the data tables that read the
same numbers without the picture, in the reader's language (``web.dashboard_kpi`` and
``web.dashboard_progress`` fill them).

A ``Figure`` is a heading, an SVG chart (``web.charts``; None when the report is empty, so the
page says ไม่มีข้อมูล instead of drawing an empty frame), the ``DataTable`` of the numbers the
chart draws, the link of its report's downloads and a one-line headline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from markupsafe import Markup

from projections.reports.labels import CODES
from web.rendering import format_be_date


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text, whether it is a number (right-aligned), a link, and whether it
    heads its row (``th scope="row"``)."""

    text: str
    number: bool = False
    href: str | None = None
    head: bool = False


@dataclass(frozen=True, slots=True)
class DataTable:
    table_id: str
    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart and its table, and the download of the report they come from."""

    figure_id: str
    heading: str
    chart: Markup | None
    tables: tuple[DataTable, ...]
    download: str | None = None
    note: str = ""
    headline: str = ""


@dataclass(frozen=True, slots=True)
class Words:
    """The reader's language: ``t(th, en)`` picks one."""

    lang: str = "th"

    def t(self, th: str, en: str) -> str:
        return en if self.lang == "en" else th

    def code(self, codes: str, value: str | None) -> str:
        if value is None:
            return "–"
        label = CODES.get(codes, {}).get(value)
        return value if label is None else self.t(*label)

    def day(self, value: date | None) -> str:
        return "–" if value is None else format_be_date(value, self.lang)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """One dashboard page: its figures and what its filter form offers."""

    figures: tuple[Figure, ...]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


def percent(value: float) -> str:
    """A report's percent as people write it: 66.67%, 100%."""
    return f"{value:g}%"


def count_cell(value: int) -> Cell:
    """A count, right-aligned, with thousands separators."""
    return Cell(f"{value:,}", number=True)


def download_link(report: str, query: dict[str, str]) -> str:
    """Where a figure's report downloads (``format`` is added by the template)."""
    kept = {key: value for key, value in query.items() if value}
    return f"/app/dashboards/{report}/download" + (f"?{urlencode(kept)}&" if kept else "?")
