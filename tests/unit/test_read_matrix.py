"""The read matrix (ledger.domain.reading): which role reads which kind of data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.domain.permissions import ROLE_TH, Role
from ledger.domain.reading import (
    PERSON_KINDS,
    READ_MATRIX,
    DataKind,
    may_read,
    only_own_record,
)

EPLAN_ROLES = [
    Role.EPLAN_PLANNING,
    Role.EPLAN_FINANCE,
    Role.EPLAN_EDUCATION,
    Role.EPLAN_ENGINEERING,
    Role.PLAN_ANALYST,
]


def test_every_role_has_a_row() -> None:
    """No role is left out of the matrix (a new role must be given its share)."""
    assert set(Role) == set(READ_MATRIX)


@pytest.mark.parametrize("role", EPLAN_ROLES)
def test_eplan_roles_read_no_personal_data(role: Role) -> None:
    """e-Plan staff read plans and workforce figures, never a person's data."""
    assert not (READ_MATRIX[role] & PERSON_KINDS)
    assert may_read({role}, frozenset({DataKind.EPLAN}))


def test_health_details_stay_with_the_lao_and_the_owner() -> None:
    """Health-related leave is read by the LAO's HR officer, superiors, head and the owner."""
    readers = {role for role, kinds in READ_MATRIX.items() if DataKind.HEALTH in kinds}

    assert {
        Role.SYSTEM,
        Role.LAO_HR_OFFICER,
        Role.LAO_SUPERIOR,
        Role.LAO_HEAD,
        Role.RECORD_OWNER,
    } == readers


def test_audit_material_goes_to_auditors_and_dla_only() -> None:
    """The signed log carries every kind of data: only auditors and DLA read it."""
    readers = {role for role, kinds in READ_MATRIX.items() if DataKind.AUDIT in kinds}

    assert {Role.SYSTEM, Role.DLA_ADMIN, Role.AUDITOR} == readers


def test_a_record_owner_alone_reads_only_their_own_record() -> None:
    """An owner with no other role is confined to their own record; an HR officer who also
    owns a record is not."""
    assert only_own_record({Role.RECORD_OWNER})
    assert not only_own_record({Role.RECORD_OWNER, Role.LAO_HR_OFFICER})
    assert not only_own_record({Role.LAO_HR_OFFICER})


def test_the_readme_shows_the_read_matrix_as_the_code_has_it() -> None:
    """README's "Who reads what" table: one row per role (but the system key), a tick for
    each kind of data the role reads, nothing else."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Who reads what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    kinds = list(DataKind)
    expected = [
        f"| `{role.value}` {ROLE_TH[role]} | "
        + " | ".join("✓" if kind in readable else "" for kind in kinds)
        + " |"
        for role, readable in READ_MATRIX.items()
        if role is not Role.SYSTEM
    ]
    assert expected == rows
