"""e-Plan out: development plans, plan projects with their money, subsidies, and a map of the
located projects (GeoJSON).

Reads need a session whose roles read ``eplan`` data (the read matrix: e-Plan staff, the plan
analyst, the LAO head, DLA, auditors; an HR officer is refused, 403) and are confined to the
caller's scope (``api.deps.ScopeDep``); a single plan or project outside it is 404, as one that
does not exist. e-Plan data describes no one's personnel record, so the reads are not written to
the access log; the names they carry (a plan's approver, a contract's party, both acting in a
public role) appear only on a plan's or a project's own page. Each route is one call of the
reports (``projections.reports.facade``); JSON with Thai labels beside codes, Buddhist-era dates
and fiscal years, money as numbers of baht (``projections.reports.eplan_reads``).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BeforeValidator

from api.deps import ReaderDep, ReportsDep, ScopeDep
from api.downloads import FormatQuery, TableFormat, answers, respond
from api.errors import problem_responses
from api.report_models import (
    FeatureCollectionOut,
    PlanOut,
    PlanRowOut,
    ProjectOut,
    ProjectPageOut,
    SubsidiesOut,
)
from ledger.domain.reading import DataKind
from ledger.domain.rules import to_ascii_digits
from projections.reports.eplan_reads import MAX_PAGE_SIZE
from projections.reports.render import json_bytes
from projections.reports.scope import ReadScope

router = APIRouter(tags=["e-plan"], responses=problem_responses(400, 401, 403, 404))

GEOJSON_MEDIA_TYPE = "application/geo+json"


def _ascii(value: Any) -> Any:
    return to_ascii_digits(value) if isinstance(value, str) else value


FiscalYear = Annotated[
    int | None,
    BeforeValidator(_ascii),
    Query(ge=2400, le=2700, description="Buddhist-era fiscal year, e.g. 2562 or ๒๕๖๒"),
]
Page = Annotated[int, BeforeValidator(_ascii), Query(ge=1, le=2**31, description="From 1")]
Size = Annotated[int, BeforeValidator(_ascii), Query(ge=1, le=MAX_PAGE_SIZE)]


def eplan_scope(scope: ScopeDep, reader: ReaderDep) -> ReadScope:
    """The caller's scope (narrowed by the query), once their roles are known to read e-Plan."""
    reader.require(DataKind.EPLAN)
    return scope


EplanScope = Annotated[ReadScope, Depends(eplan_scope)]


@router.get("/plans", response_model=None, responses=answers(list[PlanRowOut]))
def read_plans(
    reports: ReportsDep, scope: EplanScope, format: FormatQuery = TableFormat.JSON
) -> Response:
    """The LAOs' development plans: period, status, vision, amendment, number of projects."""
    return respond(reports.plans(scope), format)


@router.get("/plans/{plan_id}", response_model=None, responses=answers(PlanOut, drawn=False))
def read_plan(plan_id: UUID, reports: ReportsDep, scope: EplanScope) -> Response:
    """One plan: vision, strategies, the projects planned in each year, approvals and
    amendments."""
    return respond(reports.plan(scope, plan_id))


@router.get("/projects", response_model=None, responses=answers(ProjectPageOut))
def read_projects(
    reports: ReportsDep,
    scope: EplanScope,
    fiscal_year: FiscalYear = None,
    page: Page = 1,
    size: Size = 50,
    format: FormatQuery = TableFormat.JSON,
) -> Response:
    """A page of plan projects (of a fiscal year: planned, budgeted or carried into it), each
    with its budget, contracts, disbursements and progress to date."""
    return respond(reports.projects(scope, fiscal_year, page, size), format)


@router.get(
    "/projects.geojson",
    response_model=None,
    responses={200: {"model": FeatureCollectionOut, "content": {GEOJSON_MEDIA_TYPE: {}}}},
)
def read_project_map(
    reports: ReportsDep, scope: EplanScope, fiscal_year: FiscalYear = None
) -> Response:
    """The located projects as a GeoJSON FeatureCollection (RFC 7946: longitude, latitude),
    each with its Thai title, status and amounts."""
    found = reports.project_features(scope, fiscal_year)
    return Response(json_bytes(found.as_json()), media_type=GEOJSON_MEDIA_TYPE)


@router.get(
    "/projects/{project_id}", response_model=None, responses=answers(ProjectOut, drawn=False)
)
def read_project(project_id: UUID, reports: ReportsDep, scope: EplanScope) -> Response:
    """One project: its place in the plan, status, location and every budget, contract,
    payment and carry-over."""
    return respond(reports.project(scope, project_id))


@router.get("/subsidies", response_model=None, responses=answers(SubsidiesOut))
def read_subsidies(
    reports: ReportsDep,
    scope: EplanScope,
    fiscal_year: FiscalYear = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response:
    """Subsidy items (เงินอุดหนุน): allocated, paid, outcome; with the sums."""
    return respond(reports.subsidies(scope, fiscal_year), format)
