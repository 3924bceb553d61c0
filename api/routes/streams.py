"""Streams out: a stream's signed events, for callers whose scope covers the stream, and its
head, what a new statement on it signs against."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import LedgerDep, ReaderDep, SessionDep
from api.errors import problem_responses
from api.schemas import EventOut, StreamHeadOut

router = APIRouter(
    prefix="/streams", tags=["streams"], responses=problem_responses(400, 401, 403, 404)
)


@router.get("/{stream_id}/events")
def read_stream_events(stream_id: UUID, ledger: LedgerDep, session: SessionDep) -> list[EventOut]:
    """Every event of the stream, as signed, if the caller's scope covers the stream's scope."""
    session.require_scope(ledger.aggregate(stream_id).read_scope(), f"reading stream {stream_id}")
    return [EventOut.of(event) for event in ledger.stream_events(stream_id)]


@router.get("/{stream_id}/head")
def read_stream_head(stream_id: UUID, ledger: LedgerDep, reader: ReaderDep) -> StreamHeadOut:
    """The stream's version and last hash (a new statement's ``expected_version`` and
    ``prev_hash``) and its kind. It names no one, so any role may ask, within its scope (a
    record owner: their own record); outside it, or for a stream not opened, 404."""
    aggregate = ledger.aggregate(stream_id)
    reader.require_stream(aggregate, owner_cid=getattr(aggregate, "cid", None))
    version, head_hash = ledger.head(stream_id)
    return StreamHeadOut(
        stream=stream_id, version=version, hash=head_hash, kind=type(aggregate).__name__
    )
