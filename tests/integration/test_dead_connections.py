"""Connections the server closed (as a PostgreSQL restart closes them all) cost no request.

``pg_terminate_backend`` ends a backend exactly as a fast shutdown does (57P01, then the socket
closes), so these tests kill every connection the ledger, the vault, a view database and the
access log hold on this test's database, without restarting the shared server, and then use
each at once: nothing fails, and nothing waits on the library's retry or the pool's backoff.
The restart drill itself is tests/integration/test_postgres_restart.py.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.persistence import OperationalError as StoreOperationalError
from pytest_postgresql.janitor import DatabaseJanitor

from ledger.application import Ledger
from ledger.pg_connections import connect, hung_up
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH
from ledger.vault import Vault
from ledger.vault_keys import ErasedError, KeyFileStore
from projections.access_log import AccessLog
from projections.store import ViewDatabase
from tests.conftest import PG_HOST, PG_PORT, PG_USER
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid

pytestmark = pytest.mark.postgres

FAST = 0.5  # seconds: well under the library's retry wait (0.2 s each) times a few dead ones


def _admin(url: str) -> psycopg.Connection[Any]:
    """A connection to the server's ``postgres`` database."""
    return connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def _terminate_all(url: str) -> int:
    """End every other backend on the URL's database, waiting until each has exited."""
    dbname = urlsplit(url).path.lstrip("/")
    with _admin(url) as admin:
        pids = [
            row[0]
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            )
        ]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    time.sleep(0.05)  # the FIN reaches our sockets
    return len(pids)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of this test's own (not the session's): the tests end every connection on it."""
    dbname = f"ledger_dead_{uuid.uuid4().hex[:12]}"
    with DatabaseJanitor(user=PG_USER, host=PG_HOST, port=PG_PORT, dbname=dbname):
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


@pytest.fixture
def kit(postgres_url: str) -> Iterator[LedgerKit]:
    name = f"d{uuid.uuid4().hex[:10]}"
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=name, pool_size=6))
    yield build_kit(ledger)
    ledger.close()


def _open_record(kit: LedgerKit, n: int) -> uuid.UUID:
    stream = uuid.uuid4()
    signed = kit.sign(
        kit.hr,
        stream=stream,
        type="RecordOpened",
        data=record_data(cid=made_up_cid(80_000 + n)),
        expected_version=0,
        prev_hash=GENESIS_PREV_HASH,
    )
    kit.ledger.submit(signed.canonical, signed.signature)
    return stream


def test_hung_up_sees_a_closed_connection_without_a_round_trip(postgres_url: str) -> None:
    with connect(postgres_url) as connection:
        assert not hung_up(connection)
        assert 1 == _terminate_all(postgres_url)
        assert hung_up(connection)


def test_the_pool_replaces_every_dead_connection_before_a_request_draws_it(
    kit: LedgerKit,
) -> None:
    """Six pooled connections killed at once: the next reads and writes all succeed, fast."""
    streams = [_open_record(kit, n) for n in range(3)]
    with ThreadPoolExecutor(6) as threads:  # use every pooled connection at once
        list(threads.map(lambda _: kit.ledger.stream_events(streams[0]), range(24)))
    assert _terminate_all(kit.ledger.settings.database_url) >= 6

    began = time.monotonic()
    for stream in streams:
        assert 1 == len(kit.ledger.stream_events(stream))  # the ledger's own query, no retry
        assert 1 == kit.ledger.aggregate(stream).version
    _open_record(kit, 3)
    assert time.monotonic() - began < FAST


def test_own_connections_reconnect_after_the_server_closed_them(
    postgres_url: str, tmp_path: Path
) -> None:
    """The vault, a view database and the access log each hold one connection of their own."""
    name = f"o{uuid.uuid4().hex[:10]}"
    vault = Vault(postgres_url, name, KeyFileStore(tmp_path / "keks"))
    views = ViewDatabase(postgres_url)
    log = AccessLog(postgres_url, name)
    try:
        assert _terminate_all(postgres_url) >= 3
        began = time.monotonic()
        with pytest.raises(ErasedError):  # nothing kept for it
            vault.disclosure(str(uuid.uuid4()), "0" * 64)
        with views.transaction() as cursor:
            cursor.execute("SELECT 1")
            assert (1,) == cursor.fetchone()
        assert 1 == log.append(
            records=[uuid.uuid4()],
            reader_cid=made_up_cid(1),
            reader_key="k",
            roles=["auditor"],
            endpoint="/records",
            kinds=["identity"],
        )
        assert time.monotonic() - began < FAST
    finally:
        for closing in (vault, views, log):
            closing.close()


def test_a_connection_in_use_is_left_to_its_user(postgres_url: str) -> None:
    """Inside a transaction the check reads nothing (the socket is its user's)."""
    with connect(postgres_url) as connection, connection.transaction():
        connection.execute("SELECT 1")
        assert not hung_up(connection)
        _terminate_all(postgres_url)
        assert not hung_up(connection)
        with pytest.raises(psycopg.OperationalError):
            connection.execute("SELECT 1")


def _allow_connections(url: str, allowed: bool) -> None:
    """Open or close the URL's database to connections (closing also ends every one it has):
    to its clients, an outage of the server, without stopping the shared server."""
    dbname = urlsplit(url).path.lstrip("/")
    with _admin(url) as admin:
        admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS {str(allowed).lower()}')
    if not allowed:
        _terminate_all(url)


def test_while_the_database_is_unreachable_requests_fail_at_once_then_succeed_at_once(
    kit: LedgerKit,
) -> None:
    """No request waits on the pool's timeout (5 s, retried ten times by the library) while
    the database is out of reach; the first request once it is back succeeds."""
    stream = _open_record(kit, 0)
    url = kit.ledger.settings.database_url
    _allow_connections(url, False)
    try:
        for _ in range(3):
            began = time.monotonic()
            with pytest.raises(StoreOperationalError):
                kit.ledger.stream_events(stream)
            assert time.monotonic() - began < 4  # the library's ten retries, 0.2 s apart
    finally:
        _allow_connections(url, True)
    began = time.monotonic()
    assert 1 == len(kit.ledger.stream_events(stream))
    _open_record(kit, 1)
    assert time.monotonic() - began < FAST
