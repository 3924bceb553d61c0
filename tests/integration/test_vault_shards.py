"""The sharded token key store (ledger.vault_shards) on a real SoftHSM2 token: shard KEKs on the
token, wrapped data keys in a key database of its own, erasure by rotating the person's shard,
so neither a copy of the ledger's database nor one of the key database brings the person back."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import ledger.vault as vault_module
from ledger.settings import LedgerSettings
from ledger.vault import PER_PERSON_WARNING, Vault, open_vault
from ledger.vault_keys import ErasedError, TokenKeyStore, key_name
from ledger.vault_shards import REFERENCE, ShardedTokenKeyStore
from tests.card_stack import SoftHsmToken
from tests.integration.test_vault import _sealing, _value
from tests.vault_kit import key_database

SHARDS = 4
ROOT = Path(__file__).resolve().parents[2]


def _store(token: SoftHsmToken, key_db: str | Path) -> ShardedTokenKeyStore:
    return ShardedTokenKeyStore(token.module, token.label, token.pin, key_db, shards=SHARDS)


@pytest.fixture(params=["sqlite", "postgres"])
def key_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A key database of its own: an SQLite file, or a fresh PostgreSQL database."""
    with key_database(request.param == "postgres", tmp_path) as url:
        yield url


@pytest.fixture
def store(softhsm: SoftHsmToken, key_db: str) -> Iterator[ShardedTokenKeyStore]:
    opened = _store(softhsm, key_db)
    yield opened
    opened.close()


def _people(store: ShardedTokenKeyStore) -> dict[str, bytes]:
    """Made-up subjects, at least three in every shard, each with a data key of its own."""
    people: dict[str, bytes] = {}
    while min(sum(store.shard_of(s) == k for s in people) for k in range(SHARDS)) < 3:
        people[str(uuid.uuid4())] = os.urandom(32)
    return people


def _labels(store: ShardedTokenKeyStore) -> set[str]:
    prefix = f"vault-shard:{store.store_id}:"
    objects = store._session.get_objects(
        {store._p11.Attribute.CLASS: store._p11.ObjectClass.SECRET_KEY}
    )
    return {str(key.label) for key in objects if str(key.label).startswith(prefix)}


def test_data_keys_round_trip_and_the_vault_gets_only_a_reference(
    store: ShardedTokenKeyStore,
) -> None:
    """wrap gives a short reference, no wrapped key; unwrap and unwrap_each give the data key
    back; the token holds one KEK per shard used, whatever the number of people."""
    people = _people(store)
    references = store.wrap_each(people)
    single = str(uuid.uuid4())
    references[single] = store.wrap(single, b"\x07" * 32)
    people[single] = b"\x07" * 32

    assert all(ref.startswith(REFERENCE) and len(ref) == 22 for ref in references.values())
    assert people == store.unwrap_each(references)
    assert b"\x07" * 32 == store.unwrap(single, references[single])
    assert {f"vault-shard:{store.store_id}:{k}:1" for k in range(SHARDS)} == _labels(store)
    with pytest.raises(ErasedError):
        store.unwrap(single, REFERENCE + b"0" * 16)


def test_an_erasure_rotates_only_its_shard(store: ShardedTokenKeyStore) -> None:
    """Erasing one person moves their shard to the next KEK generation (the old one destroyed)
    and no other shard; the shard's other people still open, the erased one does not."""
    people = _people(store)
    references = store.wrap_each(people)
    erased = next(iter(people))
    shard = store.shard_of(erased)
    before = store.generations()

    assert store.destroy(erased)
    assert not store.destroy(erased)  # nothing left to erase

    after = store.generations()
    assert before[shard] + 1 == after[shard]
    assert {k: g for k, g in before.items() if k != shard} == {
        k: g for k, g in after.items() if k != shard
    }
    with pytest.raises(ErasedError):
        store.unwrap(erased, references[erased])
    kept = {s: ref for s, ref in references.items() if s != erased}
    assert {s: people[s] for s in kept} == store.unwrap_each(kept)
    assert f"vault-shard:{store.store_id}:{shard}:{after[shard]}" in _labels(store)
    assert f"vault-shard:{store.store_id}:{shard}:{before[shard]}" not in _labels(store)


def test_a_key_database_copy_taken_before_the_erasure_opens_nobody_of_that_shard(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """A copy of the key database taken before an erasure, opened with the live token, holds
    the erased person's data key only under the destroyed KEK: it does not open, nor (the
    trade-off) do the shard's other people; other shards' people do. Opening the stale copy
    harms nothing live."""
    live_db = tmp_path / "keys.sqlite"
    live = _store(softhsm, live_db)
    people = _people(live)
    references = live.wrap_each(people)
    erased = next(iter(people))
    shard = live.shard_of(erased)
    shutil.copy(live_db, tmp_path / "backup.sqlite")
    assert live.destroy(erased)

    stale = _store(softhsm, tmp_path / "backup.sqlite")
    opened = stale.unwrap_each(references)

    assert erased not in opened
    assert {s for s in people if live.shard_of(s) != shard} == set(opened)
    assert all(opened[s] == people[s] for s in opened)
    kept = {s: ref for s, ref in references.items() if s != erased}
    assert {s: people[s] for s in kept} == live.unwrap_each(kept)
    stale.close()
    live.close()


def test_a_ledger_database_copy_holds_no_wrapped_key(softhsm: SoftHsmToken, tmp_path: Path) -> None:
    """With the sharded store the ledger's database keeps only references: a copy of it taken
    before the erasure holds none of the key database's wrapped keys, and reveals nothing of
    the erased person with the live store."""
    keys = _store(softhsm, tmp_path / "keys.sqlite")
    live = tmp_path / "ledger.sqlite"
    vault = Vault(f"sqlite:///{live}", "demo", keys)
    sealings = [_sealing(str(uuid.uuid4()), "cid", "1999900005015") for _ in range(6)]
    vault.store(sealings)
    vault.close()
    shutil.copy(live, tmp_path / "backup.sqlite")
    erased = sealings[0].subject
    again = Vault(f"sqlite:///{live}", "demo", keys)
    assert again.erase(erased)
    again.close()

    with sqlite3.connect(tmp_path / "keys.sqlite") as key_db:
        wrapped = [bytes(row[0]) for row in key_db.execute("SELECT wrapped FROM vault_key_wraps")]
    backup_bytes = (tmp_path / "backup.sqlite").read_bytes()
    with sqlite3.connect(tmp_path / "backup.sqlite") as backup:
        kept = [bytes(row[0]) for row in backup.execute("SELECT wrapped FROM demo_vault_keys")]
    assert 5 == len(wrapped)
    assert 6 == len(kept)
    assert all(ref.startswith(REFERENCE) and len(ref) == 22 for ref in kept)
    assert not any(blob in backup_bytes for blob in wrapped)
    restored = Vault(f"sqlite:///{tmp_path / 'backup.sqlite'}", "demo", keys)
    with pytest.raises(ErasedError):
        _value(restored, sealings[0])
    assert "1999900005015" == _value(restored, sealings[1])
    restored.close()
    keys.close()


def test_the_sweep_destroys_older_generations_and_a_rotation_takes_a_newer_orphan(
    softhsm: SoftHsmToken, key_db: str
) -> None:
    """A KEK older than its shard's generation (an erasure that crashed before its destroy) is
    destroyed at the next open; one newer (a rotation that crashed before its commit) is left,
    and the shard's next rotation takes it rather than making a second of that label."""
    first = _store(softhsm, key_db)
    people = _people(first)
    references = first.wrap_each(people)
    erased = next(iter(people))
    shard = first.shard_of(erased)
    with first._lock:
        first._make_kek(first._label(shard, 0))  # left by a crash after a rotation's commit
        first._make_kek(first._label(shard, 2))  # left by a crash before a rotation's commit
    first.close()

    second = _store(softhsm, key_db)
    assert 1 == second.swept
    labels = _labels(second)
    assert f"vault-shard:{second.store_id}:{shard}:0" not in labels
    assert f"vault-shard:{second.store_id}:{shard}:2" in labels
    assert second.destroy(erased)
    assert 1 == len(second._labelled(second._label(shard, 2)))
    assert 2 == second.generations()[shard]
    kept = {s: ref for s, ref in references.items() if s != erased}
    assert {s: people[s] for s in kept} == second.unwrap_each(kept)
    second.close()
    third = _store(softhsm, key_db)
    assert 0 == third.swept
    third.close()


def test_a_failed_rotation_changes_nothing(store: ShardedTokenKeyStore) -> None:
    """A rotation that cannot rewrap one of the shard's keys is rolled back whole: the
    generation stays, the person is not erased, everyone still opens."""
    people = _people(store)
    references = store.wrap_each(people)
    erased = next(iter(people))
    shard = store.shard_of(erased)
    other = next(s for s in people if s != erased and store.shard_of(s) == shard)
    before = store.generations()
    with store._db.transaction() as cursor:
        cursor.execute(
            "UPDATE vault_key_wraps SET wrapped = ? WHERE subject = ?",
            [b"\0" * 60, key_name(other)],
        )

    with pytest.raises(LookupError):
        store.destroy(erased)

    assert before == store.generations()
    assert people[erased] == store.unwrap(erased, references[erased])


def test_another_process_erases_and_a_store_with_kept_handles_follows(
    softhsm: SoftHsmToken, key_db: str
) -> None:
    """Two stores (this process, another) on one key database and token: this one has opened
    the whole shard (its handles kept); after the other erases one person, this one still
    opens the shard's other people (under the new KEK) and not the erased one."""
    store = _store(softhsm, key_db)
    people = _people(store)
    references = store.wrap_each(people)
    erased = next(iter(people))
    shard = store.shard_of(erased)
    assert people == store.unwrap_each(references)
    assert (shard, 1) in store._shard_handles
    other = next(s for s in people if s != erased and store.shard_of(s) == shard)
    ref = references[other][len(REFERENCE) :].decode()
    read_before = store._row(key_name(other), ref)  # a read that began before the erasure
    code = (
        "import sys; from pathlib import Path; from ledger.vault_shards import "
        "ShardedTokenKeyStore as S; s = S(Path(sys.argv[1]), sys.argv[2], sys.argv[3], "
        f"sys.argv[4], shards={SHARDS}); sys.exit(0 if s.destroy(sys.argv[5]) else 1)"
    )
    args = [str(softhsm.module), softhsm.label, softhsm.pin, key_db, erased]
    erasing = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )

    assert 0 == erasing.returncode
    assert store._open(key_name(other), read_before) is None  # the kept handle fails
    with pytest.raises(ErasedError):
        store.unwrap(erased, references[erased])
    kept = {s: ref for s, ref in references.items() if s != erased}
    assert {s: people[s] for s in kept} == store.unwrap_each(kept)
    assert (shard, 2) in store._shard_handles
    store.close()


def test_a_per_person_key_made_before_still_opens_and_goes_at_erasure(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """A token that held per-person KEKs (``TokenKeyStore``) moves to the sharded store: a data
    key wrapped per person before still unwraps, and an erasure destroys that KEK."""
    subject = str(uuid.uuid4())
    old = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    wrapped = old.wrap(subject, b"\x05" * 32)
    old.close()
    store = _store(softhsm, tmp_path / "keys.sqlite")

    assert b"\x05" * 32 == store.unwrap(subject, wrapped)
    assert store.destroy(subject)
    with pytest.raises(ErasedError):
        store.unwrap(subject, wrapped)
    store.close()


def test_the_settings_choose_the_key_store(
    softhsm: SoftHsmToken,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A token with a key database opens the sharded store; a token alone the per-person one,
    with a warning that it is for small deployments; a key database alone is refused."""
    token = {
        "vault_pkcs11_module": softhsm.module,
        "vault_token_label": softhsm.label,
        "vault_token_pin": softhsm.pin,
    }
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    monkeypatch.setattr(vault_module, "_warned", set())  # warned once per process
    sharded = LedgerSettings(
        database_url=url, vault_key_db=str(tmp_path / "keys.sqlite"), vault_key_shards=8, **token
    )
    with caplog.at_level(logging.WARNING, logger="ledger.vault"):
        vault = open_vault(sharded)
        assert vault is not None
        assert isinstance(vault._keys, ShardedTokenKeyStore)
        assert 8 == vault._keys.shards
        vault.close()
        assert not caplog.records
        per_person = open_vault(LedgerSettings(database_url=url, name="small", **token))
        assert per_person is not None
        assert type(per_person._keys) is TokenKeyStore
        per_person.close()
    assert [PER_PERSON_WARNING] == [record.msg for record in caplog.records]
    with pytest.raises(ValueError, match="made with 8 shards, not 1024"):
        open_vault(sharded.model_copy(update={"vault_key_shards": 1024}))
    with pytest.raises(ValueError, match="vault_key_db"):
        open_vault(LedgerSettings(database_url=url, vault_key_db=str(tmp_path / "k.sqlite")))


def test_two_stores_making_the_same_shards_at_once_make_one_kek_each(
    softhsm: SoftHsmToken, key_db: str
) -> None:
    """Two stores (sessions of their own) wrapping the first people of the same shards at once:
    each shard gets one KEK (the second writer waits on the first's new shard row and uses its
    KEK), and either store opens everything both wrapped."""
    stores = [_store(softhsm, key_db), _store(softhsm, key_db)]
    people = [_people(stores[0]), _people(stores[0])]
    with ThreadPoolExecutor(2) as pool:
        wrapped = list(pool.map(lambda n: stores[n].wrap_each(people[n]), range(2)))

    assert {f"vault-shard:{stores[0].store_id}:{k}:1" for k in range(SHARDS)} == _labels(stores[0])
    for k in range(SHARDS):
        assert 1 == len(stores[0]._labelled(stores[0]._label(k, 1)))
    everyone = {**people[0], **people[1]}
    assert everyone == stores[1].unwrap_each({**wrapped[0], **wrapped[1]})
    assert everyone == stores[0].unwrap_each({**wrapped[0], **wrapped[1]})
    for store in stores:
        store.close()
