"""The HR officer's reads of the personnel record (ก.พ.๗): finding people by citizen ID or name
within the caller's scope, and one person's full record by section, now or as of a date on
either time axis.

Access (``api.access.Reader``): the roles must read personal and salary data (else 403); a
record outside the caller's scope, or another's record for a record owner, is 404; leave and
discipline are health data, shown only to roles that read health (otherwise named as withheld).
Every read is appended to the record's access log with the kinds it returned; a search logs each
record it returns (names and citizen IDs are personal data). Query parameters a route does not
take are refused (``api.queries``). ``POST /records/search`` takes the citizen ID or name in a
JSON body: a URL's query is written to access logs and browser history (``api.server_log``).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import LedgerDep, ReaderDep, ReportsDep, ScopeDep
from api.downloads import answers, respond
from api.errors import problem_responses
from api.paging import PageRangeError
from api.queries import KNOWN_QUERY
from api.report_models import Kp7Out, RecordSearchOut
from api.routes.registry import RECORD_KINDS, RecordedAt, ValidOn, require_record
from ledger.domain.reading import DataKind
from ledger.domain.search import NO_CRITERION, QueryError, read_cid, read_name
from ledger.violations import Violation

router = APIRouter(
    tags=["records"],
    responses=problem_responses(400, 401, 403, 404),
    dependencies=[KNOWN_QUERY],
)

MAX_SIZE = 100
"""The most people one page names."""
MAX_PAGES = 2**31
"""The last page one may ask for (its offset fits the databases' integers)."""
SEARCH_KINDS = (DataKind.PERSONAL,)
"""What a search returns of a person: citizen ID and name, and where and what they are now
(category, status, position title: no salary)."""

Cid = Annotated[
    str | None,
    Query(max_length=40, description="Citizen ID, exact (Thai digits, spaces, dashes accepted)"),
]
Name = Annotated[
    str | None,
    Query(
        max_length=200,
        description="First and/or last name, Thai or English: each word a prefix, case and "
        "Thai tone marks ignored",
    ),
]


class RecordSearchIn(BaseModel):
    """``POST /records/search``: the criteria in the body, so that no citizen ID or name is in
    the URL (which servers, proxies and browsers log and keep)."""

    model_config = ConfigDict(extra="forbid")

    cid: str | None = Field(
        default=None, max_length=40, description="Citizen ID, exact (Thai digits, spaces, dashes)"
    )
    name: str | None = Field(
        default=None,
        max_length=200,
        description="First and/or last name: each word a prefix, case and tone marks ignored",
    )
    page: int = Field(default=1, description="Page number, from 1")
    size: int = Field(default=20, description=f"People per page (1 to {MAX_SIZE})")


@router.post(
    "/records/search", response_model=None, responses=answers(RecordSearchOut, drawn=False)
)
def search_records(
    reports: ReportsDep, reader: ReaderDep, scope: ScopeDep, criteria: RecordSearchIn
) -> Response:
    """People within the caller's scope (narrowed by ``province`` and ``lao`` in the query) by
    the citizen ID and/or name in the JSON body: the same answer as ``GET /records``, which
    stays for old clients but puts the citizen ID or name in the URL. Each record returned is
    logged in its access log."""
    return _found(reports, reader, scope, criteria)


@router.get("/records", response_model=None, responses=answers(RecordSearchOut, drawn=False))
def find_records(
    reports: ReportsDep,
    reader: ReaderDep,
    scope: ScopeDep,
    cid: Cid = None,
    name: Name = None,
    page: Annotated[int, Query(description="Page number, from 1")] = 1,
    size: Annotated[int, Query(description=f"People per page (1 to {MAX_SIZE})")] = 20,
) -> Response:
    """People within the caller's scope (narrowed by ``province`` and ``lao``) by citizen ID
    and/or name, in the Thai order of first and last names, a page at a time; a record owner
    finds only their own record. Each record returned is logged in its access log. Prefer
    ``POST /records/search``: a query string is logged and kept wherever the URL goes."""
    criteria = RecordSearchIn(cid=cid, name=name, page=page, size=size)
    return _found(reports, reader, scope, criteria)


def _found(
    reports: ReportsDep, reader: ReaderDep, scope: ScopeDep, criteria: RecordSearchIn
) -> Response:
    reader.require(*SEARCH_KINDS)
    cid, name, page, size = criteria.cid, criteria.name, criteria.page, criteria.size
    if cid is None and name is None:
        raise QueryError(Violation(NO_CRITERION, "query"))
    if not 1 <= page <= MAX_PAGES:
        raise PageRangeError("page", 1, MAX_PAGES)
    if not 1 <= size <= MAX_SIZE:
        raise PageRangeError("size", 1, MAX_SIZE)
    found = reports.find(
        scope,
        cid=None if cid is None else read_cid(cid),
        name=None if name is None else read_name(name),
        owner=reader.owner,
        page=page,
        size=size,
    )
    answer = respond(found)
    reader.logged([UUID(stream) for stream in found.streams], SEARCH_KINDS)
    return answer


@router.get("/records/{stream_id}", response_model=None, responses=answers(Kp7Out, drawn=False))
def read_kp7(
    stream_id: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    reader: ReaderDep,
    valid_on: ValidOn = None,
    as_of: RecordedAt = None,
) -> Response:
    """The person's ก.พ.๗: the registry's line of the record, then every section with its
    entries (Thai labels beside the codes, dates in พ.ศ. beside ISO), each entry with its signer
    (key, roles, signature check), effective date, recorded time and its corrections and void;
    now, or as of ``valid_on`` (the orders' effective dates) and/or ``as_of`` (what the ledger
    knew then)."""
    require_record(reader, ledger, stream_id)
    health = reader.may(DataKind.HEALTH)
    answer = respond(reports.kp7(stream_id, valid_on=valid_on, recorded_at=as_of, health=health))
    reader.logged([stream_id], (*RECORD_KINDS, DataKind.HEALTH) if health else RECORD_KINDS)
    return answer
