"""``ledger operator list``: the registry as a Thai table (and JSON), on both backends."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.ledger_kit import LedgerKit
from tests.unit.api.http_kit import revoke

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


def _list(kit: LedgerKit, *more: str) -> str:
    settings = kit.ledger.settings
    result = runner.invoke(
        app,
        ["operator", "list", "--database-url", settings.database_url, "--name", settings.name,
         *more],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    return result.output


def test_the_table_shows_keys_roles_scopes_and_status(kit: LedgerKit) -> None:
    """Every key with its Thai role and scope, the revoked one marked; no citizen ID."""
    revoke(kit, kit.other_hr)

    table = _list(kit)

    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if "│" in line}
    hr, other = rows[kit.hr.signer.key_id], rows[kit.other_hr.signer.key_id]
    assert "นักทรัพยากรบุคคล" in hr
    assert "อปท. 6480101 (จังหวัดนครพนม)" in hr
    assert "ใช้งาน" in hr
    assert "เพิกถอนแล้ว" in other
    assert "ผู้ดูแลระบบ สถ." in rows[kit.admin.signer.key_id]
    assert kit.hr.cid not in table


def test_json_names_who_enrolled_and_revoked(kit: LedgerKit) -> None:
    """``--json``: each key's enrolling and revoking key."""
    revoke(kit, kit.other_hr)

    listed = {item["key_id"]: item for item in json.loads(_list(kit, "--json"))}

    other = listed[kit.other_hr.signer.key_id]
    admin = kit.admin.signer.key_id
    assert ("revoked", admin) == (other["status"], other["revoked_by"])
    assert admin == other["enrolled_by"]
    assert 4 == len(listed)  # the system key, the admin and the two HR officers
