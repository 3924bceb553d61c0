"""Issue 12's "Why" cases of dates, text and money through the HTTP API, on each backend
(PostgreSQL included): refused with the rule named, the log unchanged, the corrected statement
accepted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from tests.gate_kit import WHY_CASES, accepted, refusal, rules_of
from tests.ledger_kit import LedgerKit


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:
    """A client of the app serving this backend's ledger."""
    with TestClient(create_app(ledger.settings, ledger)) as test_client:
        yield test_client


@pytest.mark.parametrize("case", sorted(WHY_CASES))
def test_the_wrong_statement_is_refused_and_the_right_one_accepted(
    client: TestClient, kit: LedgerKit, case: str
) -> None:
    """The wrong statement answers 422 naming its rule and field and appends nothing; put
    right, it is accepted."""
    why = WHY_CASES[case]

    payload = refusal(client, kit, why.wrong(kit))

    assert (why.rule, why.field) == (payload["rule"], rules_of(payload)[0][1])
    accepted(client, why.right(kit))
