"""Drafts from the API (``--server``): ``cli.api_client.LedgerClient`` reads a stream's head
from GET /streams/{id}/head and its entries from GET /streams/{id}/events, the same as the
database gives them; ``ledger correct --server`` writes the same draft as from the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import drafting
from cli.api_client import LedgerClient
from cli.main import app
from tests.ledger_kit import LedgerKit, education_data
from tests.unit.api.http_kit import login

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


def _client(test_client: TestClient, token: str) -> LedgerClient:
    """A LedgerClient that speaks to the app in process (TestClient is an httpx client)."""
    client = LedgerClient("http://testserver")
    client._http = test_client  # the in-process transport of the tests
    client.use_token(token)
    return client


def _token(client: TestClient, kit: LedgerKit) -> str:
    return login(client, kit.hr)["Authorization"].removeprefix("Bearer ")


def test_the_client_reads_the_head_and_the_entries(client: TestClient, kit: LedgerKit) -> None:
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    api = _client(client, _token(client, kit))

    head = api.head(stream)
    events = api.events(stream)

    assert kit.ledger.head(stream) == head
    assert [1, 2] == [version for version, _, _ in events]
    assert ("EducationAdded", education_data()["institution"]) == (
        events[1][1],
        events[1][2]["institution"],
    )


def test_correct_from_the_server_is_the_databases_draft(
    client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apart from ``effective`` (today either way), the two drafts are the same."""
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    token = _token(client, kit)
    monkeypatch.setattr(drafting, "LedgerClient", lambda server: _client(client, token))
    url = kit.ledger.settings.database_url

    served = runner.invoke(
        app, ["correct", str(stream), "2", "--server", "http://testserver", "--bearer", token]
    )
    stored = runner.invoke(app, ["correct", str(stream), "2", "--database-url", url])

    assert 0 == served.exit_code, served.output
    assert 0 == stored.exit_code, stored.output
    draft: dict[str, Any] = json.loads(served.stdout)
    assert json.loads(stored.stdout) == draft
    assert (2, kit.ledger.head(stream)[1]) == (draft["expected_version"], draft["prev_hash"])


def test_the_server_needs_a_token() -> None:
    result = runner.invoke(
        app,
        ["correct", "8a3c1c52-6d6f-4d7b-b2d5-0d3f0b6f6a11", "2", "--server", "http://x"],
        env={"LEDGER_TOKEN": ""},
    )

    assert 1 == result.exit_code
    assert "bearer token" in result.output
