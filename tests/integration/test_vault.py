"""The personal-data vault on SQLite and PostgreSQL, with key files and a SoftHSM2 token:
store, reveal, ciphertexts bound to person and field, erasure that survives a restored backup."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.commitments import Disclosure, commitment
from ledger.disclosed import Sealing
from ledger.domain.record_entries import RecordOpenedData
from ledger.vault import ErasedError, Vault
from ledger.vault_keys import KeyFileStore, KeyStore, TokenKeyStore
from ledger.vault_shards import ShardedTokenKeyStore
from tests.card_stack import SoftHsmToken

CID = "1999900005015"


def _sealing(subject: str, path: str, value: Any) -> Sealing:
    salt = uuid.uuid4().bytes * 2
    hexed = commitment(subject, path, salt, value)
    return Sealing(subject, {path: (hexed, Disclosure(value, salt))})


def _value(vault: Vault, sealing: Sealing) -> Any:
    """The value the vault keeps for the sealing's (only) commitment."""
    ((hexed, _),) = sealing.fields.values()
    return vault.disclosure(sealing.subject, hexed)[1].value


@pytest.fixture(params=["key files", "softhsm", "softhsm sharded"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KeyStore]:
    """Each key store in turn: development key files, a real SoftHSM2 token holding a KEK per
    person, and the token's shard KEKs with a key database of their own (an SQLite file)."""
    if request.param == "key files":
        yield KeyFileStore(tmp_path / "keks")
        return
    token: SoftHsmToken = request.getfixturevalue("softhsm")
    store = (
        TokenKeyStore(token.module, token.label, token.pin)
        if request.param == "softhsm"
        else ShardedTokenKeyStore(
            token.module, token.label, token.pin, tmp_path / "keys.sqlite", shards=16
        )
    )
    yield store
    store.close()


@pytest.fixture
def vault(backend_url: str, keys: KeyStore) -> Iterator[Vault]:
    """A vault with tables of its own on each backend."""
    opened = Vault(backend_url, f"v{uuid.uuid4().hex[:10]}", keys)
    yield opened
    opened.close()


def _rows(vault: Vault) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the vault's two tables, as a backup holds them."""
    with vault._database.transaction() as cursor:
        found = {}
        for table in (vault.keys_table, vault.fields_table):
            cursor.execute(f"SELECT * FROM {table}")
            found[table] = [tuple(row) for row in cursor.fetchall()]
    return found


def _restore(vault: Vault, backup: dict[str, list[tuple[Any, ...]]]) -> None:
    """Put a backup's rows back, as a restore of the database would."""
    with vault._database.transaction() as cursor:
        for table, rows in backup.items():
            cursor.execute(f"DELETE FROM {table}")
            for row in rows:
                marks = ", ".join("?" for _ in row)
                cursor.execute(f"INSERT INTO {table} VALUES ({marks})", list(row))


def test_stored_values_are_revealed_and_encrypted(vault: Vault) -> None:
    """A stored field reveals its value; its row holds neither the value nor the salt."""
    subject = str(uuid.uuid4())
    sealing = _sealing(subject, "first_name", "สมมติ")
    vault.store([sealing, sealing])  # the same commitment twice is kept once

    assert "สมมติ" == _value(vault, sealing)
    rows = _rows(vault)
    assert 1 == len(rows[vault.fields_table])
    raw = repr(rows)
    assert "สมมติ".encode() not in raw.encode()
    assert "สมมติ" not in raw
    assert sealing.fields["first_name"][1].salt.hex() not in raw


def test_a_batch_read_gives_what_single_reads_give_and_leaves_out_the_erased(
    vault: Vault,
) -> None:
    """``disclosures`` reads many people's fields together: each as ``disclosure`` reads it;
    an erased person's, and a commitment never kept, are left out."""
    people = [str(uuid.uuid4()) for _ in range(3)]
    sealings = [_sealing(person, path, f"{path} {n}") for n, person in enumerate(people)
                for path in ("first_name", "last_name")]  # fmt: skip
    vault.store(sealings)
    wanted = {(s.subject, hexed) for s in sealings for hexed, _ in s.fields.values()}
    assert vault.erase(people[2])

    found = vault.disclosures(wanted | {(people[0], "0" * 64)})

    assert {pair for pair in wanted if pair[0] != people[2]} == set(found)
    assert all(found[pair] == vault.disclosure(*pair) for pair in found)


def test_revealed_data_checks_each_commitment(vault: Vault) -> None:
    """A stored statement's data reads back with its kept values in place of commitments."""
    subject = str(uuid.uuid4())
    sealing = _sealing(subject, "cid", CID)
    vault.store([sealing])
    data = {"cid": {"commitment": sealing.fields["cid"][0]}, "lao": "6480101"}

    assert {"cid": CID, "lao": "6480101"} == vault.revealed_data(RecordOpenedData, subject, data)


def test_a_ciphertext_moved_to_another_person_does_not_open(vault: Vault) -> None:
    """The subject and path are associated data: a row copied to another person fails."""
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    sealings = [_sealing(first, "cid", CID), _sealing(second, "cid", "1999900000021")]
    vault.store(sealings)
    with vault._database.transaction() as cursor:
        cursor.execute(f"SELECT sealed FROM {vault.fields_table} WHERE subject = ?", [first])
        stolen = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE {vault.fields_table} SET sealed = ? WHERE subject = ?", [stolen, second]
        )

    with pytest.raises(ErasedError):
        _value(vault, sealings[1])
    assert CID == _value(vault, sealings[0])


def test_erasure_survives_a_restored_backup(vault: Vault) -> None:
    """Erase a person: their values are unreadable, also after restoring a backup taken
    before the erasure (opened with the current key store); another person's stay."""
    erased, kept = str(uuid.uuid4()), str(uuid.uuid4())
    sealings = [_sealing(erased, "cid", CID), _sealing(kept, "cid", "1999900000021")]
    vault.store(sealings)
    backup = _rows(vault)

    assert vault.erase(erased)
    with pytest.raises(ErasedError):
        _value(vault, sealings[0])
    _restore(vault, backup)

    with pytest.raises(ErasedError):
        _value(vault, sealings[0])
    assert "1999900000021" == _value(vault, sealings[1])


def test_a_copied_sqlite_file_taken_before_erasure_reveals_nothing(
    tmp_path: Path, keys: KeyStore
) -> None:
    """A file copy of the SQLite database taken before the erasure, opened after it with the
    current key store, reveals none of the erased person's values."""
    live = tmp_path / "live.sqlite"
    vault = Vault(f"sqlite:///{live}", "demo", keys)
    subject = str(uuid.uuid4())
    sealing = _sealing(subject, "cid", CID)
    vault.store([sealing])
    vault.close()
    shutil.copy(live, tmp_path / "backup.sqlite")
    again = Vault(f"sqlite:///{live}", "demo", keys)
    again.erase(subject)
    again.close()

    restored = Vault(f"sqlite:///{tmp_path / 'backup.sqlite'}", "demo", keys)
    with pytest.raises(ErasedError):
        _value(restored, sealing)
    restored.close()


def test_two_keys_made_at_once_on_a_token_both_unwrap_and_both_go(softhsm: SoftHsmToken) -> None:
    """Two processes making a person's first key at once leave two token keys of one label:
    a data key wrapped under either unwraps, and erasure destroys both."""
    first = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    second = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    subject = str(uuid.uuid4())
    wrapped = first.wrap(subject, b"\x07" * 32)
    label = first._keys(subject)[0].label
    second._session.generate_key(first._p11.KeyType.AES, 256, label=label, store=True)
    later = second._keys(subject)[-1].encrypt(
        b"\x08" * 32,
        mechanism=second._p11.Mechanism.AES_GCM,
        mechanism_param=second._params(b"\x00" * 12, subject),
    )

    assert 2 == len(first._keys(subject))
    assert b"\x07" * 32 == second.unwrap(subject, wrapped)
    assert b"\x08" * 32 == first.unwrap(subject, b"\x00" * 12 + bytes(later))
    assert first.destroy(subject)
    with pytest.raises(ErasedError):
        second.unwrap(subject, wrapped)
    first.close()
    second.close()


def test_a_kept_handle_stops_opening_once_another_process_destroys_the_key(
    softhsm: SoftHsmToken,
) -> None:
    """The token key store keeps the handle of the KEK that last opened a person's data key
    (no scan of the token's objects per unwrap); once another process destroys that key the
    handle opens nothing, and the person is erased for this process too."""
    store = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    subject = str(uuid.uuid4())
    wrapped = store.wrap(subject, b"\x07" * 32)
    assert b"\x07" * 32 == store.unwrap(subject, wrapped)
    assert subject in store._handles
    code = (
        "import sys; from pathlib import Path; from ledger.vault_keys import TokenKeyStore; "
        "s = TokenKeyStore(Path(sys.argv[1]), sys.argv[2], sys.argv[3]); "
        "sys.exit(0 if s.destroy(sys.argv[4]) else 1)"
    )
    destroyed = subprocess.run(
        [sys.executable, "-c", code, str(softhsm.module), softhsm.label, softhsm.pin, subject],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )

    assert 0 == destroyed.returncode
    with pytest.raises(ErasedError):
        store.unwrap(subject, wrapped)
    assert subject not in store._handles
    store.close()
