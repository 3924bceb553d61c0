"""Issue 12's "Why" cases of references and cross-event rules, through the HTTP API on SQLite:
the wrong statement is refused naming its rule and the log does not grow; put right, accepted."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.gate_cases import CASES, GateCase, refused_then_accepted
from tests.ledger_kit import LedgerKit


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_wrong_statement_is_refused_then_accepted_put_right(
    client: TestClient, kit: LedgerKit, case: GateCase
) -> None:
    """422 naming the rule, nothing appended; the statement put right is accepted (201)."""
    refused_then_accepted(client, kit, case)
