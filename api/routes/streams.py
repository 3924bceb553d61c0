"""Streams out: a stream's signed events, for callers whose scope covers the stream, and its
head, what a new statement on it signs against."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import LedgerDep, ReaderDep
from api.errors import problem_responses
from api.schemas import EventOut, StreamHeadOut
from ledger.domain.eplan import DevelopmentPlan, PlanProject, Subsidy
from ledger.domain.operators import OperatorRegistry
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.reading import PERSON_KINDS, DataKind
from ledger.domain.signed import SignedAggregate

router = APIRouter(
    prefix="/streams", tags=["streams"], responses=problem_responses(400, 401, 403, 404)
)


@router.get("/{stream_id}/events")
def read_stream_events(stream_id: UUID, ledger: LedgerDep, reader: ReaderDep) -> list[EventOut]:
    """Every event of the stream, as signed. The statements carry everything the stream
    holds, so the caller reads the signed log (auditors, DLA) or every kind of data the stream
    holds (a record's events: personal, salary and health data; the read is logged); outside
    the caller's share, or for a stream not opened, 404."""
    aggregate = reader.require_visible(ledger, stream_id, owner=True)
    kinds = PERSON_KINDS if aggregate is None else kinds_held(aggregate)  # None: erased
    if not reader.may(DataKind.AUDIT):
        reader.require(*kinds)
    events = [EventOut.of(event) for event in ledger.stream_events(stream_id)]
    reader.logged([stream_id], kinds)
    return events


def kinds_held(aggregate: SignedAggregate) -> frozenset[DataKind]:
    """The kinds of data a stream's statements hold, by the kind of stream."""
    if isinstance(aggregate, PersonnelRecord):
        return PERSON_KINDS
    if isinstance(aggregate, OperatorRegistry):
        return frozenset({DataKind.OPERATORS})
    if isinstance(aggregate, (DevelopmentPlan, PlanProject, Subsidy)):
        return frozenset({DataKind.EPLAN})
    return frozenset({DataKind.PERSONNEL})


@router.get("/{stream_id}/head")
def read_stream_head(stream_id: UUID, ledger: LedgerDep, reader: ReaderDep) -> StreamHeadOut:
    """The stream's version and last hash (a new statement's ``expected_version`` and
    ``prev_hash``) and its kind. It names no one, so any role may ask, within its scope (a
    record owner: their own record); outside it, or for a stream not opened, 404."""
    aggregate = reader.require_visible(ledger, stream_id, owner=True)
    version, head_hash = ledger.head(stream_id)
    return StreamHeadOut(
        stream=stream_id,
        version=version,
        hash=head_hash,
        kind="PersonnelRecord" if aggregate is None else type(aggregate).__name__,  # None: erased
    )
