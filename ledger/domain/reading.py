"""Who may read what: the read matrix, beside the write matrix (``ledger.domain.catalog``).

A reader's share is decided by three things: their role (which kinds of data), their scope
(which LAOs: their own, their province's, or all), and for a record owner, whose record (only
their own). Kinds of data, from the most to the least sensitive:

* ``health``: the reasons and kinds of leave that reveal health (sick, maternity,
  rehabilitation leave) and disciplinary penalties;
* ``personal``: what identifies a person or their family: citizen ID, names, birth date,
  address, family, photos, scans;
* ``salary``: salaries, allowances and the position-and-salary history;
* ``personnel``: facts about the workforce that name no one: counts, positions, vacancies,
  completeness and certification states, retirements by year;
* ``eplan``: development plans, projects, budgets, contracts, disbursements, subsidies;
* ``audit``: the signed log itself (statements, signatures, hashes, proofs, bundles) and who
  signed what; it carries every other kind, so it goes only to auditors and DLA;
* ``operators``: enrolments, keys and pending enrolment requests.

The API enforces the matrix on every read, and every read of a person's data (``personal``,
``salary``, ``health``) is written to the access log, which the person can read.
"""

from __future__ import annotations

from enum import StrEnum

from ledger.domain.permissions import Role


class DataKind(StrEnum):
    """A kind of data a read returns (see the module's docstring)."""

    HEALTH = "health"
    PERSONAL = "personal"
    SALARY = "salary"
    PERSONNEL = "personnel"
    EPLAN = "eplan"
    AUDIT = "audit"
    OPERATORS = "operators"


PERSON_KINDS = frozenset({DataKind.HEALTH, DataKind.PERSONAL, DataKind.SALARY})
"""Kinds that describe one person: reading them is logged in the person's access log."""

_RECORD = frozenset({DataKind.PERSONAL, DataKind.SALARY, DataKind.PERSONNEL})
_RECORD_AND_HEALTH = _RECORD | {DataKind.HEALTH}

READ_MATRIX: dict[Role, frozenset[DataKind]] = {
    Role.SYSTEM: frozenset(DataKind),
    # DLA runs the national registry and enrols operators; health details stay with the LAO.
    Role.DLA_ADMIN: _RECORD | {DataKind.EPLAN, DataKind.AUDIT, DataKind.OPERATORS},
    # The LAO's HR officer keeps the records, leave included.
    Role.LAO_HR_OFFICER: _RECORD_AND_HEALTH,
    # Superiors approve leave within their tier and review the LAO's submission.
    Role.LAO_SUPERIOR: _RECORD_AND_HEALTH,
    # The head certifies the records and approves the development plan.
    Role.LAO_HEAD: _RECORD_AND_HEALTH | {DataKind.EPLAN},
    # An owner reads their own record only (``may_read_record``).
    Role.RECORD_OWNER: frozenset({DataKind.PERSONAL, DataKind.SALARY, DataKind.HEALTH}),
    # The province verifies each LAO's records, not their health details.
    Role.PROVINCIAL_OFFICER: _RECORD,
    # The committees' secretary checks a record before a transfer, promotion or salary step.
    Role.COMMITTEE_SECRETARY: _RECORD,
    # e-Plan staff and the provincial plan analyst read plans, and workforce figures only.
    Role.PLAN_ANALYST: frozenset({DataKind.EPLAN, DataKind.PERSONNEL}),
    Role.EPLAN_PLANNING: frozenset({DataKind.EPLAN, DataKind.PERSONNEL}),
    Role.EPLAN_FINANCE: frozenset({DataKind.EPLAN, DataKind.PERSONNEL}),
    Role.EPLAN_EDUCATION: frozenset({DataKind.EPLAN, DataKind.PERSONNEL}),
    Role.EPLAN_ENGINEERING: frozenset({DataKind.EPLAN, DataKind.PERSONNEL}),
    # Auditors read the signed log and what it says, within their scope.
    Role.AUDITOR: _RECORD | {DataKind.EPLAN, DataKind.AUDIT, DataKind.OPERATORS},
}


def kinds_readable(roles: frozenset[Role] | set[Role]) -> frozenset[DataKind]:
    """Every kind of data any of ``roles`` may read."""
    found: set[DataKind] = set()
    for role in roles:
        found |= READ_MATRIX.get(role, frozenset())
    return frozenset(found)


def may_read(roles: frozenset[Role] | set[Role], kinds: frozenset[DataKind]) -> bool:
    """True when ``roles`` may read every kind in ``kinds`` (scope is checked separately)."""
    return kinds <= kinds_readable(roles)


def only_own_record(roles: frozenset[Role] | set[Role]) -> bool:
    """True when the reader reads people's data only as the owner of one record: no other
    role of theirs grants personal data."""
    others = set(roles) - {Role.RECORD_OWNER}
    return Role.RECORD_OWNER in roles and not (kinds_readable(others) & PERSON_KINDS)


def is_own_record(
    own_record: object | None, own_cid: str | None, record: object, record_cid: str | None
) -> bool:
    """Whether ``record`` (a stream id, with its citizen ID ``record_cid`` where known) is a
    record owner's own: the record her enrolment names (``own_record``), or, for an owner
    enrolled by citizen ID before owners were enrolled by record, the record whose citizen ID is
    hers (``own_cid``). The ledger's admission, the API's reads, the searches and the owner's
    change request all decide it here."""
    if own_record is not None:
        return record == own_record
    return own_cid is not None and record_cid == own_cid


__all__ = [
    "PERSON_KINDS",
    "READ_MATRIX",
    "DataKind",
    "is_own_record",
    "kinds_readable",
    "may_read",
    "only_own_record",
]
