"""Certification worklists: what waits for the caller, by role, in their scope.

``GET /worklist`` answers, for each of the caller's roles that takes a certification step (the
LAO's HR officer submits, a superior reviews, the head certifies, the province verifies and
reports, DLA accepts), the cycles waiting for that step: the cycle, the LAO, the stage, its
deadline and whether it is overdue, and the snapshot the step names
(``projections.reports.worklist``). A role that takes no step (e-Plan staff, auditors, the
committees' secretary) gets an empty list; certification states are ``personnel`` data, so a
role that does not read them (a record owner) is refused, 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.dates import HumanDate
from api.deps import ReaderDep, ReportsDep, ScopeDep
from api.downloads import FormatQuery, TableFormat, answers, respond
from api.errors import problem_responses
from api.report_models import WorklistOut
from ledger.domain.reading import DataKind

router = APIRouter(tags=["certification"], responses=problem_responses(400, 401, 403))


@router.get("/worklist", response_model=None, responses=answers(WorklistOut))
def read_worklist(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    as_of: Annotated[
        HumanDate | None, Query(description="Overdue as of this day (default: today)")
    ] = None,
    format: FormatQuery = TableFormat.JSON,
) -> Response:
    """The certification steps waiting for the caller's roles in their scope, overdue first."""
    reader.require(DataKind.PERSONNEL)
    return respond(reports.worklist(scope, reader.roles, as_of), format)
