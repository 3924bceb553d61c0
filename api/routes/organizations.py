"""LAOs and their positions by the keys people use: the 7-digit DLA code (รหัส อปท.) and the
position number (เลขที่ตำแหน่ง).

An LAO outside the caller's scope, or one the ledger does not know, is 404 (``api.deps.LaoDep``).
A position's occupant is personal data: shown (and logged in the occupant's access log) only to
roles that read personal data; others get the position with its occupant withheld.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import LaoDep, ReaderDep, ReportsDep
from api.downloads import answers, respond
from api.errors import problem_responses
from api.queries import KNOWN_QUERY
from api.report_models import OrganizationOut, PositionOut
from ledger.domain.reading import DataKind
from projections.reports.organization import unit_json

router = APIRouter(
    prefix="/organizations",
    tags=["registry"],
    responses=problem_responses(400, 401, 403, 404),
    dependencies=[KNOWN_QUERY],
)

Number = Annotated[str, Path(max_length=40, description="The position number (เลขที่ตำแหน่ง)")]


@router.get("/{code}", response_model=None, responses=answers(OrganizationOut, drawn=False))
def read_organization(code: LaoDep, reports: ReportsDep, reader: ReaderDep) -> Response:
    """The LAO: its Thai name, province, district, type (with its Thai name) and its units."""
    reader.require(DataKind.PERSONNEL)
    return respond(reports.organization(code))


@router.get("/{code}/units")
def read_units(code: LaoDep, reports: ReportsDep, reader: ReaderDep) -> list[dict[str, object]]:
    """The LAO's units (divisions, schools, child development centres), open ones first."""
    reader.require(DataKind.PERSONNEL)
    return [unit_json(unit) for unit in reports.organization(code).units]


@router.get(
    "/{code}/positions/{number}", response_model=None, responses=answers(PositionOut, drawn=False)
)
def read_position(code: LaoDep, number: Number, reports: ReportsDep, reader: ReaderDep) -> Response:
    """A position of the LAO's frame (title, line, level, status) and its occupant now, if
    any; the occupant's read is logged in their access log."""
    reader.require(DataKind.PERSONNEL)
    personal = reader.may(DataKind.PERSONAL)
    found = reports.position(code, number, occupant=personal)
    answer = respond(found)
    if found.occupant is not None:
        reader.logged([UUID(found.occupant.stream)], [DataKind.PERSONAL])
    return answer
