"""Drafts from the API (``--server``): ``cli.api_client.LedgerClient`` reads a stream's head
from GET /streams/{id}/head and its entries from GET /streams/{id}/events, the same as the
database gives them; ``ledger correct --server`` writes the same draft as from the database."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import drafting, submit
from cli.api_client import LedgerClient, ServerError
from cli.main import app
from ledger.statement import GENESIS_PREV_HASH
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


def test_a_head_the_api_does_not_show_stops_the_client(client: TestClient, kit: LedgerKit) -> None:
    """404 on GET /streams/{id}/head is a stream not opened or one outside the caller's share:
    the client stops with the API's words (Thai and English) rather than sign against version
    0; only a statement that opens a stream takes it for a new one."""
    stream = kit.open_record()  # LAO 6480101's, outside the Tak officer's scope
    token = login(client, kit.other_hr)["Authorization"].removeprefix("Bearer ")
    api = _client(client, token)

    with pytest.raises(ServerError) as stopped:
        api.head(stream)

    assert 404 == stopped.value.status
    assert "ไม่พบรายการ / Stream not found" in str(stopped.value)
    assert (0, GENESIS_PREV_HASH) == api.head(uuid.uuid4(), opening=True)


def test_draft_from_the_server_stops_on_a_head_not_shown(
    client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = kit.open_record()
    token = login(client, kit.other_hr)["Authorization"].removeprefix("Bearer ")
    monkeypatch.setattr(drafting, "LedgerClient", lambda server: _client(client, token))
    monkeypatch.setattr(LedgerClient, "__exit__", lambda *_: None)  # the app's client stays open
    served = ["--server", "http://testserver", "--bearer", token]

    hidden = runner.invoke(app, ["draft", "PersonErased", "--stream", str(stream), *served])
    new = runner.invoke(app, ["draft", "RecordOpened", "--stream", str(uuid.uuid4()), *served])

    assert 1 == hidden.exit_code
    assert "Stream not found" in hidden.output
    assert "expected_version" not in hidden.output
    assert 0 == new.exit_code, new.output
    assert 0 == json.loads(new.stdout)["expected_version"]


def test_erasure_from_the_server_stops_on_a_head_not_shown(
    client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new user's case: the Tak HR officer erasing a person of LAO 6480101 over the API
    is stopped at the head (404), and nothing is signed against version 0 or sent."""
    stream = kit.open_record()
    monkeypatch.setattr(submit, "LedgerClient", lambda server: _client(client, "unused"))
    count = kit.event_count()
    data = {"legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33", "reason": "เจ้าของขอลบ"}

    with pytest.raises(ServerError) as stopped:
        submit.submit_draft(
            body={"stream": str(stream), "type": "PersonErased", "data": data},
            stream=stream,
            effective=None,
            signer=kit.other_hr.signer,
            cid=kit.other_hr.cid,
            server="http://testserver",
            settings=None,
            fmt=1,
        )

    assert 404 == stopped.value.status
    assert "version" not in str(stopped.value)
    assert count == kit.event_count()
