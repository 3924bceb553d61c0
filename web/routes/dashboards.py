"""แดชบอร์ด: the reports as pictures, for the people who chase and certify the data.

* GET ``/app/dashboards``: the list of dashboards;
* GET ``/app/dashboards/kpi`` (``cycle``): completeness per province and per LAO against the 90%
  target, with the LPA 2.9 scores;
* GET ``/app/dashboards/certification`` (``cycle``, default the latest): how many LAOs stand at
  each state of the cycle, and each LAO's deadlines and what is overdue today;
* GET ``/app/dashboards/retirements`` (``first_year``, ``last_year``; default this fiscal year
  and the four after it): retirements per fiscal year (BE);
* GET ``/app/dashboards/section35`` (``fiscal_year``, default this one): the Section 35 ratio
  per LAO against the 40% cap;
* GET ``/app/dashboards/{report}/download?format=csv|xlsx``: the same report as the API's
  ``/reports`` routes draw it (``api.downloads.respond``), for the browser's cookie session.

Every page also takes ``province`` and ``lao`` to narrow a national or provincial reader's view.
Readers: every role whose read matrix holds ``personnel`` data (provincial officers, DLA,
auditors, an LAO's head and HR officer, e-Plan staff), each within their enrolment scope
(``ReadScope.within``: asking outside it is the 403 page); a record owner reads their own
record, not reports (403). These figures name no one, so nothing is written to the access log.
Years and cycles are read as the officer types them (Thai digits too); a bad one is a 400
page naming the field in Thai and English, never a traceback.

Stable element ids for tests: ``#dashboard-heading``; each figure ``section#<figure id>``
(``kpi-provinces``, ``kpi-laos``, ``certification``, ``retirements``, ``section35``) with its
``svg`` (id ``<figure>-chart``), its tables (``#<figure>-table`` and the like), ``.no-data``
when the report is empty, and ``a.download-csv`` / ``a.download-xlsx``; ``#filters`` the
form; ``.field-error`` a refused field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access import Reader
from api.deps import ReportsDep
from api.downloads import TableFormat, respond
from api.sessions import Session
from ledger.domain.certification import CYCLE_PATTERN
from ledger.domain.reading import DataKind
from ledger.domain.rules import THAI_DIGITS
from ledger.domain.rules import fiscal_year as fiscal_year_of
from ledger.errors import ForbiddenError
from projections.reports.facade import RETIREMENT_YEARS, Reports
from projections.reports.labels import Lang
from projections.reports.results import Report
from projections.reports.scope import ReadScope
from web.dashboard_kpi import kpi_dashboard, section35_dashboard
from web.dashboard_model import Dashboard, Words
from web.dashboard_progress import certification_dashboard, retirements_dashboard
from web.deps import WebReaderDep, WebSessionDep, render, require_same_origin
from web.rendering import request_lang
from web.routes.home import TodayDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

PAGES: dict[str, tuple[str, str]] = {
    "kpi": ("ความครบถ้วนของข้อมูลทะเบียนประวัติ", "Records completeness (KPI)"),
    "certification": ("ความก้าวหน้าการรับรองข้อมูล", "Certification progress"),
    "retirements": ("ผู้เกษียณอายุราชการรายปีงบประมาณ", "Retirements by fiscal year"),
    "section35": ("สัดส่วนค่าใช้จ่ายด้านบุคคล (มาตรา 35)", "Personnel cost ratio (Section 35)"),
}
"""Each dashboard's title in Thai and English, in the order of the list."""

MAX_YEARS = 20
Province = Annotated[str | None, Query(max_length=100)]
Lao = Annotated[str | None, Query(pattern=r"^\d{7}$")]
Text = Annotated[str | None, Query(max_length=20)]


@dataclass
class Filters:
    """What the page's form asks for, read as typed; ``errors`` names each field refused."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)

    def text(self, name: str, raw: str | None) -> str | None:
        value = (raw or "").strip().translate(THAI_DIGITS)
        self.values[name] = value
        return value or None

    def year(self, name: str, raw: str | None) -> int | None:
        value = self.text(name, raw)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or not 2400 <= int(value) <= 2700:
            self.errors[name] = (
                f"{name}: ต้องเป็นปี พ.ศ. 4 หลัก ระหว่าง 2400 ถึง 2700 เช่น 2563",
                f"{name}: must be a Buddhist-era year from 2400 to 2700, e.g. 2563",
            )
            return None
        return int(value)

    def cycle(self, raw: str | None) -> str | None:
        value = self.text("cycle", raw)
        if value is not None and re.fullmatch(CYCLE_PATTERN.strip("^$"), value) is None:
            self.errors["cycle"] = (
                "cycle: รอบการรับรองต้องเป็นปี พ.ศ. เช่น 2562 หรือ 2562-2",
                "cycle: a certification cycle is a Buddhist-era year, e.g. 2562 or 2562-2",
            )
            return None
        return value


def dashboard_scope(
    session: Session, reader: Reader, province: str | None, lao: str | None
) -> ReadScope:
    """The reader's scope narrowed by the query, for a role that reads personnel figures."""
    reader.require(DataKind.PERSONNEL)
    if reader.owner_only:
        raise ForbiddenError("read", "a record owner reads their own record, not reports")
    return ReadScope.within(session.enrolment.scope, province=province or None, lao=lao or None)


def _query(filters: Filters, province: str | None, lao: str | None) -> dict[str, str]:
    return {"province": province or "", "lao": lao or ""} | filters.values


def _page(
    request: Request,
    session: Session,
    name: str,
    dashboard: Dashboard | None,
    filters: Filters,
    query: dict[str, str],
) -> Response:
    context = {
        "page": name,
        "pages": PAGES,
        "title": PAGES[name],
        "dashboard": dashboard,
        "filters": filters,
        "query": query,
    }
    status = 400 if filters.errors else 200
    return render(request, "dashboard.html", context, session=session, status_code=status)


@router.get("/app/dashboards")
def dashboards_index(
    request: Request,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    day: TodayDep,
) -> Response:
    """Each dashboard as a card with its headlines now (its defaults: the latest cycle, this
    fiscal year), so the reader sees at once where to look."""
    scope = dashboard_scope(session, reader, None, None)
    words = Words(request_lang(request))
    cards: dict[str, list[str]] = {}
    for name in PAGES:
        read = read_dashboard(name, reports, reader, scope, Filters(), {}, day)
        figures = () if read is None else read.draw(words, {}).figures
        cards[name] = [f.headline for f in figures if f.chart is not None and f.headline]
    context = {"pages": PAGES, "cards": cards}
    return render(request, "dashboards_index.html", context, session=session)


def _retirement_years(filters: Filters, first: int | None, last: int | None, now: int) -> range:
    start = first or now
    end = last or start + RETIREMENT_YEARS - 1
    if not filters.errors and not 0 <= end - start < MAX_YEARS:
        filters.errors["last_year"] = (
            f"last_year: ต้องไม่ก่อน first_year และห่างกันไม่เกิน {MAX_YEARS} ปี",
            f"last_year: must not precede first_year, at most {MAX_YEARS} years after it",
        )
    return range(start, end + 1)


Draw = Callable[[Words, dict[str, str]], Dashboard]


@dataclass(frozen=True)
class Read:
    """A dashboard's report, and how its figures are drawn from it."""

    report: Report
    draw: Draw


def read_dashboard(
    name: str,
    reports: Reports,
    reader: Reader,
    scope: ReadScope,
    filters: Filters,
    raw: dict[str, str | None],
    day: date,
) -> Read | None:
    """The facade's report a dashboard draws; None (with the refused fields in ``filters``)
    when the form's values cannot be read."""
    if name == "kpi":
        cycle = filters.cycle(raw.get("cycle"))
        if filters.errors:
            return None
        kpi = reports.kpi(scope, cycle)
        return Read(kpi, lambda words, query: kpi_dashboard(kpi, words, query))
    if name == "certification":
        cycle = filters.cycle(raw.get("cycle"))
        if filters.errors:
            return None
        every = reports.certification(scope)
        available = tuple(sorted({row.cycle for row in every.cycles}, reverse=True))
        chosen = cycle or (available[0] if available else None)
        shown = every if chosen is None else reports.certification(scope, chosen)
        return Read(
            shown,
            lambda words, query: certification_dashboard(
                shown, chosen, available, day, words, query
            ),
        )
    if name == "retirements":
        first = filters.year("first_year", raw.get("first_year"))
        last = filters.year("last_year", raw.get("last_year"))
        years = _retirement_years(filters, first, last, fiscal_year_of(day))
        if filters.errors:
            return None
        table = reader.naming_people(reports.retirements(scope, years.start, years.stop - 1))
        return Read(
            table,
            lambda words, query: retirements_dashboard(
                table, years.start, years.stop - 1, words, query
            ),
        )
    year = filters.year("fiscal_year", raw.get("fiscal_year"))
    if filters.errors:
        return None
    ratios = reports.section35(scope, year or fiscal_year_of(day))
    return Read(ratios, lambda words, query: section35_dashboard(ratios, words, query))


def _known(name: str) -> str:
    if name not in PAGES:
        raise StarletteHTTPException(404)
    return name


Name = Annotated[str, Depends(_known)]


@dataclass(frozen=True, slots=True)
class Asked:
    """A dashboard read as its page or its download asked: the report (None when it has no
    data), the filters as read (with their errors) and the query that links back to it."""

    read: Read | None
    filters: Filters
    query: dict[str, str]


def ask_dashboard(
    name: Name,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    day: TodayDep,
    province: Province = None,
    lao: Lao = None,
    cycle: Text = None,
    first_year: Text = None,
    last_year: Text = None,
    fiscal_year: Text = None,
) -> Asked:
    """The one reading of a dashboard's query, shared by its page and its download."""
    scope = dashboard_scope(session, reader, province, lao)
    filters = Filters()
    raw = {
        "cycle": cycle,
        "first_year": first_year,
        "last_year": last_year,
        "fiscal_year": fiscal_year,
    }
    read = read_dashboard(name, reports, reader, scope, filters, raw, day)
    return Asked(read, filters, _query(filters, province, lao))


AskedDep = Annotated[Asked, Depends(ask_dashboard)]


@router.get("/app/dashboards/{name}")
def dashboard_page(
    request: Request, name: Name, session: WebSessionDep, asked: AskedDep
) -> Response:
    words = Words(request_lang(request))
    read = asked.read
    dashboard = None if read is None else read.draw(words, asked.query)
    return _page(request, session, name, dashboard, asked.filters, asked.query)


class Download(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@router.get("/app/dashboards/{name}/download")
def dashboard_download(
    request: Request,
    name: Name,
    session: WebSessionDep,
    asked: AskedDep,
    format: Download = Download.CSV,
) -> Response:
    """The dashboard's report as the API draws it, in the page's language."""
    if asked.read is None:
        return _page(request, session, name, None, asked.filters, asked.query)
    return respond(asked.read.report, TableFormat(format.value), Lang(request_lang(request)))
