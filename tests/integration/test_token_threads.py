"""Token key stores of one process sharing a token (ledger.vault_keys): threads at once, and
one store closing while another stays.

python-pkcs11 loads a PKCS#11 module once per process and initialises it with
``C_Initialize(NULL)``: no CKF_OS_LOCKING_OK, so SoftHSM2 turns its own mutexes off and
expects one call at a time into the module. Two stores (two ledgers, or the API's vault and a
views worker's) on one token share it; a lock per store let their threads into the module at
once (``GeneralError`` in ``C_FindObjectsInit``, once a segfault). The workload runs in a
subprocess so that a crash fails the test rather than pytest. A login is the process's too:
closing the session that logged in logged every other store out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from ledger.vault_keys import ErasedError, TokenKeyStore
from ledger.vault_shards import ShardedTokenKeyStore
from tests.card_stack import SoftHsmToken

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 4.0
THREADS_PER_STORE = 2
SHARDS = 16


def _opener(module: Path, label: str, pin: str, kind: str, folder: Path) -> TokenKeyStore:
    """A store of ``kind``: ``token`` (per person) or ``sharded:<key database name>``."""
    if kind == "token":
        return TokenKeyStore(module, label, pin)
    key_db = folder / f"{kind.split(':', 1)[1]}.sqlite"
    return ShardedTokenKeyStore(module, label, pin, key_db, shards=SHARDS)


def _subject(store: TokenKeyStore, lane: int, lanes: int) -> str:
    """A made-up subject in a shard only this thread uses (an erasure rotating a shard another
    thread reads meanwhile may rightly refuse a key: not what this test is about)."""
    while True:
        subject = str(uuid.uuid4())
        if not isinstance(store, ShardedTokenKeyStore) or store.shard_of(subject) % lanes == lane:
            return subject


def _round(store: TokenKeyStore, fresh: TokenKeyStore, lane: int, lanes: int) -> None:
    """Wrap, unwrap (a kept handle), unwrap in a fresh store (a find), an HMAC, destroy."""
    subject, data_key = _subject(store, lane, lanes), os.urandom(32)
    wrapped = store.wrap(subject, data_key)
    if store.unwrap(subject, wrapped) != data_key or fresh.unwrap(subject, wrapped) != data_key:
        raise AssertionError("a data key did not come back")
    store.search_hmac(f"threads-{lane}", subject.encode(), create=True)
    if not store.destroy(subject):
        raise AssertionError("a key to destroy was not found")
    try:
        store.unwrap(subject, wrapped)
    except ErasedError:
        return
    raise AssertionError("a destroyed key still opened")


def workload(module: str, label: str, pin: str, folder: str, kinds: str) -> None:
    """Two stores (``kinds``, comma-separated) on one token, ``THREADS_PER_STORE`` threads
    each doing rounds for ``SECONDS``, each round opening a fresh store of its kind (its
    first unwraps find by label); prints the rounds, exits 1 with the errors' types."""
    where, path = Path(folder), Path(module)
    stores = [_opener(path, label, pin, kind, where) for kind in kinds.split(",")]
    lanes = len(stores) * THREADS_PER_STORE
    errors: list[str] = []
    rounds = [0] * lanes
    stop = time.monotonic() + SECONDS

    def work(lane: int) -> None:
        store = stores[lane % len(stores)]
        kind = kinds.split(",")[lane % len(stores)]
        try:
            while time.monotonic() < stop:
                fresh = _opener(path, label, pin, kind, where)
                _round(store, fresh, lane, lanes)
                fresh.close()
                rounds[lane] += 1
        except Exception as error:  # reported by type: the test fails on it
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(lane,)) for lane in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    print(f"rounds {sum(rounds)} {rounds}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


def run_workload(module: str, args: list[str]) -> None:
    """Run ``module.workload(*args)`` in a subprocess (a crash fails the test, not pytest):
    it exits 0 with nothing on stderr and prints its rounds."""
    code = f"import sys; from {module} import workload; workload(*sys.argv[1:])"
    ran = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (0, "") == (ran.returncode, ran.stderr[-2000:]), ran.stdout
    assert ran.stdout.startswith("rounds ")


@pytest.mark.parametrize(
    "kinds", ["token,sharded:first", "sharded:first,sharded:second"], ids=["per-person", "shards"]
)
def test_two_stores_on_one_token_used_from_threads_at_once(
    softhsm: SoftHsmToken, tmp_path: Path, kinds: str
) -> None:
    """Two token stores of one process on one token, several threads each wrapping,
    unwrapping (fresh stores: finds), destroying for seconds: no token error, no crash."""
    run_workload(
        "tests.integration.test_token_threads",
        [str(softhsm.module), softhsm.label, softhsm.pin, str(tmp_path), kinds],
    )


def test_a_store_closing_leaves_the_other_stores_of_the_token_logged_in(
    softhsm: SoftHsmToken,
) -> None:
    """The first store of a token logs the process in; once it closes, a second store still
    finds and opens a key the first wrapped, and makes new ones (not ``ErasedError``)."""
    first = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    second = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    subject = str(uuid.uuid4())
    wrapped = first.wrap(subject, b"\x07" * 32)

    first.close()
    first.close()  # twice: still one store less

    assert b"\x07" * 32 == second.unwrap(subject, wrapped)
    assert second.wrap(str(uuid.uuid4()), b"\x08" * 32)
    assert second.destroy(subject)
    second.close()
