"""GET /health and the app's own errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_ledger
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.ledger_kit import LedgerKit
from tests.unit.api.http_kit import problem


def test_health_of_initialised_ledger(client: TestClient, kit: LedgerKit) -> None:
    """Health names the ledger and says it has its genesis."""
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "ledger": kit.ledger.name, "initialised": True}


def test_health_of_empty_ledger(client: TestClient, settings: LedgerSettings) -> None:
    """Before `ledger init` the API is up but reports the ledger uninitialised."""
    response = client.get("/health")

    assert response.json() == {"status": "ok", "ledger": settings.name, "initialised": False}


def test_unknown_path_is_a_problem(client: TestClient) -> None:
    """Even the framework's own 404 answers in problem details."""
    response = client.get("/no/such/path")

    assert problem(response) == (404, "not-found")


def test_unexpected_error_is_a_500_problem(settings: LedgerSettings, ledger: Ledger) -> None:
    """A bug answers 500 in problem details that reveal nothing of the error."""
    app = create_app(settings, ledger)
    app.dependency_overrides[get_ledger] = _broken_ledger

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/health")

    assert problem(response) == (500, "internal-error")
    assert "secret detail" not in response.text


def _broken_ledger() -> Ledger:
    raise RuntimeError("secret detail")
