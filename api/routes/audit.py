"""The auditor's reads: the signed log in order, and offline audit bundles.

Both carry every kind of data the ledger holds (``DataKind.AUDIT``): only roles that read the
signed log (auditors, DLA administrators) get them, and only within their scope. What they
show of personnel records is written to those records' access logs (PDPA).

``GET /log?after=N&limit=M`` answers a window of ``limit`` log positions after ``after``
(``projections.signed_log``): the events in it whose stream the caller's scope covers, and
``next_after``, the last position examined; a caller with a narrow scope pages through the
gaps (an empty ``events`` with ``next_after`` moving on) until ``next_after`` reaches
``log_end``.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import LedgerDep, ReaderDep
from api.errors import problem_responses
from api.paging import PageDep
from api.schemas import EventOut
from ledger.domain.reading import PERSON_KINDS, DataKind
from projections.signed_log import read_log_page

router = APIRouter(tags=["audit"], responses=problem_responses(400, 401, 403, 404))


class LogPageOut(BaseModel):
    """One window of the log: its visible events, where the next starts, where the log ends."""

    events: list[EventOut]
    next_after: int = Field(description="The last position examined: the next page's after")
    log_end: int = Field(description="The last position recorded when the page was read")


@router.get("/log")
def read_log(page: PageDep, ledger: LedgerDep, reader: ReaderDep) -> LogPageOut:
    """Signed events in log order, limited to the caller's scope (logged as a read of the
    personnel records they show)."""
    reader.require(DataKind.AUDIT)
    found = read_log_page(ledger, reader.session.enrolment.scope, page.after, page.limit)
    reader.logged(found.records, PERSON_KINDS)
    return LogPageOut(
        events=[EventOut.of(event) for event in found.events],
        next_after=found.next_after,
        log_end=found.log_end,
    )
