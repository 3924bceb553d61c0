"""PostgreSQL restarted under a served API: 503 with Retry-After while it is down, then recovery.

A real uvicorn process serves the ledger while clients keep submitting statements; the test
stops the shared PostgreSQL cluster for a few seconds and starts it again (one restart per
run: other sessions' tests use the same server). While it is down the API must answer 503
``database-unavailable`` with Retry-After at once, never 500 and never holding a request;
once it is back, every request sent to the same API process succeeds: not one fails on a
pooled connection the restart closed (``ledger.pg_connections`` replaces them before use).
Every statement it accepted is in the ledger; a statement refused with 503 is safe to send
again: each one lands. The same drill runs on a database of its own closed to connections
(its connections ended as a shutdown ends them), which needs no restart of the shared server."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH, SignedStatement
from tests.conftest import PG_HOST, PG_PORT, PG_USER
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.served_api import UVICORN, listening, wait_for_health
from tests.unit.api.http_kit import body

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OUTAGE_SECONDS = 3.0
RECOVERY_SECONDS = 10.0
CLIENTS = 4  # at once, so the API's pool holds several connections when the server goes


def _cluster() -> list[str]:
    """``VERSION NAME`` of the local cluster the tests' server runs on. The drill restarts it,
    so it fails, saying why, where it cannot (a remote server, no Debian cluster tools, not
    root): like every service the suite needs, it is set up by ``make services``."""
    if PG_HOST not in ("127.0.0.1", "localhost") or shutil.which("pg_lsclusters") is None:
        pytest.fail(
            "the restart drill needs the local Debian PostgreSQL cluster (pg_lsclusters, "
            "TEST_PG_HOST on loopback): run `make services` as root"
        )
    if os.geteuid() != 0:
        pytest.fail("the restart drill restarts the cluster with pg_ctlcluster: run it as root")
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    )
    for line in listing.stdout.splitlines():
        version, name, port, *_ = line.split()
        if int(port) == PG_PORT:
            return [version, name]
    pytest.fail(f"no local cluster listens on port {PG_PORT} (pg_lsclusters): run `make services`")


def _pg_ctl(cluster: list[str], action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, *(
            ["-m", "fast"] if action == "stop" else [])],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@dataclass
class Answer:
    at: float
    seconds: float  # how long the answer took

    @property
    def sent(self) -> float:
        return self.at - self.seconds

    status: int  # 0: no HTTP answer at all
    retry_after: str | None
    problem: str | None
    signed: SignedStatement


class Client(threading.Thread):
    """Submits a new record (signed offline: no database needed) again and again."""

    def __init__(self, kit: LedgerKit, url: str, first: int) -> None:
        super().__init__(daemon=True)
        self.kit = kit
        self.first = first
        self.url = url
        self.answers: list[Answer] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=15) as http:
            for n in range(10_000):
                if self.halt.is_set():
                    return
                signed = self.kit.sign(
                    self.kit.hr,
                    stream=uuid.uuid4(),
                    type="RecordOpened",
                    data=record_data(cid=made_up_cid(self.first + n)),
                    expected_version=0,
                    prev_hash=GENESIS_PREV_HASH,
                )
                self.answers.append(self._send(http, signed))
                self.halt.wait(0.05)

    def _send(self, http: httpx.Client, signed: SignedStatement) -> Answer:
        began = time.monotonic()
        try:
            response = http.post(f"{self.url}/statements", json=body(signed))
        except httpx.TransportError:
            return Answer(time.monotonic(), time.monotonic() - began, 0, None, None, signed)
        problem = response.json().get("type") if response.status_code >= 400 else None
        return Answer(
            time.monotonic(),
            time.monotonic() - began,
            response.status_code,
            response.headers.get("Retry-After"),
            problem,
            signed,
        )


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own: its outage is closing it to connections."""
    dbname = f"ledger_outage_{uuid.uuid4().hex[:12]}"
    with DatabaseJanitor(user=PG_USER, host=PG_HOST, port=PG_PORT, dbname=dbname):
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def _kit(database_url: str) -> Iterator[LedgerKit]:
    ledger = Ledger(LedgerSettings(database_url=database_url, name=f"r{uuid.uuid4().hex[:10]}"))
    yield build_kit(ledger)
    ledger.close()


@pytest.fixture
def kit(postgres_url: str) -> Iterator[LedgerKit]:
    yield from _kit(postgres_url)


@pytest.fixture
def own_kit(own_database: str) -> Iterator[LedgerKit]:
    yield from _kit(own_database)


def _accepted(clients: list[Client], since: float = 0.0) -> int:
    return sum(a.status == 201 and a.sent > since for c in clients for a in c.answers)


def _wait_for(clients: list[Client], count: int, since: float, deadline: float) -> None:
    while _accepted(clients, since) < count:
        if time.monotonic() > deadline:
            statuses = [a.status for c in clients for a in c.answers if a.sent > since]
            pytest.fail(f"no {count} statements accepted: {statuses}")
        time.sleep(0.05)


def _outage(
    stop: Callable[[], None], start: Callable[[], None], clients: list[Client]
) -> tuple[float, float]:
    """Stop the database for OUTAGE_SECONDS and start it again while the clients write."""
    _wait_for(clients, 3 * CLIENTS, 0.0, time.monotonic() + 30)
    down = time.monotonic()
    try:
        stop()
        time.sleep(OUTAGE_SECONDS)
    finally:
        start()
    up = time.monotonic()
    _wait_for(clients, 5 * CLIENTS, up, up + RECOVERY_SECONDS)
    for client in clients:
        client.halt.set()
    for client in clients:
        client.join(30)
    return down, up


def _drill(
    kit: LedgerKit, tmp_path: Path, stop: Callable[[], None], start: Callable[[], None]
) -> None:
    """Clients write through a served API while the database is stopped and started: 503 +
    Retry-After meanwhile, never 500 nor a dropped connection, none held for long; once it is
    back not one request fails; nothing accepted is lost."""
    settings = kit.ledger.settings
    env = {**os.environ, "LEDGER_DATABASE_URL": settings.database_url,
           "LEDGER_NAME": settings.name}  # fmt: skip
    with listening(UVICORN, env, tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        clients = [Client(kit, url, 70_000 + 10_000 * n) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        down, up = _outage(stop, start, clients)
        log = (tmp_path / "uvicorn.log").read_text(errors="replace")
    answers = sorted((a for c in clients for a in c.answers), key=lambda a: a.at)
    during = [a for a in answers if down < a.at <= up]
    after = [a for a in answers if a.sent > up]
    refused = [a for a in answers if a.status == 503]
    print(
        f"PostgreSQL down {up - down:.1f} s, {CLIENTS} clients: {len(during)} answers "
        f"meanwhile, {len(refused)} were 503 (the slowest in "
        f"{max((a.seconds for a in refused), default=0):.2f} s); {len(after)} requests sent "
        f"after it was back, {sum(a.status != 201 for a in after)} failed, the slowest "
        f"answered in {max((a.seconds for a in after), default=0):.2f} s"
    )

    assert 500 not in {a.status for a in answers}, log[-3000:]
    assert 0 not in {a.status for a in answers}
    assert {(503, "2", "urn:thai-lgov-ledger:problem:database-unavailable")} == {
        (a.status, a.retry_after, a.problem) for a in answers if a.status not in (201, 200)
    }
    assert any(a.status == 503 for a in during)
    assert [] == [(a.status, a.problem) for a in after if a.status != 201]
    assert all(a.seconds < OUTAGE_SECONDS for a in answers), "a request was held"
    # The kit's own pool held connections the outage closed: it reads and writes at once.
    for answer in answers:
        if answer.status == 201:
            assert 1 == kit.ledger.aggregate(answer.signed.statement.stream).version
    for answer in answers:
        if answer.status == 503:
            assert 1 == kit.ledger.submit(answer.signed.canonical, answer.signed.signature).version


def test_api_answers_503_while_postgres_restarts_and_recovers_by_itself(
    kit: LedgerKit, tmp_path: Path
) -> None:
    """The shared cluster stopped (fast shutdown) for 3 s and started again."""
    cluster = _cluster()
    _drill(kit, tmp_path, lambda: _pg_ctl(cluster, "stop"), lambda: _pg_ctl(cluster, "start"))


def _allow_connections(database_url: str, allowed: bool) -> None:
    dbname = urlsplit(database_url).path.lstrip("/")
    admin_url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:  # every connection ended as a shutdown ends them (57P01)
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s",
                (dbname,),
            )


def test_api_answers_503_while_its_database_is_closed_and_recovers_by_itself(
    own_kit: LedgerKit, tmp_path: Path
) -> None:
    """The same drill on a database of its own, closed to connections with every connection
    ended, then opened again: to the API, an outage of the server, without stopping the
    server the other tests share (so it runs with them)."""
    url = own_kit.ledger.settings.database_url
    _drill(
        own_kit,
        tmp_path,
        lambda: _allow_connections(url, False),
        lambda: _allow_connections(url, True),
    )
