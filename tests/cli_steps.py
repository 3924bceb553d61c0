"""Steps the command-line tests share: what DLA does with ``ledger`` before an LAO's staff can
be enrolled (an LAO scope names a registered organization)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from ledger.domain.organizations import organization_stream_id
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO


def register_lao(
    runner: CliRunner,
    database: list[str],
    admin_key: Path,
    admin_cid: str,
    code: str = str(NAKHON_PHANOM_LAO.lao),
    province: str = str(NAKHON_PHANOM_LAO.province),
) -> None:
    """DLA's admin registers the LAO with ``ledger submit`` (``database``: the
    ``--database-url`` and ``--name`` options)."""
    draft = admin_key.parent / f"register-{code}.json"
    statement = {
        "stream": str(organization_stream_id(code)),
        "type": "OrganizationRegistered",
        "effective": "2000-01-01",
        "data": d.organization(code, province),
    }
    draft.write_text(json.dumps(statement, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        app, ["submit", str(draft), *database, "--key", str(admin_key), "--cid", admin_cid]
    )
    assert 0 == result.exit_code, result.output


def enrol_hr(runner: CliRunner, database: list[str], keys: Path, admin_cid: str, cid: str) -> None:
    """DLA registers the kit's LAO, then enrols its HR officer with a key ``keys/hr.key``
    (``database``: the ``--database-url`` and ``--name`` options)."""
    register_lao(runner, database, keys / "admin.key", admin_cid)
    result = runner.invoke(
        app,
        [
            "operator", "enrol", *database,
            "--admin-key", str(keys / "admin.key"), "--admin-cid", admin_cid,
            "--cid", cid, "--role", "lao_hr_officer", "--scope", "lao:นครพนม:6480101",
            "--key", str(keys / "hr.key"),
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
