"""The system's processes (and the API) on a ledger whose records are v2, without its vault:
the records cannot be read (their personal values are commitments), so the run is refused with
its catalogued message (``personal.vault_needed``, Thai and English), never a raw pydantic
error or a traceback, and nothing is appended; given the vault, the same run signs what is
due."""

from __future__ import annotations

import uuid
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import Role
from tests import domain_data as d
from tests.conftest import NO_VAULT_ENV
from tests.ledger_kit import NAKHON_PHANOM_LAO, build_kit, submission, vault_settings
from tests.people import made_up_cid
from tests.unit.api.http_kit import login, problem

CID, BORN = made_up_cid(641), "1961-05-10"
PROCESSES = [["certifications"], ["retirements", "--fiscal-year", "2564"]]


def _certified_then_changed(ledger: Ledger, keys: Path) -> uuid.UUID:
    """A v2 record (due to retire in FY2564) of a cycle its LAO certified, then changed by HR;
    the system key written to ``keys/system.key``."""
    kit = build_kit(ledger)
    lao = str(NAKHON_PHANOM_LAO.lao)
    stream, cycle = uuid.uuid4(), certification_stream_id(lao, "2562")
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, CID, birth_date=BORN))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.admin, cycle, "CycleOpened", d.cycle(NAKHON_PHANOM_LAO, "2562"))
    head = kit.operator([Role.LAO_HEAD], NAKHON_PHANOM_LAO)
    data = submission(ledger, lao)
    kit.emit(kit.hr, cycle, "LaoDataSubmitted", data)
    kit.emit(head, cycle, "LaoDataCertified", {"snapshot_root": data["snapshot_root"]})
    kit.emit(kit.hr, stream, "AddressChanged", d.ENTRY_DATA["AddressChanged"])
    kit.system.signer.to_file(keys / "system.key")
    return stream


@pytest.mark.parametrize("process", PROCESSES, ids=lambda process: process[0])
def test_a_process_without_the_vault_is_refused_by_name(
    backend_url: str, tmp_path: Path, process: list[str]
) -> None:
    """Without the vault: exit 1, the rule and its Thai and English words naming the record,
    no pydantic message, no personal value, nothing appended; with it: the run signs."""
    settings = vault_settings(backend_url, tmp_path)
    with closing(Ledger(settings)) as ledger:
        stream = _certified_then_changed(ledger, tmp_path)
        before = ledger.recorder.max_notification_id()
    where = ["--database-url", settings.database_url, "--name", settings.name]
    command = ["process", *process, "--system-key", str(tmp_path / "system.key"), *where]
    env = {"COLUMNS": "300", "NO_COLOR": "1"}

    bare = CliRunner(env=env | NO_VAULT_ENV).invoke(app, command)
    with closing(Ledger(settings)) as ledger:
        after_bare = ledger.recorder.max_notification_id()
    vaulted = CliRunner(env=env | {"LEDGER_VAULT_KEY_DIR": str(settings.vault_key_dir)}).invoke(
        app, command
    )

    assert 1 == bare.exit_code, bare.output
    assert isinstance(bare.exception, SystemExit)  # typer.Exit(1), not a ValidationError
    assert "[personal.vault_needed]" in bare.output
    assert f"สตรีม {stream} มีข้อความรุ่น 2" in bare.output
    assert "validation error" not in bare.output
    assert [] == [value for value in (CID, BORN) if value in bare.output]
    assert before == after_bare
    assert 0 == vaulted.exit_code, vaulted.output
    assert vaulted.output.startswith("1 ")


def test_the_api_without_the_vault_answers_503_naming_the_rule(
    backend_url: str, tmp_path: Path
) -> None:
    """Served without its vault, a read that replays a v2 record is the server's fault, not
    the caller's: 503 ``vault-needed`` with the rule, no personal value."""
    settings = vault_settings(backend_url, tmp_path)
    with closing(Ledger(settings)) as ledger:
        kit = build_kit(ledger)
        stream = uuid.uuid4()
        kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, CID, birth_date=BORN))
    bare = settings.model_copy(update={"vault_key_dir": None, "vault_beside_sqlite": False})

    with TestClient(create_app(bare)) as client:
        answer = client.get(f"/streams/{stream}/head", headers=login(client, kit.hr))

    assert (503, "vault-needed") == problem(answer)
    assert ["personal.vault_needed"] == [error["rule"] for error in answer.json()["errors"]]
    assert [] == [value for value in (CID, BORN) if value in answer.text]
