"""The HR officer's reads of the personnel record (ก.พ.๗): one person's full record by section,
now or as of a date on either time axis.

Access (``api.access.Reader``): the roles must read personal and salary data (else 403); a
record outside the caller's scope, or another's record for a record owner, is 404; leave and
discipline are health data, shown only to roles that read health (otherwise named as withheld).
Every read is appended to the record's access log with the kinds it returned.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import LedgerDep, ReaderDep, ReportsDep
from api.downloads import respond
from api.errors import problem_responses
from api.routes.registry import RECORD_KINDS, RecordedAt, ValidOn, require_record
from ledger.domain.reading import DataKind

router = APIRouter(tags=["records"], responses=problem_responses(400, 401, 403, 404))


@router.get("/records/{stream_id}", response_model=None)
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
