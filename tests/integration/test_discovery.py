"""Which ledgers a database holds (ledger.discovery), read without creating anything."""

from __future__ import annotations

import uuid
from pathlib import Path

from ledger.application import Ledger
from ledger.discovery import ledgers_in
from ledger.settings import LedgerSettings
from tests.ledger_kit import LedgerKit


def test_a_ledger_is_found_by_its_genesis(kit: LedgerKit) -> None:
    """An initialised ledger is listed under its name, on either backend."""
    found = ledgers_in(kit.ledger.settings)

    assert found is not None
    assert kit.ledger.name in found


def test_a_missing_sqlite_file_is_no_database(tmp_path: Path) -> None:
    """A path with no file is no database, and asking creates none."""
    settings = LedgerSettings(database_url=f"sqlite:///{tmp_path}/typo.sqlite")

    assert ledgers_in(settings) is None
    assert not (tmp_path / "typo.sqlite").exists()


def test_a_missing_postgres_database_is_no_database(postgres_url: str) -> None:
    """A database name the server does not have is no database."""
    url = postgres_url.rsplit("/", 1)[0] + f"/no_such_db_{uuid.uuid4().hex[:8]}"

    assert ledgers_in(LedgerSettings(database_url=url)) is None


def test_tables_without_a_genesis_hold_no_ledger(backend_url: str) -> None:
    """A ledger opened but never initialised is not listed."""
    settings = LedgerSettings(database_url=backend_url, name=f"e{uuid.uuid4().hex[:10]}")
    Ledger(settings).close()

    found = ledgers_in(settings)

    assert found is not None
    assert settings.name not in found
