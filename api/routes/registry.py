"""The registry out: personnel records now or as of a date (valid or transaction time), one
record as of a date, its audit trail, positions with their occupancy, organizations.

Reads need a session and are confined to the caller's scope (``api.deps.ScopeDep``); a query
parameter a route does not take is refused (``api.queries``), never ignored. A date
query (``valid_on``, ``recorded_at``) switches the registry from "now" to "as of". Each route is
one call of the reports (``projections.reports.facade``) and its drawing (``api.downloads``).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.access import Reader
from api.dates import HumanDate, HumanMoment
from api.deps import LedgerDep, ReaderDep, ReportsDep, ScopeDep
from api.downloads import FormatQuery, LangQuery, TableFormat, answers, respond
from api.errors import problem_responses
from api.queries import KNOWN_QUERY
from api.report_models import (
    AuditTrailRowOut,
    OccupancyRowOut,
    OrganizationRowOut,
    PositionRowOut,
    RecordAsOfOut,
    RegistryRowOut,
)
from ledger.application import Ledger
from ledger.domain.employment import EmploymentStatus
from ledger.domain.reading import DataKind
from ledger.domain.record_entries import StaffCategory
from ledger.domain.signed import SignedAggregate
from ledger.vault_keys import ErasedError
from projections.reports.labels import Lang
from projections.reports.organization import holders_withheld

router = APIRouter(
    tags=["registry"],
    responses=problem_responses(400, 401, 403, 404),
    dependencies=[KNOWN_QUERY],
)

ValidOn = Annotated[
    HumanDate | None, Query(description="As of this valid date (the orders' effective dates)")
]
RecordedAt = Annotated[
    HumanMoment | None,
    Query(
        description="As the ledger knew it at this moment (transaction time): ISO 8601, or a "
        "date meaning the end of that day"
    ),
]
Status = Annotated[
    list[EmploymentStatus] | None, Query(description="Only these employment statuses")
]


@router.get("/registry", response_model=None, responses=answers(list[RegistryRowOut]))
def read_registry(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
    valid_on: ValidOn = None,
    recorded_at: RecordedAt = None,
    category: Annotated[StaffCategory | None, Query(description="official, teacher...")] = None,
    status: Status = None,
) -> Response:
    """Personnel records now, or as of ``valid_on`` and/or ``recorded_at`` (citizen IDs,
    names, salaries: for roles that read them; each record listed is logged)."""
    reader.require(*RECORD_KINDS)
    registry = reports.registry(
        scope, valid_on=valid_on, recorded_at=recorded_at, category=category, statuses=status
    )
    return respond(reader.naming_people(registry, *RECORD_KINDS), format, lang)


RECORD_KINDS = (DataKind.PERSONAL, DataKind.SALARY)
"""What a record's summary and its audit trail show of a person."""


@router.get(
    "/registry/{stream_id}", response_model=None, responses=answers(RecordAsOfOut, drawn=False)
)
def read_record(
    stream_id: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    reader: ReaderDep,
    valid_on: ValidOn = None,
    recorded_at: RecordedAt = None,
) -> Response:
    """One record, now or as of a valid date and/or a transaction time. The read is logged in
    the record's access log; outside the caller's share the record is not found (404)."""
    require_record(reader, ledger, stream_id)
    answer = respond(reports.record(stream_id, valid_on=valid_on, recorded_at=recorded_at))
    reader.logged([stream_id], RECORD_KINDS)
    return answer


@router.get(
    "/registry/{stream_id}/audit",
    response_model=None,
    responses=answers(list[AuditTrailRowOut]),
)
def read_audit_trail(
    stream_id: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    reader: ReaderDep,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Every event of the stream: actor, role, effective and recorded time, legal reference,
    and its signature checked against the stored bytes (logged like a read of the record)."""
    require_record(reader, ledger, stream_id)
    health = reader.may(DataKind.HEALTH)  # leave types and penalties: withheld otherwise
    answer = respond(reports.audit_trail(stream_id, health=health), format, lang)
    reader.logged([stream_id], (*RECORD_KINDS, DataKind.HEALTH) if health else RECORD_KINDS)
    return answer


def require_record(reader: Reader, ledger: Ledger, stream: UUID) -> SignedAggregate | None:
    """The caller may read the record (404 otherwise); its state, or None when its person is
    erased. An erased person's record cannot be replayed (its values are gone): its scope is
    read from the stream's custody events, so the registry and the ก.พ.๗ still show it, as
    erased (docs/personal-data.md)."""
    reader.require(*RECORD_KINDS)
    return reader.require_visible(ledger, stream, owner=True)


def require_live_record(reader: Reader, ledger: Ledger, stream: UUID) -> None:
    """``require_record`` for what adds to the record (a document uploaded for it): an erased
    person's is refused 410 ``person.erased`` (``ErasedError``), as a statement on it is, to a
    caller who may see it; anyone else gets the 404 of a record that does not exist."""
    if require_record(reader, ledger, stream) is None:
        raise ErasedError


@router.get("/positions", response_model=None, responses=answers(list[PositionRowOut]))
def read_positions(
    reports: ReportsDep,
    scope: ScopeDep,
    reader: ReaderDep,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Positions of the frame with their status and holder (the holder by name for roles that
    read personal data, and logged; withheld, with the day they took the post, from the
    others: a record id is the person's key elsewhere)."""
    found = reports.positions(scope)
    if not reader.may(DataKind.PERSONAL):
        found = holders_withheld(found)
    return respond(reader.naming_people(found), format, lang)


@router.get("/positions/occupancy", response_model=None, responses=answers(list[OccupancyRowOut]))
def read_occupancy(
    reports: ReportsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """Per LAO: the frame, occupied and vacant positions, frozen and abolished ones."""
    return respond(reports.occupancy(scope), format, lang)


@router.get("/organizations", response_model=None, responses=answers(list[OrganizationRowOut]))
def read_organizations(
    reports: ReportsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
    lang: LangQuery = Lang.TH,
) -> Response:
    """LAOs with their type, district and open units, in report order."""
    return respond(reports.organizations(scope), format, lang)
