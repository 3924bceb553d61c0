"""Several processes starting at once on one fresh PostgreSQL database: table, type and function
creation takes turns (the schema lock), so none dies at startup."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

START = """
import sys
from api.app import create_app
from fastapi.testclient import TestClient
from ledger.settings import LedgerSettings
settings = LedgerSettings(database_url=sys.argv[1], name=sys.argv[2])
with TestClient(create_app(settings)) as client:
    assert client.get("/health").status_code == 200
"""


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_api_processes_started_together_all_come_up(postgres_url: str, attempt: int) -> None:
    """Six API processes opening the same new ledger at the same moment (its events table,
    views, transparency log and access log) all start; none dies on the catalogue."""
    name = f"start{uuid.uuid4().hex[:8]}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START, postgres_url, name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(6)
    ]

    outcomes = [(process.wait(timeout=120), process.stdout) for process in processes]

    failures = [out.read().decode()[-2000:] for code, out in outcomes if code != 0 and out]
    assert [] == failures
