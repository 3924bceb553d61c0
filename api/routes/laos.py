"""An LAO's certification data: the snapshot of its records now, and what a submitted snapshot
covers, with any record's inclusion proof (docs/domain.md, "The snapshot").

Reads need a session whose scope covers the LAO (``api.deps.LaoDep``: otherwise 404). The HR
officer reads ``/laos/{code}/snapshot`` to fill a ``LaoDataSubmitted`` (position, root, record
count); a certifier reads ``/laos/{code}/snapshots/{root}`` to see which records, at which
versions, the root they certify covers, and ``?record=<stream>`` for one record's RFC 9162
inclusion proof, which ``ledger.merkle.verify_inclusion`` checks against the root.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from api.deps import LaoDep, LedgerDep, ReportsDep
from api.errors import problem_responses
from api.schemas import SnapshotInclusionOut, SnapshotOut, SubmittedSnapshotOut
from ledger.errors import NotInitialisedError

router = APIRouter(
    prefix="/laos", tags=["certification"], responses=problem_responses(400, 401, 404)
)

Root = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="A snapshot root (hex)")]
Record = Annotated[
    UUID | None, Query(description="A covered record's stream: answer its inclusion proof")
]


@router.get("/{code}/snapshot")
def read_snapshot(code: LaoDep, ledger: LedgerDep) -> SnapshotOut:
    """The LAO's snapshot at the log's end now: the position, root and record count a
    submission names."""
    snapshot = ledger.snapshot(code)
    if snapshot is None:  # the log's end is always reached
        raise NotInitialisedError
    return SnapshotOut.of(snapshot)


@router.get("/{code}/snapshots/{root}")
def read_submitted_snapshot(
    code: LaoDep, root: Root, reports: ReportsDep, record: Record = None
) -> SubmittedSnapshotOut | SnapshotInclusionOut:
    """What the snapshot a submission of the LAO named covers (each record's stream, version
    and event hash, at the submission's position), or one record's inclusion proof."""
    found = reports.submitted_snapshot(code, root)
    if record is None:
        return SubmittedSnapshotOut.of_submitted(found)
    return SnapshotInclusionOut.of_record(found, record)
