"""Issue 12's "Why" cases of references and cross-event rules, through the HTTP API on each
backend (PostgreSQL and SQLite): refused naming the rule with the log unchanged, then accepted
once the wrong part is put right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from tests.gate_cases import CASES, GateCase, refused_then_accepted
from tests.ledger_kit import LedgerKit


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:
    """The app serving the backend's ledger (the one ``kit`` initialised)."""
    with TestClient(create_app(ledger.settings, ledger)) as test_client:
        yield test_client


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_wrong_statement_is_refused_then_accepted_put_right(
    client: TestClient, kit: LedgerKit, case: GateCase
) -> None:
    """422 naming the rule, nothing appended; the statement put right is accepted (201)."""
    refused_then_accepted(client, kit, case)
