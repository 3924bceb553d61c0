"""Reports out: completeness KPIs and LPA 2.9, the overdue list, certification states, upcoming
retirements, the Section 35 ratio, leave summaries and the e-Plan status table; each as JSON,
or as a CSV or XLSX download (the e-Plan table also as HTML, in the Tak letter's layout).

Reads need a session and are confined to the caller's scope (``api.read_models``).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response

from api.errors import problem_responses
from api.read_models import (
    FormatQuery,
    ProjectionsDep,
    ScopeDep,
    TableFormat,
    download,
    table,
)
from ledger.domain.rules import fiscal_year
from projections.reports.eplan import HTML_MEDIA_TYPE, render_csv, render_html, render_xlsx
from projections.reports.kpi import lao_kpis, overdue, province_kpis
from projections.reports.retirements import RetirementGroup, upcoming_retirements
from projections.reports.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from projections.views.certification import cycles, record_certifications, steps
from projections.views.eplan_status import eplan_status
from projections.views.leave import leave_summary
from projections.views.section35 import FORMULAS, Section35Row, section35_ratios

router = APIRouter(prefix="/reports", tags=["reports"], responses=problem_responses(400, 401, 403))

Cycle = Annotated[
    str | None, Query(description="A certification cycle, e.g. 2562 (default: latest)")
]
FiscalYear = Annotated[int, Query(ge=2400, le=2700, description="Buddhist-era fiscal year")]


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(rows[0]) if rows else []


@router.get("/kpi", response_model=None)
def read_kpi(
    projections: ProjectionsDep,
    scope: ScopeDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | dict[str, Any]:
    """Completeness KPI per LAO and per province (target 90%), and the LPA 2.9 score."""
    with projections.read() as cursor:
        laos = lao_kpis(
            cursor,
            projections.tables("registry"),
            projections.tables("certification"),
            projections.tables("organizations"),
            cycle=cycle,
            lao=scope.lao,
            province=scope.province,
        )
    rows = [kpi.as_json() for kpi in laos]
    if format is not TableFormat.JSON:
        return download("kpi", format, _columns(rows), rows)
    return {"laos": rows, "provinces": [kpi.as_json() for kpi in province_kpis(laos)]}


@router.get("/overdue", response_model=None)
def read_overdue(
    projections: ProjectionsDep,
    scope: ScopeDep,
    as_of: Annotated[date | None, Query(description="Overdue on this day (default: today)")] = None,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Stages whose deadline passed with the work undone (for warning letters)."""
    with projections.read() as cursor:
        found = overdue(
            cursor,
            projections.tables("certification"),
            as_of or date.today(),
            cycle=cycle,
            lao=scope.lao,
            province=scope.province,
        )
    rows = [item.as_json() for item in found]
    return table("overdue", format, rows, _columns(rows))


@router.get("/certification", response_model=None)
def read_certification(
    projections: ProjectionsDep,
    scope: ScopeDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Each LAO's certification cycles: state, deadlines, roots, who certified when; with the
    signed steps of each (JSON)."""
    with projections.read() as cursor:
        tables = projections.tables("certification")
        found = cycles(cursor, tables, cycle=cycle, lao=scope.lao, province=scope.province)
        rows = [row.as_json() for row in found]
        if format is TableFormat.JSON:
            for row in rows:
                row["steps"] = [step.as_json() for step in steps(cursor, tables, row["stream"])]
    return table("certification", format, rows, _columns(rows))


@router.get("/certification/records", response_model=None)
def read_record_certification(
    projections: ProjectionsDep,
    scope: ScopeDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Each record's certification state (certified, stale, submitted, draft)."""
    with projections.read() as cursor:
        found = record_certifications(
            cursor,
            projections.tables("registry"),
            projections.tables("certification"),
            lao=scope.lao,
            province=scope.province,
            cycle=cycle,
        )
    rows = [item.as_json() for item in found]
    return table("record-certification", format, rows, _columns(rows))


@router.get("/retirements", response_model=None)
def read_retirements(
    projections: ProjectionsDep,
    scope: ScopeDep,
    first_year: Annotated[int | None, Query(ge=2400, le=2700)] = None,
    last_year: Annotated[int | None, Query(ge=2400, le=2700)] = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Upcoming retirements by fiscal year, LAO and position line (default: this fiscal year
    and the four after it)."""
    first = first_year or fiscal_year(date.today())
    with projections.read() as cursor:
        found = upcoming_retirements(
            cursor,
            projections.tables("registry"),
            first_year=first,
            last_year=last_year or first + 4,
            lao=scope.lao,
            province=scope.province,
        )
    rows = [group.as_json() for group in found]
    return table("retirements", format, rows, [f.name for f in fields(RetirementGroup)])


@router.get("/section35", response_model=None)
def read_section35(
    projections: ProjectionsDep,
    scope: ScopeDep,
    fiscal_year: FiscalYear,
    format: FormatQuery = TableFormat.JSON,
) -> Response | dict[str, Any]:
    """Personnel cost over the annual expenditure budget per LAO, flagged above 40%; each row
    names the formula that computed it."""
    with projections.read() as cursor:
        found = section35_ratios(
            cursor,
            projections.tables("registry"),
            projections.tables("section35"),
            fiscal_year,
            lao=scope.lao,
            province=scope.province,
        )
    rows = [row.as_json() for row in found]
    if format is not TableFormat.JSON:
        columns = [*(f.name for f in fields(Section35Row)), "ratio", "limit", "over_limit"]
        return download(f"section35-{fiscal_year}", format, columns, rows)
    return {"fiscal_year": fiscal_year, "formulas": FORMULAS, "laos": rows}


@router.get("/leave", response_model=None)
def read_leave(
    projections: ProjectionsDep,
    scope: ScopeDep,
    year: Annotated[int | None, Query(ge=2400, le=2700, description="Fiscal year")] = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Per record and year: leave taken by type (times, days) and the reported ก.พ.๗ line."""
    with projections.read() as cursor:
        found = leave_summary(
            cursor,
            projections.tables("leave"),
            projections.tables("registry"),
            year=year,
            lao=scope.lao,
            province=scope.province,
        )
    rows = [summary.as_json() for summary in found]
    return table("leave", format, rows, _columns(rows))


class EplanFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


@router.get("/eplan-status", response_model=None)
def read_eplan_status(
    projections: ProjectionsDep,
    scope: ScopeDep,
    fiscal_year: FiscalYear,
    province: Annotated[
        str | None, Query(description="The province (default: the caller's)")
    ] = None,
    as_of: Annotated[
        date | None, Query(description="Data as of this date (default: today)")
    ] = None,
    format: Annotated[EplanFormat, Query(description="json, csv, xlsx or html")] = EplanFormat.JSON,
) -> Response | dict[str, Any]:
    """The e-Plan status table of a province and fiscal year, in the Tak letter's layout."""
    wanted = scope.province or province
    if wanted is None:
        raise RequestValidationError(
            [{"loc": ("query", "province"), "msg": "Field required", "type": "missing"}]
        )
    with projections.read() as cursor:
        report = eplan_status(
            cursor,
            projections.tables("eplan"),
            wanted,
            fiscal_year,
            as_of=as_of or date.today(),
            lao=scope.lao,
        )
    name = f"eplan-status-{fiscal_year}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{format.value}"'}
    if format is EplanFormat.HTML:
        return HTMLResponse(render_html(report), media_type=HTML_MEDIA_TYPE)
    if format is EplanFormat.CSV:
        return Response(render_csv(report), media_type=CSV_MEDIA_TYPE, headers=disposition)
    if format is EplanFormat.XLSX:
        return Response(render_xlsx(report), media_type=XLSX_MEDIA_TYPE, headers=disposition)
    return report.as_json()
