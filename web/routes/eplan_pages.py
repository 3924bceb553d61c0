"""e-Plan pages: the LAOs' development plans, a plan, a project, and the province's status
table (issue 15 item 3).

Every page reads through the Reports facade, as the API's e-Plan routes do (``api.routes.eplan``,
``/reports/eplan-status``): the caller's roles must read e-Plan data (else 403) and the reads are
confined to the caller's scope (``ReadScope.within``); a plan or project outside it is 404, as
one that does not exist. e-Plan data is nobody's personnel record: nothing is written to the
access log (as in the API).

* GET ``/app/eplan``: the plans (period, status, vision, projects), the subsidy items, and links
  to a new plan or subsidy item for the roles that sign them, the status table and the map data;
* GET ``/app/eplan/plans/{id}``: vision, strategies, the projects of each year with the year's
  planned total, approvals and amendments; the forms the caller's roles may sign on it;
* GET ``/app/eplan/projects/{id}``: the project's place in the plan, status, budget, contracts,
  payments, carry-over and progress with every money line; its forms (a budget, a contract, a
  payment: the money rules' messages come back beside the fields before signing);
* GET ``/app/eplan/status?province=&fiscal_year=&as_of=``: the Tak-style status table of any
  province (a provincial caller: its own) and fiscal year as HTML, with each LAO's days since
  its last e-Plan step, and its CSV/XLSX downloads (``/app/eplan/status/download``, drawn as the
  API's ``/reports/eplan-status`` draws them, for the browser's cookie session);
* GET ``/app/eplan/projects.geojson``: the located projects (RFC 7946), as the API's
  ``/projects.geojson``.

Stable ids: ``#plans-table``, ``#new-PlanDrafted``, ``#new-SubsidyAllocated``, ``#subsidies``,
``#status-link``, ``#geojson-link``; a plan's ``#plan-vision``, ``#plan-strategies``,
``#plan-year-{year}``, ``#plan-actions`` with ``#action-{EventType}``; a project's
``#project-money`` (totals), ``#money-lines``, ``#project-actions``; the status page's
``#status-form``, ``#status-table``, ``#status-csv``, ``#status-xlsx``, ``#last-update-{lao}``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.downloads import TableFormat, respond
from ledger.domain.dates import DateInputError, parse_human_date
from ledger.domain.eplan import Subsidy
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.reading import DataKind
from ledger.domain.rules import fiscal_year as fiscal_year_of
from ledger.domain.rules import to_ascii_digits
from projections.reports.eplan_layout import header_lines, row_cells, totals_cells
from projections.reports.render import json_bytes
from projections.reports.scope import ReadScope
from web.deps import WebReaderDep, WebSessionDep, render, require_same_origin
from web.drafts import may_sign
from web.eplan import OPENINGS, STREAM_FORMS, offered
from web.errors import error_page
from web.routes.eplan_forms import eplan_stream
from web.routes.home import TodayDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

GEOJSON_MEDIA_TYPE = "application/geo+json"
Text = Annotated[str, Query(max_length=40)]


def _scope(reader: WebReaderDep, province: str | None = None) -> ReadScope:
    reader.require(DataKind.EPLAN)
    return ReadScope.within(reader.session.enrolment.scope, province=province or None)


def _actions(names: list[str]) -> list[tuple[str, Label]]:
    return [(name, EVENT_LABELS.get(name, Label(name, name))) for name in names]


@router.get("/app/eplan")
def eplan_home(
    request: Request, reports: ReportsDep, session: WebSessionDep, reader: WebReaderDep
) -> Response:
    scope = _scope(reader)
    context = {
        "plans": reports.plans(scope).as_json(),
        "subsidies": reports.subsidies(scope).as_json(),
        "openings": _actions([name for name in OPENINGS if may_sign(session.enrolment, name)]),
        "subsidy_actions": _actions(
            [name for name in STREAM_FORMS[Subsidy] if may_sign(session.enrolment, name)]
        ),
        "province": scope.province or "",
    }
    return render(request, "eplan_home.html", context, session=session)


@router.get("/app/eplan/plans/{plan_id}")
def plan_page(
    request: Request,
    plan_id: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    plan = reports.plan(_scope(reader), plan_id).as_json()
    held = eplan_stream(ledger, reader, plan_id)
    context = {"plan": plan, "actions": _actions(offered(held, session.enrolment))}
    return render(request, "eplan_plan.html", context, session=session)


@router.get("/app/eplan/projects.geojson")
def project_map(reports: ReportsDep, reader: WebReaderDep, fiscal_year: Text = "") -> Response:
    year = _year(fiscal_year) if fiscal_year.strip() else None
    found = reports.project_features(_scope(reader), year)
    return Response(json_bytes(found.as_json()), media_type=GEOJSON_MEDIA_TYPE)


@router.get("/app/eplan/projects/{project_id}")
def project_page(
    request: Request,
    project_id: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    project = reports.project(_scope(reader), project_id).as_json()
    held = eplan_stream(ledger, reader, project_id)
    context = {"project": project, "actions": _actions(offered(held, session.enrolment))}
    return render(request, "eplan_project.html", context, session=session)


class _InputRefusedError(Exception):
    def __init__(self, field: str, th: str, en: str) -> None:
        super().__init__(en)
        self.field, self.th, self.en = field, th, en


def _year(text: str) -> int:
    """A Buddhist-era fiscal year as typed (Thai digits accepted)."""
    ascii_text = to_ascii_digits(text.strip())
    if not ascii_text.isdigit() or not 2400 <= int(ascii_text) <= 2700:
        raise _InputRefusedError(
            "fiscal_year",
            "ปีงบประมาณต้องเป็นปี พ.ศ. สี่หลัก เช่น 2563",
            "the fiscal year is a four-digit Buddhist-era year, such as 2563",
        )
    return int(ascii_text)


def _as_of(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_human_date(text)
    except DateInputError as error:
        raise _InputRefusedError("as_of", error.th, error.en) from None


@router.get("/app/eplan/status")
def status_page(
    request: Request,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
    day: TodayDep,
    province: Text = "",
    fiscal_year: Text = "",
    as_of: Text = "",
) -> Response:
    scope = _scope(reader, province)
    wanted = scope.province or province.strip()
    context: dict[str, Any] = {
        "province": wanted,
        "fiscal_year": fiscal_year or str(fiscal_year_of(day)),
        "as_of": as_of,
        "error": None,
        "report": None,
    }
    try:
        year = _year(context["fiscal_year"])
        on = _as_of(as_of) or day
    except _InputRefusedError as refused:
        context["error"] = refused
        return render(request, "eplan_status.html", context, status_code=422, session=session)
    if wanted:
        report = reports.eplan_status(wanted, year, on, scope)
        last = reports.eplan_last_steps(wanted, year, on, scope)
        context |= {
            "report": report,
            "headers": header_lines(report),
            "rows": [(row, row_cells(row), last.get(row.lao)) for row in report.rows],
            "totals": totals_cells(report.totals),
            "on": on,
            "query": f"province={wanted}&fiscal_year={year}&as_of={on.isoformat()}",
        }
    return render(request, "eplan_status.html", context, session=session)


class Download(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@router.get("/app/eplan/status/download")
def status_download(
    request: Request,
    reports: ReportsDep,
    reader: WebReaderDep,
    day: TodayDep,
    province: Text,
    fiscal_year: Text,
    as_of: Text = "",
    format: Download = Download.CSV,
) -> Response:
    """The status table as the API's ``/reports/eplan-status`` draws it (CSV or XLSX)."""
    scope = _scope(reader, province)
    try:
        year, on = _year(fiscal_year), _as_of(as_of) or day
    except _InputRefusedError as refused:
        return error_page(request, 422, refused.th, refused.en)
    report = reports.eplan_status(scope.province or province, year, on, scope)
    return respond(report, TableFormat(format.value))
