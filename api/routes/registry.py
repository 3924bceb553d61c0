"""The registry out: personnel records now or as of a date (valid or transaction time), one
record as of a date, its audit trail, positions with their occupancy, organizations.

Reads need a session and are confined to the caller's scope (``api.read_models``). A date
query (``valid_on``, ``recorded_at``) switches the registry from "now" to "as of".
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import LedgerDep, SessionDep
from api.errors import problem_responses
from api.read_models import (
    FormatQuery,
    ProjectionsDep,
    ScopeDep,
    TableFormat,
    require_stream_scope,
    table,
)
from ledger.errors import StreamNotFoundError
from projections.views.audit_trail import AuditEntry, audit_trail
from projections.views.organizations import OrganizationRow, organizations
from projections.views.positions import Occupancy, PositionRow, occupancy, positions
from projections.views.registry import RegistryEntry, current_registry, registry_as_of

router = APIRouter(tags=["registry"], responses=problem_responses(400, 401, 403, 404))

ValidOn = Annotated[
    date | None, Query(description="As of this valid date (the orders' effective dates)")
]
RecordedAt = Annotated[
    datetime | None,
    Query(description="As the ledger knew it at this moment (transaction time, ISO 8601)"),
]
Status = Annotated[list[str] | None, Query(description="Only these employment statuses")]

REGISTRY_COLUMNS = [f.name for f in fields(RegistryEntry)]


@router.get("/registry", response_model=None)
def read_registry(
    projections: ProjectionsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
    valid_on: ValidOn = None,
    recorded_at: RecordedAt = None,
    category: Annotated[str | None, Query(description="official, teacher...")] = None,
    status: Status = None,
) -> Response | list[dict[str, Any]]:
    """Personnel records now, or as of ``valid_on`` and/or ``recorded_at``."""
    with projections.read() as cursor:
        tables = projections.tables("registry")
        if valid_on is None and recorded_at is None:
            entries = current_registry(
                cursor, tables, lao=scope.lao, province=scope.province, category=category
            )
        else:
            entries = registry_as_of(
                cursor,
                tables,
                valid=valid_on,
                recorded=recorded_at,
                lao=scope.lao,
                province=scope.province,
            )
    rows = [
        entry.as_json()
        for entry in entries
        if (category is None or entry.category == category)
        and (status is None or entry.status in status)
    ]
    return table("registry", format, rows, REGISTRY_COLUMNS)


@router.get("/registry/{stream_id}")
def read_record(
    stream_id: UUID,
    projections: ProjectionsDep,
    ledger: LedgerDep,
    session: SessionDep,
    valid_on: ValidOn = None,
    recorded_at: RecordedAt = None,
) -> dict[str, Any]:
    """One record, now or as of a valid date and/or a transaction time."""
    require_stream_scope(session, ledger, stream_id)
    with projections.read() as cursor:
        tables = projections.tables("registry")
        if valid_on is None and recorded_at is None:
            found = current_registry(cursor, tables, streams=[str(stream_id)])
        else:
            found = registry_as_of(
                cursor, tables, valid=valid_on, recorded=recorded_at, streams=[str(stream_id)]
            )
    if not found:
        raise StreamNotFoundError(f"{stream_id} (no record in the registry as of that date)")
    return found[0].as_json() | {
        "valid_on": None if valid_on is None else valid_on.isoformat(),
        "recorded_at": None if recorded_at is None else recorded_at.isoformat(),
    }


@router.get("/registry/{stream_id}/audit", response_model=None)
def read_audit_trail(
    stream_id: UUID,
    projections: ProjectionsDep,
    ledger: LedgerDep,
    session: SessionDep,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Every event of the stream: actor, role, effective and recorded time, legal reference,
    and its signature checked against the stored bytes."""
    require_stream_scope(session, ledger, stream_id)
    with projections.read() as cursor:
        trail = audit_trail(cursor, projections.tables("audit"), ledger, stream_id)
    return table(
        f"audit-{stream_id}",
        format,
        [entry.as_json() for entry in trail],
        [f.name for f in fields(AuditEntry)],
    )


@router.get("/positions", response_model=None)
def read_positions(
    projections: ProjectionsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Positions of the frame with their status and holder."""
    with projections.read() as cursor:
        found = positions(
            cursor, projections.tables("positions"), lao=scope.lao, province=scope.province
        )
    return table(
        "positions", format, [p.as_json() for p in found], [f.name for f in fields(PositionRow)]
    )


@router.get("/positions/occupancy", response_model=None)
def read_occupancy(
    projections: ProjectionsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """Per LAO: the frame, occupied and vacant positions, frozen and abolished ones."""
    with projections.read() as cursor:
        found = occupancy(
            cursor, projections.tables("positions"), lao=scope.lao, province=scope.province
        )
    return table(
        "occupancy",
        format,
        [o.as_json() for o in found],
        [*(f.name for f in fields(Occupancy)), "vacancy_rate"],
    )


@router.get("/organizations", response_model=None)
def read_organizations(
    projections: ProjectionsDep,
    scope: ScopeDep,
    format: FormatQuery = TableFormat.JSON,
) -> Response | list[dict[str, Any]]:
    """LAOs with their type, district and open units, in report order."""
    with projections.read() as cursor:
        found = organizations(
            cursor, projections.tables("organizations"), province=scope.province, code=scope.lao
        )
    return table(
        "organizations",
        format,
        [o.as_json() for o in found],
        [f.name for f in fields(OrganizationRow)],
    )
