"""The auditor's reads: the signed log in order, and offline audit bundles.

Both carry every kind of data the ledger holds (``DataKind.AUDIT``): only roles that read the
signed log (auditors, DLA administrators) get them, and only within their scope. What they
show of personnel records is written to those records' access logs (PDPA).

``GET /log?after=N&limit=M`` answers a window of ``limit`` log positions after ``after``
(``projections.signed_log``): the events in it whose stream the caller's scope covers, and
``next_after``, the last position examined; a caller with a narrow scope pages through the
gaps (an empty ``events`` with ``next_after`` moving on) until ``next_after`` reaches
``log_end``.

``GET /bundles/record/{id}`` and ``GET /bundles/lao/{code}`` answer the offline audit bundle
(``replay.bundles``) that ``ledger audit export`` would write: the same bytes but for the
header's ``exported_at``. A bundle holds whole streams and, to verify signatures offline, the
whole operator registry.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.access import Reader
from api.deps import LaoDep, LedgerDep, ReaderDep
from api.errors import problem_responses
from api.paging import PageDep
from api.schemas import EventOut
from ledger.application import Ledger
from ledger.domain.reading import PERSON_KINDS, DataKind
from projections.signed_log import personnel_records, read_log_page
from replay.bundles import Scope, build_bundle

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


BUNDLE_MEDIA_TYPE = "application/x-ndjson"
"""A bundle is RFC 8785 JSON objects, one per line (``replay.bundles``)."""


@router.get(
    "/bundles/record/{stream_id}",
    response_class=Response,
    responses={200: {"content": {BUNDLE_MEDIA_TYPE: {}}}},
)
def read_record_bundle(stream_id: UUID, ledger: LedgerDep, reader: ReaderDep) -> Response:
    """The offline audit bundle of one stream, byte for byte what ``ledger audit export
    --record`` writes; a stream outside the caller's scope is 404."""
    reader.require(DataKind.AUDIT)
    reader.require_visible(ledger, stream_id)
    return _bundle(ledger, reader, Scope("record", stream=stream_id), f"record-{stream_id}")


@router.get(
    "/bundles/lao/{code}",
    response_class=Response,
    responses={200: {"content": {BUNDLE_MEDIA_TYPE: {}}}},
)
def read_lao_bundle(code: LaoDep, ledger: LedgerDep, reader: ReaderDep) -> Response:
    """The offline audit bundle of every stream naming the LAO, byte for byte what ``ledger
    audit export --lao`` writes; an LAO outside the caller's scope is 404."""
    reader.require(DataKind.AUDIT)
    return _bundle(ledger, reader, Scope("lao", lao=code), f"lao-{code}")


def _bundle(ledger: Ledger, reader: Reader, scope: Scope, name: str) -> Response:
    """The bundle as a download; its personnel records' access logs note the read."""
    bundle = build_bundle(ledger.settings.database_url, ledger.name, scope)
    reader.logged(personnel_records(ledger, bundle.streams), PERSON_KINDS)
    return Response(
        bundle.data,
        media_type=BUNDLE_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.bundle"'},
    )
