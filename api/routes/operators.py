"""The operator registry out: who holds which key, with which roles and scope, since when,
enrolled and revoked by which key (``GET /operators``).

Enrolments are ``DataKind.OPERATORS`` (DLA administrators and auditors, within their scope).
An operator's citizen ID is personal data: it is shown only to a caller whose roles also read
``personal`` data, and such a read is written to the access log under the registry's stream
(operators are people too; the access log is kept per stream, and the registry is the stream
that names them). Admins enrol and revoke with signed ``OperatorEnrolled`` and
``OperatorKeyRevoked`` statements over ``POST /statements``, as every change is made.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import LedgerDep, ReaderDep
from api.errors import problem_responses
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import ROLE_TH
from ledger.domain.reading import DataKind
from projections.operators import STATUS_TH, operators_within, status

router = APIRouter(tags=["operators"], responses=problem_responses(401, 403))


class RoleOut(BaseModel):
    code: str
    th: str


class ScopeOut(BaseModel):
    level: str
    province: str | None
    lao: str | None
    th: str


class OperatorOut(BaseModel):
    """One enrolled key; ``cid`` (``record`` for a record owner enrolled by her personnel
    record) and ``revocation_reason`` only for readers of personal data."""

    key_id: str
    cid: str | None = None
    record: UUID | None = None
    roles: list[RoleOut]
    scope: ScopeOut
    key_storage: str
    status: str
    status_th: str
    enrolled_at: datetime
    enrolled_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_reason: str | None = None

    @classmethod
    def of(cls, enrolment: Enrolment, *, personal: bool) -> OperatorOut:
        scope = enrolment.scope
        return cls(
            key_id=enrolment.key_id,
            cid=enrolment.cid if personal else None,
            record=enrolment.record if personal else None,
            roles=[RoleOut(code=role, th=ROLE_TH[role]) for role in sorted(enrolment.roles)],
            scope=ScopeOut(
                level=scope.level, province=scope.province, lao=scope.lao, th=scope.describe_th()
            ),
            key_storage=enrolment.key_storage.kind,
            status=status(enrolment),
            status_th=STATUS_TH[status(enrolment)],
            enrolled_at=enrolment.enrolled_at,
            enrolled_by=enrolment.enrolled_by,
            revoked_at=enrolment.revoked_at,
            revoked_by=enrolment.revoked_by,
            revocation_reason=enrolment.revocation_reason if personal else None,
        )


@router.get("/operators")
def read_operators(ledger: LedgerDep, reader: ReaderDep) -> list[OperatorOut]:
    """Every key enrolled within the caller's scope, revoked ones too, oldest first."""
    reader.require(DataKind.OPERATORS)
    personal = reader.may(DataKind.PERSONAL)
    found = operators_within(ledger, reader.session.enrolment.scope)
    if personal and found:
        reader.logged([ledger.registry_id], [DataKind.PERSONAL])
    return [OperatorOut.of(item, personal=personal) for item in found]
