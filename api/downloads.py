"""Reports as HTTP responses: the ``format`` query, and the drawn report wrapped in a response.

Drawing is ``projections.reports.render``'s; here the bytes get their media type and, for a
CSV or XLSX download, a ``Content-Disposition`` naming the file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from projections.reports.eplan_status import EplanStatusReport
from projections.reports.render import Format, render
from projections.reports.results import Report


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class EplanFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


FormatQuery = Annotated[TableFormat, Query(description="json, or a csv or xlsx download")]
EplanFormatQuery = Annotated[EplanFormat, Query(description="json, csv, xlsx or html")]


def respond(
    report: Report | EplanStatusReport, format: TableFormat | EplanFormat = TableFormat.JSON
) -> Response:
    """The report as JSON, a page, or an attachment named ``<name>.<format>``."""
    rendered = render(report, Format(format.value))
    headers = (
        {}
        if rendered.filename is None
        else {"Content-Disposition": f'attachment; filename="{rendered.filename}"'}
    )
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)
