"""GET /bundles/record/{id} and /bundles/lao/{code}: ``ledger audit export``'s bytes over HTTP,
verified offline, within the caller's scope and role, logged."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from ledger.domain.permissions import Role, Scope
from replay.bundles import Scope as BundleScope
from replay.bundles import export_bundle
from replay.verify import verify_bundle
from tests.audit_kit import Populated, populate, run_log
from tests.ledger_kit import LedgerKit, Operator
from tests.unit.api.http_kit import login, problem


@pytest.fixture
def populated(kit: LedgerKit) -> Populated:
    """Records in two LAOs, a revoked officer, and the log with checkpoints every 4 events."""
    populated = populate(kit, records=2, entries=2)
    run_log(kit, every_events=4)
    return populated


def _exported(kit: LedgerKit, scope: BundleScope, served: bytes, path: Path) -> bytes:
    """What ``ledger audit export`` writes for ``scope`` at the moment the served one names."""
    header = json.loads(served.split(b"\n", 1)[0])
    settings = kit.ledger.settings
    now = datetime.fromisoformat(header["exported_at"])
    export_bundle(settings.database_url, settings.name, scope, path, now=now)
    return path.read_bytes()


def _get(client: TestClient, path: str, operator: Operator) -> httpx.Response:
    return client.get(path, headers=login(client, operator))


def test_a_record_bundle_is_the_export_and_verifies_offline(
    client: TestClient, kit: LedgerKit, populated: Populated, auditor: Operator, tmp_path: Path
) -> None:
    """The bytes served are the CLI's export; the file verifies with no database."""
    record = populated.nakhon_phanom[1]

    response = _get(client, f"/bundles/record/{record}", auditor)

    path = tmp_path / "record.bundle"
    assert response.content == _exported(
        kit, BundleScope("record", stream=record), response.content, path
    )
    assert response.headers["content-type"].startswith("application/x-ndjson")
    report = verify_bundle(path)
    assert ([], True) == (report.failures, report.transparency_log)


def test_an_lao_bundle_is_the_export_and_its_reads_are_logged(
    client: TestClient, kit: LedgerKit, populated: Populated, auditor: Operator, tmp_path: Path
) -> None:
    """Every record of the LAO's bundle notes the auditor's read in its access log."""
    response = _get(client, "/bundles/lao/6480101", auditor)

    path = tmp_path / "lao.bundle"
    assert response.content == _exported(
        kit, BundleScope("lao", lao="6480101"), response.content, path
    )
    assert [] == verify_bundle(path).failures
    log = client.app.state.access_log.of_records(populated.records)  # type: ignore[attr-defined]
    assert sorted(populated.nakhon_phanom) == sorted(entry.record for entry in log)
    assert {"GET /bundles/lao/{code}"} == {entry.endpoint for entry in log}


def test_bundles_outside_the_scope_are_not_found(
    client: TestClient, kit: LedgerKit, populated: Populated
) -> None:
    """A provincial auditor of นครพนม gets its LAO's bundle; Tak's record and LAO are 404."""
    auditor = kit.operator([Role.AUDITOR], Scope(level="province", province="นครพนม"))

    own = _get(client, "/bundles/lao/6480101", auditor)
    record = _get(client, f"/bundles/record/{populated.tak[0]}", auditor)
    lao = _get(client, "/bundles/lao/6630101", auditor)

    assert 200 == own.status_code
    assert (404, "stream-not-found") == problem(record)
    assert (404, "snapshot-not-found") == problem(lao)


def test_roles_that_do_not_read_the_log_get_no_bundle(
    client: TestClient, kit: LedgerKit, populated: Populated
) -> None:
    """The LAO's own HR officer reads its records, not the signed log: 403."""
    response = _get(client, f"/bundles/record/{populated.nakhon_phanom[1]}", kit.hr)

    assert (403, "forbidden") == problem(response)


def test_an_lao_with_no_records_has_no_bundle(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """A registered LAO no statement names yet: nothing to bundle (404)."""
    response = _get(client, "/bundles/lao/6630101", auditor)

    assert (404, "nothing-to-bundle") == problem(response)
