"""Processes opening a fresh PostgreSQL vault at the same moment all come up.

``CREATE TABLE IF NOT EXISTS`` is not safe against itself: two transactions creating the same
table both find it missing, and the second fails on the catalogue (a duplicate key in
``pg_type``'s unique index, or the relation already exists). The events tables are created
under the ledger's schema lock (``ledger.pg_connections.SCHEMA_LOCK_KEY``); so are the vault's
tables (``Vault``) and the sharded store's key database tables (``ShardedTokenKeyStore``).
Here several processes, released together round after round, each open a sharded store on a
new key database, then the vault of a new ledger (its tables in the test database).
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path

import psycopg
import pytest

from tests.card_stack import SoftHsmToken
from tests.conftest import PG_HOST, PG_PORT, PG_USER

PROCESSES = 4
ROUNDS = 8
"""Rounds of every process opening one new key database, then one new vault, together: without
the lock, 47 of the 64 opens failed in each of two runs (every round, both phases: each
process but the first to create a table), on a duplicate key in ``pg_type``."""


def _open_together(
    barrier: Barrier,
    failures: Path,
    token: tuple[str, str, str],
    rounds: list[tuple[str, str, str]],
) -> None:
    """In a process of its own: each round, with the others, open the sharded store on the
    round's key database, then (again with the others) the vault of the round's ledger, its
    key files in ``failures``' folder; each failure is written to ``failures`` (a file of
    the process's own). The token is opened at once too: the store's processes take turns on
    SoftHSM2's files themselves (``ledger.pkcs11_files``)."""
    from ledger.vault import Vault
    from ledger.vault_keys import KeyFileStore
    from ledger.vault_shards import ShardedTokenKeyStore

    module, label, pin = token
    with failures.open("w", encoding="utf-8") as report:
        for database_url, name, key_db in rounds:
            barrier.wait()
            try:
                ShardedTokenKeyStore(Path(module), label, pin, key_db, shards=4).close()
            except Exception as error:
                report.write(f"key database: {error!r}\n")
            barrier.wait()
            try:
                Vault(database_url, name, KeyFileStore(failures.parent / "keys")).close()
            except Exception as error:
                report.write(f"vault: {error!r}\n")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _admin(statement: str) -> None:
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(statement)


@pytest.fixture
def key_dbs() -> Iterator[list[str]]:
    """A new key database for each round (dropped after)."""
    names = [f"vault_keys_{uuid.uuid4().hex[:12]}" for _ in range(ROUNDS)]
    for name in names:
        _admin(f"CREATE DATABASE {name}")
    yield [f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}" for name in names]
    for name in names:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
@pytest.mark.slow
def test_processes_opening_a_new_vault_together_all_come_up(
    postgres_url: str, softhsm: SoftHsmToken, key_dbs: list[str], tmp_path: Path
) -> None:
    """Four processes open the same new vault and key database at once, eight times over:
    none fails, and each round's tables are there once."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(PROCESSES, timeout=120)
    rounds = [(postgres_url, f"t{uuid.uuid4().hex[:12]}", key_db) for key_db in key_dbs]
    token = (str(softhsm.module), softhsm.label, softhsm.pin)
    processes = [
        spawn.Process(
            target=_open_together,
            args=(barrier, tmp_path / f"failures-{n}", token, rounds),
        )
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)

    assert [0] * PROCESSES == [process.exitcode for process in processes]
    failed = [line for n in range(PROCESSES) for line in _lines(tmp_path / f"failures-{n}")]
    assert [] == failed
    with psycopg.connect(postgres_url) as connection:
        tables = {
            str(row[0])
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                ["t%_vault_%"],
            )
        }
    assert {f"{name}_vault_keys" for _, name, _ in rounds} <= tables
