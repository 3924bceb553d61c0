"""Processes opening one SoftHSM2 token at the same moment all come up, and make each key once.

The compose deployment starts API workers, publishers and projections together on one token
volume. SoftHSM2 2.6.1 (Debian's) writes ``token.object`` at every login, and writes an object
file when it makes a key, after releasing its file lock (upstream fixed it in 2.7.0, "Flush
files before unlocking"): a process reading the token meanwhile reads a truncated file, and
its token is gone for the rest of its life (``NoSuchToken`` when the process was loading the
module, ``GeneralError`` from ``get_token`` or the login after). ``ledger.pkcs11_files``
makes our processes take turns on the token's files (docs/personal-data.md).

Each round starts new processes (each loads the module, as a worker does at start) and
releases them together: each opens a sharded store on the round's key database, and in the
rounds that make keys, wraps a data key for the same people (their shard KEKs made now) and
for one person under a per-person KEK (``TokenKeyStore``: every process makes it at once).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import secrets
import sqlite3
from collections import Counter
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from tests.card_stack import SoftHsmToken

PROCESSES = 4
ROUNDS = 10
"""Without the turns on the token's files, in eight runs: 9, 13, 9, 5, 4, 5, 8 and 12 of the
40 opens failed (``NoSuchToken`` at the module's load, ``GeneralError`` from ``get_token``,
once ``MechanismInvalid``), and the person every process made a KEK for at once had two or
three KEKs (in one run, in three of the five rounds that make keys). With them: none, in
six runs."""
SHARDS = 8


def _open_together(
    barrier: Barrier,
    failures: Path,
    token: tuple[str, str, str],
    key_db: str,
    make_keys: bool,
    person: str,
) -> None:
    """In a process of its own: load the module, open the sharded store (and when
    ``make_keys``, wrap keys) at the moment the others do; a failure is written to
    ``failures`` (the process's own file)."""
    from ledger.vault_keys import TokenKeyStore
    from ledger.vault_shards import ShardedTokenKeyStore

    module, label, pin = token
    with failures.open("w", encoding="utf-8") as report:
        barrier.wait()
        try:
            store = ShardedTokenKeyStore(Path(module), label, pin, key_db, shards=SHARDS)
            try:
                if make_keys:
                    store.wrap_each({f"subject-{n}": secrets.token_bytes(32) for n in range(6)})
                    per_person = TokenKeyStore(Path(module), label, pin)
                    try:
                        per_person.wrap(person, secrets.token_bytes(32))
                    finally:
                        per_person.close()
            finally:
                store.close()
        except Exception as error:
            report.write(f"{type(error).__name__}: {error}\n")


def _store_id(key_db: Path) -> str:
    """The store id a key database was made with (its shard KEKs' labels carry it)."""
    with contextlib.closing(sqlite3.connect(key_db)) as connection:
        return str(connection.execute("SELECT store FROM vault_key_store").fetchone()[0])


def _labels(token: SoftHsmToken) -> Counter[str]:
    """How many secret keys of the token carry each label."""
    import pkcs11

    from ledger.pkcs11_modules import close_session, module_lock, open_session

    with module_lock(token.module):
        found = pkcs11.lib(str(token.module)).get_token(token_label=token.label)
        session, login = open_session(token.module, found, token.pin)
        try:
            return Counter(
                str(key.label)
                for key in session.get_objects(
                    {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.SECRET_KEY}
                )
            )
        finally:
            close_session(session, login)


@pytest.mark.slow
def test_processes_opening_one_token_together_all_come_up(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """Ten rounds of four new processes opening the token at once, every other round making
    shard KEKs and one person's KEK together: every open succeeds, and each key is made
    once."""
    from ledger.vault_keys import key_name

    spawn = multiprocessing.get_context("spawn")
    token = (str(softhsm.module), softhsm.label, softhsm.pin)
    failed: list[str] = []
    people: list[str] = []
    for round_ in range(ROUNDS):
        make_keys = round_ % 2 == 1
        person = f"person-{secrets.token_hex(6)}"
        people += [person] * make_keys
        barrier = spawn.Barrier(PROCESSES, timeout=120)
        key_db = str(tmp_path / f"keys-{round_}.sqlite")
        reports = [tmp_path / f"failures-{round_}-{n}" for n in range(PROCESSES)]
        processes = [
            spawn.Process(
                target=_open_together,
                args=(barrier, report, token, key_db, make_keys, person),
            )
            for report in reports
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=300)
        assert [0] * PROCESSES == [process.exitcode for process in processes]
        failed += [
            f"round {round_}: {line}"
            for report in reports
            for line in report.read_text(encoding="utf-8").splitlines()
        ]

    labels = _labels(softhsm)
    stores = [_store_id(tmp_path / f"keys-{round_}.sqlite") for round_ in range(ROUNDS)]
    made_twice = [
        f"{label} x{count}"
        for label, count in labels.items()
        if count > 1
        and (
            any(label.startswith(f"vault-shard:{store}:") for store in stores)
            or label in {f"vault:{key_name(person)}" for person in people}
        )
    ]
    assert ([], []) == (failed, made_twice)
    assert all(labels[f"vault:{key_name(person)}"] == 1 for person in people)
