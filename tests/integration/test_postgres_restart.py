"""PostgreSQL restarted under a served API: 503 with Retry-After while it is down, then recovery.

A real uvicorn process serves the ledger while a client keeps submitting statements; the test
stops the shared PostgreSQL cluster for a few seconds and starts it again (one restart per
run: other sessions' tests use the same server). While it is down the API must answer 503
``database-unavailable`` with Retry-After, never 500; once it is back the same API process
must accept statements again within seconds, and every statement it accepted is in the ledger.
A statement refused with 503 is safe to send again: each one lands (or is found landed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH, SignedStatement
from tests.conftest import PG_HOST, PG_PORT
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.served_api import UVICORN, listening, wait_for_health
from tests.unit.api.http_kit import body

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OUTAGE_SECONDS = 3.0
RECOVERY_SECONDS = 10.0


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
    status: int  # 0: no HTTP answer at all
    retry_after: str | None
    problem: str | None
    signed: SignedStatement


class Client(threading.Thread):
    """Submits a new record (signed offline: no database needed) again and again."""

    def __init__(self, kit: LedgerKit, url: str) -> None:
        super().__init__(daemon=True)
        self.kit = kit
        self.url = url
        self.answers: list[Answer] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=15) as http:
            for n in range(100_000):
                if self.halt.is_set():
                    return
                signed = self.kit.sign(
                    self.kit.hr,
                    stream=uuid.uuid4(),
                    type="RecordOpened",
                    data=record_data(cid=made_up_cid(70_000 + n)),
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
def kit(postgres_url: str) -> Iterator[LedgerKit]:
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"r{uuid.uuid4().hex[:10]}"))
    yield build_kit(ledger)
    ledger.close()


def _wait_for(condition: Client, count: int, deadline: float) -> None:
    while sum(a.status == 201 for a in condition.answers) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"no {count} statements accepted: {[a.status for a in condition.answers]}")
        time.sleep(0.05)


def test_api_answers_503_while_postgres_restarts_and_recovers_by_itself(
    kit: LedgerKit, tmp_path: Path
) -> None:
    """Stopped for 3 s and started again: 503 + Retry-After meanwhile, never 500 nor a dropped
    connection; submissions succeed again within seconds; nothing accepted is lost."""
    cluster = _cluster()
    settings = kit.ledger.settings
    env = {**os.environ, "LEDGER_DATABASE_URL": settings.database_url,
           "LEDGER_NAME": settings.name}  # fmt: skip
    with listening(UVICORN, env, tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        client = Client(kit, url)
        client.start()
        _wait_for(client, 3, time.monotonic() + 30)
        down = time.monotonic()
        try:
            _pg_ctl(cluster, "stop")
            time.sleep(OUTAGE_SECONDS)
        finally:
            _pg_ctl(cluster, "start")
        up = time.monotonic()
        _wait_for(client, sum(a.status == 201 for a in client.answers) + 3, up + RECOVERY_SECONDS)
        client.halt.set()
        client.join(30)
        log = (tmp_path / "uvicorn.log").read_text(errors="replace")
    answers = client.answers
    during = [a for a in answers if down < a.at <= up]
    recovered = next(a.at for a in answers if a.at > up and a.status == 201)
    print(
        f"PostgreSQL down {up - down:.1f} s: {len(during)} answers meanwhile, "
        f"{sum(a.status == 503 for a in answers)} were 503 (the slowest in "
        f"{max(a.seconds for a in answers if a.status == 503):.1f} s); first 201 "
        f"{recovered - up:.1f} s after it started again"
    )

    assert 500 not in {a.status for a in answers}, log[-3000:]
    assert 0 not in {a.status for a in answers}
    assert {(503, "2", "urn:thai-lgov-ledger:problem:database-unavailable")} == {
        (a.status, a.retry_after, a.problem) for a in answers if a.status not in (201, 200)
    }
    assert any(a.status == 503 for a in during)
    # A new client of the ledger (the kit's pool still holds connections the restart killed).
    fresh = Ledger(settings)
    try:
        for answer in answers:
            if answer.status == 201:
                assert 1 == fresh.aggregate(answer.signed.statement.stream).version
        for answer in answers:
            if answer.status == 503:
                assert 1 == fresh.submit(answer.signed.canonical, answer.signed.signature).version
    finally:
        fresh.close()
