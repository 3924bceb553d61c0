"""Fixtures of the web application's tests: the app (API and pages) over a fresh SQLite ledger
with the kit's operators, a client whose requests come from the app's own origin, and logging
in as the signing agent would (a software key answering the login page's request)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.unit.web.demo_world import DemoFiles
from tests.unit.web.web_kit import ORIGIN, SESSION_SECRET
from web.app import create_web_app


@pytest.fixture
def settings(tmp_path: Path) -> LedgerSettings:
    """A ledger in a fresh SQLite file; the web origin is the test client's own."""
    return LedgerSettings(
        database_url=f"sqlite:///{tmp_path}/web.sqlite",
        session_secret=SESSION_SECRET,
        web_origin=ORIGIN,
    )


@pytest.fixture
def ledger(settings: LedgerSettings) -> Iterator[Ledger]:
    """A fresh, uninitialised ledger on SQLite (the root ``kit`` fixture initialises it)."""
    opened = Ledger(settings)
    yield opened
    opened.close()


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """A client of the web app whose requests carry the app's own Origin."""
    app = create_web_app(settings, ledger)
    with TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN}) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def demo(demo_template: DemoFiles) -> DemoFiles:
    """The demo's ledger and keys, loaded once for the session (the root ``demo_template``:
    each test that uses it serves a copy, ``tests.unit.web.demo_world.copy_demo``)."""
    return demo_template
