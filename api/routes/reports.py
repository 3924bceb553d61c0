"""Reports out: completeness KPIs and LPA 2.9, the overdue list, certification states, upcoming
retirements, the Section 35 ratio, leave summaries and the e-Plan status table; each as JSON,
a CSV or XLSX download or an HTML page (``format``), in Thai unless ``lang=en`` (the e-Plan
table in the Tak letter's layout).

Reads need a session and are confined to the caller's scope (``api.deps.ScopeDep``). Each route
is one call of the reports (``projections.reports.facade``) and its drawing (``api.downloads``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from api.dates import HumanDate
from api.deps import ReaderDep, ReportsDep, ScopeDep
from api.downloads import (
    EplanFormat,
    EplanFormatQuery,
    FormatQuery,
    LangQuery,
    TableFormat,
    answers,
    respond,
)
from api.errors import problem_responses
from api.report_models import (
    CertificationRowOut,
    EplanStatusOut,
    KpiOut,
    LeaveRowOut,
    OverdueRowOut,
    RecordCertificationRowOut,
    RetirementRowOut,
    Section35Out,
)
from ledger.domain.certification import CYCLE_PATTERN
from ledger.domain.reading import DataKind
from projections.reports.labels import Lang

router = APIRouter(prefix="/reports", tags=["reports"], responses=problem_responses(400, 401, 403))

Cycle = Annotated[
    str | None,
    Query(
        pattern=CYCLE_PATTERN,
        description="A certification cycle, e.g. 2562 (default: latest)",
    ),
]
FiscalYear = Annotated[int, Query(ge=2400, le=2700, description="Buddhist-era fiscal year")]


@router.get("/kpi", response_model=None, responses=answers(KpiOut))
def read_kpi(
    reports: ReportsDep,
    scope: ScopeDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Completeness KPI per LAO and per province (target 90%), and the LPA 2.9 score."""
    return respond(reports.kpi(scope, cycle), format, lang)


@router.get("/overdue", response_model=None, responses=answers(list[OverdueRowOut]))
def read_overdue(
    reports: ReportsDep,
    scope: ScopeDep,
    as_of: Annotated[
        HumanDate | None, Query(description="Overdue on this day (default: today)")
    ] = None,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Stages whose deadline passed with the work undone (for warning letters)."""
    return respond(reports.overdue(scope, as_of, cycle), format, lang)


@router.get("/certification", response_model=None, responses=answers(list[CertificationRowOut]))
def read_certification(
    reports: ReportsDep,
    scope: ScopeDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Each LAO's certification cycles: state, deadlines, roots, who certified when; with the
    signed steps of each (JSON)."""
    return respond(reports.certification(scope, cycle), format, lang)


@router.get(
    "/certification/records",
    response_model=None,
    responses=answers(list[RecordCertificationRowOut]),
)
def read_record_certification(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    cycle: Cycle = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Each record's certification state (certified, stale, submitted, draft); records by name
    for roles that read personal data (logged), by id for the others."""
    return respond(reader.naming_people(reports.record_certification(scope, cycle)), format, lang)


@router.get("/retirements", response_model=None, responses=answers(list[RetirementRowOut]))
def read_retirements(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    first_year: Annotated[int | None, Query(ge=2400, le=2700)] = None,
    last_year: Annotated[int | None, Query(ge=2400, le=2700)] = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Upcoming retirements by fiscal year, LAO and position line (default: this fiscal year
    and the four after it)."""
    retirements = reports.retirements(scope, first_year, last_year)
    return respond(reader.naming_people(retirements), format, lang)


@router.get("/section35", response_model=None, responses=answers(Section35Out))
def read_section35(
    reports: ReportsDep,
    scope: ScopeDep,
    fiscal_year: FiscalYear,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Personnel cost over the annual expenditure budget per LAO, flagged above 40%; each row
    names the formula that computed it."""
    return respond(reports.section35(scope, fiscal_year), format, lang)


@router.get("/leave", response_model=None, responses=answers(list[LeaveRowOut]))
def read_leave(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    year: Annotated[int | None, Query(ge=2400, le=2700, description="Fiscal year")] = None,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Per record and year: leave taken by type (times, days) and the reported ก.พ.๗ line.
    Leave types reveal health: for the roles that read health data; each record logged."""
    return respond(reader.naming_people(reports.leave(scope, year), DataKind.HEALTH), format, lang)


@router.get("/eplan-status", response_model=None, responses=answers(EplanStatusOut))
def read_eplan_status(
    reports: ReportsDep,
    scope: ScopeDep,
    fiscal_year: FiscalYear,
    province: Annotated[
        str | None, Query(description="The province (default: the caller's)")
    ] = None,
    as_of: Annotated[
        HumanDate | None, Query(description="Data as of this date (default: today)")
    ] = None,
    format: EplanFormatQuery = EplanFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """The e-Plan status table of a province and fiscal year, in the Tak letter's layout."""
    wanted = scope.province or province
    if wanted is None:
        raise RequestValidationError(
            [{"loc": ("query", "province"), "msg": "Field required", "type": "missing"}]
        )
    return respond(reports.eplan_status(wanted, fiscal_year, as_of, scope), format, lang)
