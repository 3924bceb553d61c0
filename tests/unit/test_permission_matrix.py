"""The role x scope matrix of DOMAIN.md section 5.3, exhaustively, through the ledger itself.

For every event type (and, where the permission depends on the target, every kind of target),
every role signs the statement once with a scope covering the target and once with a scope that
does not. The ledger must refuse with ``ForbiddenError`` exactly when the matrix below says so;
an allowed statement either lands or fails a domain rule, never a permission. Each case starts
from a fresh copy of one prepared world (``tests/domain_world.py``), on SQLite.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES, permission_matrix, permission_table
from ledger.domain.permissions import Role
from ledger.errors import AlreadyInitialisedError, ForbiddenError, LedgerError, UnseenStreamError
from ledger.settings import LedgerSettings
from ledger.vault_keys import ErasedError
from tests.domain_world import World, build_world, samples
from tests.ledger_kit import build_kit

R = Role
HR_TYPES = {
    # ก.พ.๗ entries, corrections and employment facts, org units and positions: the LAO's HR.
    "RecordOpened",
    "PersonalDataRecorded",
    "NameChanged",
    "AddressChanged",
    "PhotoAttached",
    "FamilyMemberRecorded",
    "EducationAdded",
    "LicenseRecorded",
    "TrainingRecorded",
    "PositionSalaryEntryAdded",
    "DecorationRecorded",
    "DecorationReturned",
    "LeaveTaken",
    "LeaveYearSummarised",
    "PenaltyImposed",
    "AmnestyApplied",
    "UnpaidPeriodRecorded",
    "SpecialServiceRecorded",
    "AbilityRecorded",
    "MeritRecorded",
    "AcademicWorkRecorded",
    "OtherItemRecorded",
    "DocumentScanned",
    "EntryCorrected",
    "EntryVoided",
    "PersonErased",
    "ChangeRequestResolved",
    "EmploymentStarted",
    "Suspended",
    "Reinstated",
    "TransferredOut",
    "TransferredIn",
    "Retired",
    "Resigned",
    "Discharged",
    "Dismissed",
    "RemovedFromService",
    "Died",
    "ContractEnded",
    "SeparationRevoked",
    "OrgUnitCreated",
    "OrgUnitClosed",
    "PositionCreated",
    "PositionReclassified",
    "PositionHolderAssigned",
    "PositionVacated",
    "PositionFrozen",
    "PositionUnfrozen",
    "PositionAbolished",
    "LaoDataSubmitted",
    "CertificateIssued",
}

EXPECTED: dict[Role, set[str]] = {
    R.SYSTEM: {
        "LedgerInitialised",
        "OperatorEnrolled",
        "OperatorKeyRevoked",
        "RetirementScheduled",
        "CertificationInvalidated",
        "CycleOverdue",
    },
    R.DLA_ADMIN: {
        "PersonErased",
        "OperatorEnrolled",
        "OperatorKeyRevoked",
        "OrganizationRegistered",
        "OrganizationTypeChanged",
        "OrganizationRenamed",
        "OrganizationMerged",
        "CycleOpened",
        "DlaReturned",
        "DlaAccepted",
    },
    R.LAO_HR_OFFICER: HR_TYPES,
    R.LAO_SUPERIOR: {"LaoDataReturned"},
    R.LAO_HEAD: {"LaoDataReturned", "LaoDataCertified", "PlanApproved"},
    R.RECORD_OWNER: {"ChangeRequestedByOwner"},
    R.PROVINCIAL_OFFICER: {
        "ProvinceVerificationReturned",
        "ProvinceCertified",
        "ProvinceReportSent",
        "WarningLetterSent",
    },
    R.COMMITTEE_SECRETARY: set(),
    R.PLAN_ANALYST: set(),
    R.EPLAN_PLANNING: {
        "PlanDrafted",
        "VisionRecorded",
        "StrategyAdded",
        "PlanApproved",
        "PlanAmended",
        "PlanProjectAdded",
        "PlanProjectChanged",
        "PlanProjectRemoved",
        "ProjectDeferred",
        "ProjectCancelled",
        "SubsidyOutcomeReported",
    },
    R.EPLAN_FINANCE: {
        "AnnualBudgetEnacted",
        "BudgetApproved",
        "ContractSigned",
        "DisbursementMade",
        "ProgressReported",
        "ProjectCompleted",
        "FundsCarriedOver",
        "SubsidyAllocated",
        "SubsidyDisbursed",
        "SubsidyOutcomeReported",
    },
    R.EPLAN_EDUCATION: {"SubsidyDisbursed", "SubsidyOutcomeReported"},
    R.EPLAN_ENGINEERING: {"ProjectGeoLocated", "ProgressReported"},
    R.AUDITOR: set(),
}
"""Role -> the event types it may emit, written from DOMAIN.md 5.3 (not from the code)."""

TARGET_REFUSALS = {
    ("SubsidyDisbursed", "other"): {R.EPLAN_EDUCATION},
    ("SubsidyOutcomeReported", "other"): {R.EPLAN_EDUCATION},
}
"""Roles the target refuses although the type allows them: education staff act on education
subsidies only."""

ATTEMPTS = [(role, False) for role in Role if role is not R.SYSTEM] + [
    (role, True) for role in Role
]
"""Each role outside the target's scope (but the system key, which is national), then inside:
refusals first, so an opening statement is still refused before an allowed one takes its stream."""


def allowed(role: Role, inside: bool, event_type: str, variant: str) -> bool:
    refused_by_target = TARGET_REFUSALS.get((event_type, variant), set())
    return inside and event_type in EXPECTED[role] and role not in refused_by_target


def _settings(path: Path, keys: Path) -> LedgerSettings:
    """The world's ledger on SQLite, with a vault (key files) for its v2 record."""
    return LedgerSettings(database_url=f"sqlite:///{path}", name="matrix", vault_key_dir=keys)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """The prepared world, built once into an SQLite file."""
    path = tmp_path_factory.mktemp("matrix") / "world.sqlite"
    ledger = Ledger(_settings(path, path.parent / "vault-keys"))
    world = build_world(build_kit(ledger))
    ledger.close()
    return path, world


@pytest.fixture
def world(template: tuple[Path, World], tmp_path: Path) -> Iterator[World]:
    """A fresh copy of the prepared world."""
    path, prepared = template
    copy = tmp_path / "copy.sqlite"
    with (
        contextlib.closing(sqlite3.connect(path)) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
    shutil.copytree(path.parent / "vault-keys", tmp_path / "vault-keys")
    ledger = Ledger(_settings(copy, tmp_path / "vault-keys"))
    yield prepared.on(dataclasses.replace(prepared.kit, ledger=ledger))
    ledger.close()


VARIANTS = {
    "SubsidyDisbursed": ("education", "other"),
    "SubsidyOutcomeReported": ("education", "other"),
}
SAMPLE_KEYS = [
    (name, variant)
    for name in EVENT_TYPES
    if name != "LedgerInitialised"
    for variant in VARIANTS.get(name, ("",))
]
"""(event type, kind of target): the genesis is tested on its own (it names its signer's key)."""


def test_declared_matrix_is_the_domain_matrix() -> None:
    """The roles declared beside each event type are exactly DOMAIN.md 5.3's matrix."""
    declared = {role: set(types) for role, types in permission_matrix().items()}

    assert EXPECTED == declared


def test_every_event_type_has_a_case(world: World) -> None:
    """The exhaustive test below covers every event type of the catalogue."""
    covered = {name for name, _ in samples(world)} | {"LedgerInitialised"}

    assert set(EVENT_TYPES) == covered
    assert sorted(samples(world)) == sorted(SAMPLE_KEYS)


@pytest.mark.parametrize(("event_type", "variant"), SAMPLE_KEYS, ids=lambda v: v or "-")
def test_role_and_scope_decide(world: World, event_type: str, variant: str) -> None:
    """Every role inside and outside the target's scope is allowed or refused as the matrix says."""
    stream, data = samples(world)[(event_type, variant)]
    outcomes: dict[tuple[str, bool], str] = {}

    for role, inside in ATTEMPTS:
        try:
            world.kit.emit(world.operator(role, inside), stream, event_type, data)
            outcomes[(role.value, inside)] = "accepted"
        except (ForbiddenError, UnseenStreamError):  # outside its scope, a stream is not found
            outcomes[(role.value, inside)] = "forbidden"
        except ErasedError:  # an accepted erasure closed the stream: nothing more to judge
            outcomes[(role.value, inside)] = "erased"
        except LedgerError:
            outcomes[(role.value, inside)] = "refused by a domain rule"

    expected = {
        (role.value, inside): allowed(role, inside, event_type, variant)
        for role, inside in ATTEMPTS
        if outcomes[(role.value, inside)] != "erased"
    }
    actual = {key: outcome != "forbidden" for key, outcome in outcomes.items() if key in expected}
    assert expected == actual
    assert "accepted" in outcomes.values(), outcomes


def test_genesis_is_refused_once_initialised(world: World) -> None:
    """No role, the system key included, can write a second genesis."""
    refusals = []

    for role, inside in ATTEMPTS:
        operator = world.operator(role, inside)
        data = {
            "ledger": world.kit.ledger.name,
            "public_key": operator.signer.public_key.hex(),
            "key_id": operator.signer.key_id,
            "key_storage": {"kind": "software"},
        }
        with pytest.raises(AlreadyInitialisedError):
            world.kit.emit(operator, world.kit.ledger.registry_id, "LedgerInitialised", data)
        refusals.append(role)

    assert len(ATTEMPTS) == len(refusals)


def test_readme_shows_the_matrix_and_every_event_type() -> None:
    """The README's Domain section is the catalogue's matrix and names every event type."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    domain = readme.split("## Domain", 1)[1].split("\n## ", 1)[0]

    assert permission_table() in domain
    assert [] == [name for name in EVENT_TYPES if name not in domain.split("Who may sign")[0]]
