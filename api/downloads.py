"""Reports as HTTP responses: the ``format`` and ``lang`` queries, and the drawn report wrapped
in a response.

Drawing is ``projections.reports.render``'s; here the bytes get their media type and, for a
CSV or XLSX download, a ``Content-Disposition`` naming the file. Every report answers JSON (as
stored: codes, ISO dates), a CSV or XLSX download, or an HTML page; the drawn ones in Thai
unless ``lang=en``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from projections.reports.eplan_layout import HTML_MEDIA_TYPE
from projections.reports.eplan_status import EplanStatusReport
from projections.reports.labels import Lang
from projections.reports.render import JSON_MEDIA_TYPE, Format, render
from projections.reports.results import Report
from projections.reports.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


EplanFormat = TableFormat
"""The e-Plan table answers the same formats (its HTML page in the Tak letter's layout)."""

FormatQuery = Annotated[
    TableFormat, Query(description="json, a csv or xlsx download, or an html page")
]
EplanFormatQuery = FormatQuery
LangQuery = Annotated[
    Lang,
    Query(description="The language of a download's or page's words: th (default) or en"),
]


def respond(
    report: Report | EplanStatusReport,
    format: TableFormat = TableFormat.JSON,
    lang: Lang = Lang.TH,
) -> Response:
    """The report as JSON, a page, or an attachment named ``<name>.<format>``."""
    rendered = render(report, Format(format.value), lang)
    headers = (
        {}
        if rendered.filename is None
        else {"Content-Disposition": f'attachment; filename="{rendered.filename}"'}
    )
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


DRAWN: dict[str, dict[str, Any]] = {
    CSV_MEDIA_TYPE.split(";")[0]: {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
    HTML_MEDIA_TYPE.split(";")[0]: {"schema": {"type": "string"}},
}
"""What a report answers besides JSON, by ``format``: a CSV or XLSX download, an HTML page."""


def answers(model: Any, *, drawn: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a read that ``respond`` draws: its JSON shape (``model``, a
    pydantic model or a ``list[...]`` of one) and, when it takes ``format``, the drawn media
    types too."""
    content: dict[str, dict[str, Any]] = {JSON_MEDIA_TYPE: {}}
    if drawn:
        content |= DRAWN
    return {200: {"model": model, "content": content}}
