"""The app served by a real uvicorn process, and the app owning its ledger's lifetime."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.ledger_kit import LedgerKit, record_data
from tests.served_api import UVICORN, listening, wait_for_health
from tests.unit.api.http_kit import body


@pytest.fixture
def served(settings: LedgerSettings, kit: LedgerKit, tmp_path: Path) -> Iterator[str]:
    """The initialised ledger's API in a uvicorn process on a free loopback port, with a vault
    (development key files) as a served SQLite file has by default; its base URL."""
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": settings.database_url,
        "LEDGER_NAME": settings.name,
        "LEDGER_VAULT_KEY_DIR": str(tmp_path / "vault-keys"),
    }
    with listening(UVICORN, env, tmp_path / "uvicorn.log") as url:
        yield url


def test_uvicorn_serves_health_and_statements(served: str, kit: LedgerKit) -> None:
    """A real server reports the ledger initialised and accepts a signed (v2) statement with
    its disclosures."""
    stream = uuid.uuid4()
    signed, disclosures = kit.sign_v2(kit.hr, stream, "RecordOpened", record_data())

    health = wait_for_health(served, time.monotonic() + 30)
    sent = {**body(signed), "disclosures": disclosures}
    response = httpx.post(f"{served}/statements", json=sent, timeout=10)

    assert health.json() == {"status": "ok", "ledger": kit.ledger.name, "initialised": True}
    assert response.status_code == 201
    assert (str(stream), 1, signed.hash) == (
        response.json()["stream"],
        response.json()["version"],
        response.json()["hash"],
    )


def test_ledger_serve_serves_the_ledger_its_options_name(
    settings: LedgerSettings, kit: LedgerKit, tmp_path: Path
) -> None:
    """``ledger serve --database-url ... --name ...`` builds the API of that ledger itself."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEDGER_")}
    command = [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", "0",
               "--database-url", settings.database_url, "--name", settings.name]  # fmt: skip

    with listening(command, env, tmp_path / "serve.log") as url:
        health = wait_for_health(url, time.monotonic() + 30)

    assert {"status": "ok", "ledger": kit.ledger.name, "initialised": True} == health.json()


def test_app_opens_and_closes_its_own_ledger(settings: LedgerSettings) -> None:
    """Given no ledger, the app opens one at startup and lets it go at shutdown."""
    app = create_app(settings)

    with TestClient(app) as client:
        opened = app.state.ledger
        health = client.get("/health")

    assert isinstance(opened, Ledger)
    assert health.json()["initialised"] is False
    assert app.state.ledger is None


def test_cli_submits_through_the_server(served: str, kit: LedgerKit, tmp_path: Path) -> None:
    """``ledger submit --server`` opens a session, reads the stream's head and lands the entry."""
    import json

    from typer.testing import CliRunner

    from cli.main import app as cli_app
    from tests.ledger_kit import education_data

    kit.hr.signer.to_file(tmp_path / "hr.key")
    stream = kit.open_record()
    draft = tmp_path / "draft.json"
    draft.write_text(
        json.dumps({"stream": str(stream), "type": "EducationAdded", "data": education_data()}),
        encoding="utf-8",
    )
    wait_for_health(served, time.monotonic() + 30)

    result = CliRunner().invoke(
        cli_app,
        ["submit", str(draft), "--key", str(tmp_path / "hr.key"), "--cid", kit.hr.cid,
         "--server", served],
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    assert 2 == json.loads(result.output)["version"]
    assert 2 == kit.ledger.aggregate(stream).version


def test_ledger_token_prints_a_bearer_token_that_reads(
    served: str, kit: LedgerKit, tmp_path: Path
) -> None:
    """``ledger token`` opens a session with an enrolled key; the token it prints reads the API
    (no Python needed to get one)."""
    from typer.testing import CliRunner

    from cli.main import app as cli_app

    kit.hr.signer.to_file(tmp_path / "hr.key")
    stream = kit.open_record()
    wait_for_health(served, time.monotonic() + 30)

    result = CliRunner().invoke(
        cli_app, ["token", "--server", served, "--key", str(tmp_path / "hr.key")]
    )
    bearer = result.output.strip()
    events = httpx.get(
        f"{served}/streams/{stream}/events",
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )

    assert 0 == result.exit_code, result.output
    assert 200 == events.status_code


def test_ledger_token_with_an_unenrolled_key_is_one_line(served: str, tmp_path: Path) -> None:
    """A key the ledger does not know gets the server's refusal in one line, exit 1."""
    from typer.testing import CliRunner

    from cli.main import app as cli_app
    from ledger.signing import SoftwareSigner

    SoftwareSigner.generate().to_file(tmp_path / "stranger.key")
    wait_for_health(served, time.monotonic() + 30)

    result = CliRunner().invoke(
        cli_app, ["token", "--server", served, "--key", str(tmp_path / "stranger.key")]
    )

    assert 1 == result.exit_code
    assert "401" in result.output
