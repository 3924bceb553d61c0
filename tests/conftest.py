"""Fixtures shared by every test layer: the real PostgreSQL, a ledger per backend, the demo
loaded once per session."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.card_stack import *  # noqa: F403 - the card fixtures: pcscd, vpcd slots, SoftHSM2
from tests.demo_template import DemoFolder, build_template
from tests.kafka_kit import kafka_bootstrap  # noqa: F401 - the session's Kafka broker fixture
from tests.ledger_kit import LedgerKit, build_kit

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test session's own on the real PostgreSQL, dropped at the end."""
    if not _postgres_reachable():
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}. Start it with `make services` "
            "(or pg_ctlcluster --skip-systemctl-redirect 15 main start), or point TEST_PG_HOST/"
            "TEST_PG_PORT at a server."
        )
    dbname = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with DatabaseJanitor(user=PG_USER, host=PG_HOST, port=PG_PORT, dbname=dbname):
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


NO_VAULT = {"vault_beside_sqlite": False}
"""Settings of a ledger in an SQLite file that keeps no development vault beside it."""
NO_VAULT_ENV = {"LEDGER_VAULT_BESIDE_SQLITE": "false"}
"""The same for a command run with this environment (the command line's v1 tests: ``ledger
submit`` signs v1, which a ledger with a vault refuses when it holds a personal value)."""


@pytest.fixture(params=["postgres", "sqlite"])
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each storage backend in turn: the same contract holds on both."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('ledger')}/ledger.sqlite"


@pytest.fixture
def ledger(backend_url: str) -> Iterator[Ledger]:
    """A fresh, uninitialised ledger with tables of its own, with no vault on either backend
    (none beside the SQLite file either), so both run the same statements: the contract tests
    sign v1; a ledger with a vault, which takes only v2 personal values, is set up by the tests
    of personal data (``tests.ledger_kit.vault_settings``)."""
    settings = LedgerSettings.model_validate(
        {"database_url": backend_url, "name": f"t{uuid.uuid4().hex[:12]}"} | NO_VAULT
    )
    app = Ledger(settings)
    yield app
    app.close()


@pytest.fixture
def kit(ledger: Ledger) -> LedgerKit:
    """An initialised ledger with an admin and two HR officers in different LAOs."""
    return build_kit(ledger)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoFolder:
    """The demo as ``ledger demo --no-serve`` leaves it, loaded once for the session: each test
    that uses it works on a copy (``tests.demo_template.copy_template``), never on this."""
    return build_template(tmp_path_factory.mktemp("demo-template"))
