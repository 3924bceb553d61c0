"""Which vault a ledger gets when its settings configure none (docs/personal-data.md, "The
vault"): key files beside an SQLite file, none in memory, none and one warning on PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ledger.settings import LedgerSettings
from ledger.vault import Vault, default_vault_key_dir, open_vault
from ledger.vault_keys import KeyFileStore


def test_a_ledger_in_an_sqlite_file_keeps_its_key_files_beside_it(tmp_path: Path) -> None:
    settings = LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="demo")
    assert tmp_path / "l.sqlite.vault-keys" / "demo" == default_vault_key_dir(settings)
    vault = open_vault(settings)
    assert isinstance(vault, Vault)
    try:
        assert isinstance(vault._keys, KeyFileStore)
        assert tmp_path / "l.sqlite.vault-keys" / "demo" == vault._keys.directory
    finally:
        vault.close()


def test_configured_key_files_win_and_the_default_can_be_turned_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/l.sqlite"
    chosen = LedgerSettings(database_url=url, vault_key_dir=tmp_path / "elsewhere")
    vault = open_vault(chosen)
    assert vault is not None
    vault.close()
    assert (tmp_path / "elsewhere").is_dir()
    assert not (tmp_path / "l.sqlite.vault-keys").exists()
    assert open_vault(LedgerSettings(database_url=url, vault_beside_sqlite=False)) is None


def test_no_vault_in_memory() -> None:
    assert default_vault_key_dir(LedgerSettings(database_url="sqlite:///:memory:")) is None
    assert open_vault(LedgerSettings(database_url="sqlite:///:memory:")) is None


def test_postgresql_without_a_vault_has_none_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = LedgerSettings(
        database_url="postgresql://ledger:secret@db.example:5432/lgov", name="warned_once"
    )
    with caplog.at_level(logging.WARNING, logger="ledger.vault"):
        assert open_vault(settings) is None
        assert open_vault(settings) is None
    warnings = [r.getMessage() for r in caplog.records if r.name == "ledger.vault"]
    assert 1 == len(warnings)
    assert "vault" in warnings[0]
    assert "คลังข้อมูลส่วนบุคคล" in warnings[0]
    assert "secret" not in warnings[0]
