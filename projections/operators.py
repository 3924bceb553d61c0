"""The operators a reader may see: enrolments and revocations from the operator registry.

The registry (``ledger.domain.operators``) is one stream per ledger, replayed by the ledger
and kept current. A reader sees the operators whose scope lies within their own (a provincial
auditor: that province's operators and its LAOs'; the system key and national operators only
to national readers), in order of enrolment. Pending enrolment requests are not here: a
request is a file the operator hands the admin face to face (``card.enrolment``), never
stored by the ledger until the admin signs ``OperatorEnrolled``.
"""

from __future__ import annotations

from ledger.application import Ledger
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import ROLE_TH, Role, Scope

STATUS_TH = {"active": "ใช้งาน", "revoked": "เพิกถอนแล้ว"}
"""Each key status's Thai name."""


def operators_within(ledger: Ledger, scope: Scope) -> list[Enrolment]:
    """Every key enrolled in ``scope``, revoked ones included, oldest first."""
    registry = ledger.registry(refresh=True)
    if registry is None:
        return []
    found = [item for item in registry.enrolments() if scope.covers(item.scope)]
    return sorted(found, key=lambda item: (item.enrolled_at, item.key_id))


def status(enrolment: Enrolment) -> str:
    """``active`` or ``revoked``."""
    return "revoked" if enrolment.is_revoked else "active"


def roles_th(roles: frozenset[Role]) -> list[str]:
    """The roles' Thai names, in the order of their codes."""
    return [ROLE_TH[role] for role in sorted(roles)]


__all__ = ["STATUS_TH", "operators_within", "roles_th", "status"]
