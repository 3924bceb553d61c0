"""Fixtures of the API tests: a ledger on SQLite in a temporary file, and its app's client.

``ledger`` overrides the root fixture of the same name (which runs on every backend), so the
root ``kit`` fixture initialises this SQLite ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.settings import LedgerSettings
from tests.conftest import NO_VAULT
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, enrol
from tests.people import made_up_cid

SESSION_SECRET = "api-tests-session-secret-0123456789"


@pytest.fixture
def settings(tmp_path: Path) -> LedgerSettings:
    """Settings of a ledger in a fresh SQLite file, with a known session secret and no vault
    (the API's contract signs v1; the tests of personal data configure a vault)."""
    return LedgerSettings.model_validate(
        {"database_url": f"sqlite:///{tmp_path}/l.sqlite", "session_secret": SESSION_SECRET}
        | NO_VAULT
    )


@pytest.fixture
def ledger(settings: LedgerSettings) -> Iterator[Ledger]:
    """A fresh, uninitialised ledger on SQLite."""
    opened = Ledger(settings)
    yield opened
    opened.close()


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """A client of the app serving ``ledger`` (lifespan started)."""
    with TestClient(create_app(settings, ledger)) as test_client:
        yield test_client


@pytest.fixture
def auditor(kit: LedgerKit) -> Operator:
    """An auditor with national scope."""
    operator = Operator(cid=made_up_cid(11))
    enrol(kit, operator, [Role.AUDITOR], NATIONAL)
    return operator


@pytest.fixture
def provincial_officer(kit: LedgerKit) -> Operator:
    """A provincial officer of นครพนม (the province of the kit's HR officer)."""
    operator = Operator(cid=made_up_cid(12))
    province = Scope(level="province", province=NAKHON_PHANOM_LAO.province)
    enrol(kit, operator, [Role.PROVINCIAL_OFFICER], province)
    return operator
