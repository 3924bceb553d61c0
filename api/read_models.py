"""What the read routes share: the views, the caller's scope, and downloads.

* ``ProjectionsDep``: the ledger's views (``projections.views.catalogue.Projections``),
  opened on first use and kept on ``app.state``; each request first applies what the log holds
  beyond the views' positions (cheap when nothing is new), so a client reads its own writes.
* ``ScopeDep``: the filter a read is confined to. A national caller sees everything (and may
  narrow by province or LAO); a provincial caller its province's LAOs; an LAO's caller its own
  LAO. Asking outside the scope is ``ForbiddenError`` (403), never an empty answer.
* ``download``: a table as CSV or XLSX with the right media type and a file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep, SessionDep
from ledger.domain.permissions import Scope
from ledger.errors import ForbiddenError
from projections.reports.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, table_csv, table_xlsx
from projections.views.catalogue import Projections


def get_projections(request: Request, ledger: LedgerDep) -> Projections:
    """The app's views, current with the log."""
    projections: Projections | None = getattr(request.app.state, "projections", None)
    if projections is None or projections.ledger is not ledger:
        if projections is not None:
            projections.close()
        projections = Projections.open(ledger)
        request.app.state.projections = projections
    projections.refresh()
    return projections


ProjectionsDep = Annotated[Projections, Depends(get_projections)]


def close_projections(state: Any) -> None:
    """Close the views' connection (at shutdown)."""
    projections: Projections | None = getattr(state, "projections", None)
    if projections is not None:
        projections.close()
        state.projections = None


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The LAO and province a read is confined to (None: not narrowed on that level)."""

    lao: str | None
    province: str | None


def read_scope(
    session: SessionDep,
    province: Annotated[str | None, Query(description="Only this province")] = None,
    lao: Annotated[
        str | None, Query(pattern=r"^\d{7}$", description="Only this LAO (DLA code)")
    ] = None,
) -> ReadScope:
    """The caller's scope, narrowed by the query; a query outside the scope is refused."""
    scope = session.enrolment.scope
    if scope.level == "lao":
        if (lao is not None and lao != scope.lao) or (
            province is not None and province != scope.province
        ):
            raise _outside(scope, lao, province)
        return ReadScope(lao=scope.lao, province=scope.province)
    if scope.level == "province":
        if province is not None and province != scope.province:
            raise _outside(scope, lao, province)
        return ReadScope(lao=lao, province=scope.province)
    return ReadScope(lao=lao, province=province)


def _outside(scope: Scope, lao: str | None, province: str | None) -> ForbiddenError:
    asked = " ".join(part for part in (province, lao) if part) or "everything"
    return ForbiddenError("read", f"the caller's scope ({scope.describe()}) does not cover {asked}")


ScopeDep = Annotated[ReadScope, Depends(read_scope)]


def require_stream_scope(session: SessionDep, ledger: LedgerDep, stream: UUID) -> None:
    """The caller's scope must cover the stream's (as ``GET /streams/{id}/events`` checks)."""
    session.require_scope(ledger.aggregate(stream).read_scope(), f"reading {stream}")


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


FormatQuery = Annotated[TableFormat, Query(description="json, or a csv or xlsx download")]


def download(
    name: str, format: TableFormat, columns: list[str], rows: list[dict[str, Any]]
) -> Response:
    """Rows as a CSV or XLSX attachment named ``<name>.<format>``."""
    if format is TableFormat.XLSX:
        content, media_type = table_xlsx(name, columns, rows), XLSX_MEDIA_TYPE
    else:
        content, media_type = table_csv(columns, rows), CSV_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format.value}"'},
    )


def table(
    name: str, format: TableFormat, rows: list[dict[str, Any]], columns: list[str] | None = None
) -> Response | list[dict[str, Any]]:
    """JSON rows, or the same rows as a download."""
    if format is TableFormat.JSON:
        return rows
    return download(name, format, columns or (list(rows[0]) if rows else []), rows)
