"""A vault configured by halves is a configuration error, said as one: Thai and English naming
the settings to change, exit 1, no Python exception name, not "cannot open the database"."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.ledger_kit import LedgerKit

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


@pytest.mark.parametrize(
    ("env", "rule"),
    [
        ({"LEDGER_VAULT_KEY_DB": "sqlite:///keys.sqlite"}, "settings.vault_key_db_alone"),
        ({"LEDGER_VAULT_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so"},
         "settings.vault_token_incomplete"),
    ],
)  # fmt: skip
def test_a_half_configured_vault_is_named_as_a_setting(
    kit: LedgerKit, env: dict[str, str], rule: str
) -> None:
    """``LEDGER_VAULT_KEY_DB`` without a token, or a token without its label and PIN."""
    settings = kit.ledger.settings
    where = ["--database-url", settings.database_url, "--name", settings.name]

    listed = runner.invoke(app, ["operator", "list", *where], env=env)

    assert 1 == listed.exit_code
    assert f"[{rule}]" in listed.output
    assert "ห้องเก็บข้อมูลส่วนบุคคล" in listed.output
    assert "LEDGER_VAULT_" in listed.output
    assert "ValueError" not in listed.output
    assert "cannot open the ledger database" not in listed.output
    assert "Traceback" not in listed.output
