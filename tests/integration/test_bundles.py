"""Audit bundles: exported from PostgreSQL or SQLite, verified with no database at all."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from replay.bundles import Scope, export_bundle, read_header
from replay.errors import BundleError, ScopeError
from replay.verify import verify_bundle
from tests.audit_kit import Populated, populate, position_data, run_log
from tests.ledger_kit import LedgerKit


@pytest.fixture
def populated(kit: LedgerKit) -> Populated:
    """Records in two LAOs, a revoked officer, and the log with checkpoints every 4 events."""
    populated = populate(kit, records=2, entries=2)
    run_log(kit, every_events=4)
    return populated


def export(kit: LedgerKit, scope: Scope, path: Path) -> Path:
    export_bundle(kit.ledger.settings.database_url, kit.ledger.name, scope, path)
    return path


def scopes(populated: Populated) -> list[Scope]:
    return [Scope("record", stream=populated.tak[1]), Scope("lao", lao="6480101"), Scope("all")]


def test_bundles_round_trip(kit: LedgerKit, populated: Populated, tmp_path: Path) -> None:
    """A record's, an LAO's and the whole ledger's bundle each verify offline."""
    reports = [
        verify_bundle(export(kit, scope, tmp_path / f"{scope.kind}.bundle"))
        for scope in scopes(populated)
    ]

    assert [[], [], []] == [report.failures for report in reports]
    assert [True, True, True] == [report.transparency_log for report in reports]


def test_a_bundle_holds_its_scope_and_the_registry(
    kit: LedgerKit, populated: Populated, tmp_path: Path
) -> None:
    """An LAO's bundle holds that LAO's records and the registry stream, nothing of the other."""
    path = export(kit, Scope("lao", lao="6480101"), tmp_path / "lao.bundle")

    report = verify_bundle(path)

    assert 1 + len(populated.nakhon_phanom) == report.streams
    assert "6480101" == read_header(path)["scope"]["lao"]


def test_a_bundle_with_one_altered_byte_is_rejected(
    kit: LedgerKit, populated: Populated, tmp_path: Path
) -> None:
    """Flipping one bit of any of 150 sampled bytes makes the bundle fail (or unreadable)."""
    path = export(kit, Scope("record", stream=populated.nakhon_phanom[0]), tmp_path / "r.bundle")
    raw = path.read_bytes()
    rng = random.Random(7)
    positions = [*rng.sample(range(len(raw)), 145), 0, len(raw) - 2, len(raw) - 1, 10, 100]

    accepted = []
    for position in positions:
        altered = bytearray(raw)
        altered[position] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(altered))
        try:
            if verify_bundle(path).ok:
                accepted.append(position)
        except BundleError:
            pass

    assert [] == accepted


def test_a_kept_checkpoint_proves_nothing_was_rewritten_since(
    kit: LedgerKit, populated: Populated, tmp_path: Path
) -> None:
    """A checkpoint kept before more events arrived is consistent with a later bundle."""
    kept = run_log(kit, every_events=4).store.checkpoints()[0].note
    kit.submit(
        kit.sign(kit.hr, stream=populated.nakhon_phanom[1], type="PositionSalaryEntryAdded",
                 data=position_data(7))
    )  # fmt: skip
    run_log(kit, every_events=4)
    path = export(kit, Scope("record", stream=populated.nakhon_phanom[1]), tmp_path / "r.bundle")

    report = verify_bundle(path, kept=[kept])

    assert [] == report.failures
    assert 1 == report.kept_checkpoints


def test_a_kept_checkpoint_of_another_history_fails(
    kit: LedgerKit, populated: Populated, tmp_path: Path
) -> None:
    """A checkpoint of the same size whose root differs (a rewritten history) fails."""
    store = run_log(kit, every_events=4).store
    real = store.checkpoints()[0]
    other = store.checkpoints()[1]
    forged = real.note.replace(f"\n{real.tree_size}\n", f"\n{other.tree_size}\n")
    path = export(kit, Scope("all"), tmp_path / "all.bundle")

    report = verify_bundle(path, kept=[forged])

    assert ["kept-checkpoint"] == [failure.kind for failure in report.failures]


def test_a_pinned_anchor_other_than_the_genesis_key_fails(
    kit: LedgerKit, populated: Populated, tmp_path: Path
) -> None:
    """Verifying a bundle against another pinned system key fails its trust anchor."""
    path = export(kit, Scope("record", stream=populated.tak[0]), tmp_path / "r.bundle")

    report = verify_bundle(path, trust_anchor=kit.hr.signer.public_key)

    assert "trust-anchor" in {failure.kind for failure in report.failures}


def test_an_unknown_record_cannot_be_exported(kit: LedgerKit, tmp_path: Path) -> None:
    """Exporting a record the ledger does not hold is refused."""
    with pytest.raises(ScopeError, match="no record"):
        export(kit, Scope("record", stream=uuid.uuid4()), tmp_path / "x.bundle")
