"""The caller's own share: who read their ก.พ.๗ record (PDPA).

A record owner (or anyone enrolled) sees the access log of the records that carry their own
citizen ID: who read them, when, through which endpoint and which kinds of data.
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
    mine = reports.records_of_citizen(session.enrolment.cid)
    return [entry.as_json() for entry in log.of_records(mine, limit=limit)]
