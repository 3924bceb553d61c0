"""The caller's own share: who read their ก.พ.๗ record (PDPA).

A record owner (or anyone enrolled) sees the access log of the records that carry their own
citizen ID (a record owner enrolled by her record: of that record): who read them, when,
through which endpoint and which kinds of data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AccessLogDep, ReportsDep, SessionDep
from api.errors import problem_responses

router = APIRouter(prefix="/me", tags=["me"], responses=problem_responses(400, 401))


@router.get("/access-log")
def read_my_access_log(
    session: SessionDep,
    reports: ReportsDep,
    log: AccessLogDep,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many reads")] = 1000,
) -> list[dict[str, Any]]:
    """Every logged read of the caller's own records, newest first."""
    enrolment = session.enrolment
    if enrolment.record is not None:
        mine = [enrolment.record]
    else:
        mine = reports.records_of_citizen(enrolment.cid) if enrolment.cid is not None else []
    return [entry.as_json() for entry in log.of_records(mine, limit=limit)]
