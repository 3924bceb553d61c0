"""``ledger certification snapshot`` end to end on SQLite: the snapshot a submission names."""

from __future__ import annotations

import json
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
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, register, submission
from tests.people import ADMIN_CID, made_up_cid

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **NO_VAULT_ENV})


def _ledger(tmp_path: Path) -> tuple[list[str], list[uuid.UUID], dict[str, object]]:
    """An initialised ledger with two records; its options, the records, and the submission
    data at the position after the first record."""
    url, name = f"sqlite:///{tmp_path}/l.sqlite", "cert"
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
    records = [uuid.uuid4(), uuid.uuid4()]
    kit.emit(hr, records[0], "RecordOpened", d.record(NAKHON_PHANOM_LAO, made_up_cid(801)))
    early = submission(ledger, "6480101")
    kit.emit(hr, records[1], "RecordOpened", d.record(NAKHON_PHANOM_LAO, made_up_cid(802)))
    ledger.close()
    return ["--database-url", url, "--name", name], records, early


def test_the_snapshot_now_and_at_a_position(tmp_path: Path) -> None:
    """Now: both records; at the earlier position: the one opened by then, with the root a
    submission at that position must name; beyond the log: a one-line error."""
    options, records, early = _ledger(tmp_path)

    now = runner.invoke(app, ["certification", "snapshot", "--lao", "6480101", "--json", *options])
    then = runner.invoke(
        app,
        ["certification", "snapshot", "--lao", "6480101", "--position", str(early["position"]),
         "--records", "--json", *options],
    )  # fmt: skip
    beyond = runner.invoke(
        app, ["certification", "snapshot", "--lao", "6480101", "--position", "999", *options]
    )

    assert (0, 0) == (now.exit_code, then.exit_code), now.output + then.output
    assert 2 == json.loads(now.stdout)["record_count"]
    earlier = json.loads(then.stdout)
    assert (early["snapshot_root"], 1) == (earlier["root"], earlier["record_count"])
    assert [str(records[0])] == [leaf["stream"] for leaf in earlier["records"]]
    assert 1 == beyond.exit_code
    assert "beyond the end of the log" in beyond.output
