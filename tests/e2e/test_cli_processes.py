"""``ledger process ...`` end to end on SQLite: the system key signs, and a rerun adds nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.domain.permissions import Role
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from tests import domain_data as d
from tests.conftest import NO_VAULT_ENV
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, register
from tests.people import ADMIN_CID

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **NO_VAULT_ENV})


def test_retirement_round_from_the_command_line(tmp_path: Path) -> None:
    """``ledger process retirements`` schedules the one person due, then nothing more."""
    url, name = f"sqlite:///{tmp_path}/l.sqlite", "proc"
    init = runner.invoke(
        app,
        [
            "init",
            "--database-url", url,
            "--name", name,
            "--system-key", str(tmp_path / "system.key"),
            "--admin-cid", ADMIN_CID,
            "--admin-key", str(tmp_path / "admin.key"),
        ],
    )  # fmt: skip
    assert 0 == init.exit_code, init.output
    ledger = Ledger(LedgerSettings(database_url=url, name=name, vault_beside_sqlite=False))
    admin = Operator(ADMIN_CID, SoftwareSigner.from_file(tmp_path / "admin.key"))
    kit = LedgerKit(ledger, Operator("system"), admin, admin, admin)
    register(kit, NAKHON_PHANOM_LAO)
    hr = kit.operator([Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)
    record = uuid.uuid4()
    kit.emit(hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO, birth_date="1961-05-10"))
    kit.emit(hr, record, "EmploymentStarted", d.status_data("EmploymentStarted"))
    ledger.close()
    args = [
        "process", "retirements",
        "--fiscal-year", "2564",
        "--system-key", str(tmp_path / "system.key"),
        "--database-url", url,
        "--name", name,
    ]  # fmt: skip

    first = runner.invoke(app, args)
    second = runner.invoke(app, args)

    assert (0, 0) == (first.exit_code, second.exit_code), first.output + second.output
    assert "1 RetirementScheduled signed" in first.output
    assert "0 RetirementScheduled signed" in second.output
