"""The home page, ``/app/``: what needs doing (งานที่ต้องทำ), each item linking to where it is done.

For an LAO's HR officer (a session of one LAO whose roles read personal and personnel data):
``web.todo.hr_todo`` gathers the certification status of the current cycle, the steps waiting
(submit: ``/app/certification``), submissions returned with their reasons, owners' change
requests (to the record's ก.พ.๗ page), records incomplete for the KPI (to the form of each
missing section) and retirements of this and the next fiscal year (to the record's employment
page, where the retirement is recorded), dates in the Buddhist era. The certifiers (LAO
superiors and head, the province, DLA) are sent to their worklist, ``/app/certify``
(``web.routes.certify``). Other roles see the certification steps waiting for them
(``Reports.worklist``), if they read certification states.
The records the page names are logged in their access logs. A record owner whose record was
erased is told so (``#own-record-erased``: the day and the legal basis) in place of the
shortcuts to her record and to the change-request form (``web.own_erasure``).

"Today" is Thailand's day (``today``, a dependency tests pin), or the day typed in the page's
"ณ วันที่" box (``as_of``: Buddhist era, Thai digits accepted; an unreadable one is shown beside
the box with its rule, Thai and English, and today is used): what was overdue then, and the
retirements of that day's fiscal year and the next.

Stable element ids for the browser tests (helper h4):

* ``#home-as-of-form``, its input ``#home-as-of`` (label "ณ วันที่"), ``#home-as-of-button``,
  ``#home-as-of-error``;
* ``#worklist`` (the block of work), its heading ``#worklist-heading``; ``#todo-empty`` when
  there is nothing;
* ``#todo-certification``: the current cycle, its state in ``#certification-state``
  (``data-state`` holds the code: draft, submitted, ..., stale), the link
  ``#certification-link`` to ``/app/certification``;
* ``#todo-steps``: certification steps waiting, each ``li.todo-step`` (``data-action``: submit,
  review...) with its link;
* ``#todo-returned``: returned submissions, each ``li.todo-returned`` with ``.returned-reason``
  and ``.returned-sections``, and the records the return flags, each ``a.returned-record``
  (``data-stream``) to its ก.พ.๗ page;
* ``#todo-change-requests``: each ``li.todo-change-request`` linking to the record;
* ``#todo-incomplete``: each ``li.todo-incomplete`` (``data-stream``), the person's link and a
  link per missing section (``a.todo-fill``, ``data-section``) to that section's entry form;
* ``#todo-retiring``: each ``li.todo-retiring`` (``data-stream``) with ``.retirement-date``
  (``1 ต.ค. 2563``) and the fiscal year, linking to the record's employment page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, ReportsDep
from ledger.domain.dates import DateInputError, parse_human_date, thai_today
from ledger.domain.permissions import Role
from ledger.domain.reading import DataKind
from projections.reports.kpi import REQUIRED
from projections.reports.scope import ReadScope
from projections.reports.worklist import STATE_TH
from web.certifying import is_certifier
from web.deps import WebReaderDep, WebSessionDep, render, require_same_origin
from web.own_erasure import own_erasure
from web.todo import HOME_KINDS, hr_todo

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


def today() -> date:
    """Thailand's day (the tests pin it through ``app.dependency_overrides``)."""
    return thai_today()


TodayDep = Annotated[date, Depends(today)]

FILL_FORMS = {section: types[0] for section, types in REQUIRED.items()}
"""The entry form that fills each section the KPI requires (its first listed event type)."""


@router.get("/app/")
def home(
    request: Request,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    ledger: LedgerDep,
    day: TodayDep,
    as_of: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    scope = ReadScope.within(session.enrolment.scope)
    context: dict[str, object] = {"as_of": as_of, "as_of_error": None}
    if as_of.strip():
        try:
            day = parse_human_date(as_of)
        except DateInputError as error:
            context["as_of_error"] = error
    context |= {
        "todo": None,
        "steps": (),
        "state_th": STATE_TH,
        "fill_forms": FILL_FORMS,
        "own_erasure": own_erasure(reader, ledger),  # a record owner's record erased: told so
    }
    officer = Role.LAO_HR_OFFICER in session.enrolment.roles
    if not officer and is_certifier(session.enrolment):
        return RedirectResponse("/app/certify", status_code=303)  # their worklist
    if officer and session.enrolment.scope.level == "lao" and reader.may(*HOME_KINDS):
        todo = hr_todo(reports, ledger, reader, scope, day)
        context |= {"todo": todo, "steps": todo.steps}
    elif reader.may(DataKind.PERSONNEL):
        context["steps"] = reports.worklist(scope, reader.roles, day).items
    return render(request, "home.html", context, session=session)
