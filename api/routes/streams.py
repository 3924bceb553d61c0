"""Streams out: a stream's signed events, for callers whose scope covers the stream."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import LedgerDep, SessionDep
from api.errors import problem_responses
from api.schemas import EventOut

router = APIRouter(
    prefix="/streams", tags=["streams"], responses=problem_responses(400, 401, 403, 404)
)


@router.get("/{stream_id}/events")
def read_stream_events(stream_id: UUID, ledger: LedgerDep, session: SessionDep) -> list[EventOut]:
    """Every event of the stream, as signed, if the caller's scope covers the stream's scope."""
    session.require_scope(ledger.aggregate(stream_id).read_scope(), f"reading stream {stream_id}")
    return [EventOut.of(event) for event in ledger.stream_events(stream_id)]
