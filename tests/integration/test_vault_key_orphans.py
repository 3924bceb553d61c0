"""No wrapped data key left in the key database for a write that did not keep it.

The sharded token store (``ledger.vault_shards``) writes a new person's wrapped data key to its
own key database when the vault makes the write ready (``Vault.prepare``, ``Vault.store``,
``Vault.seal_document``), before the write's transaction: the key database is another
database, so it cannot commit with the events. A write that then fails, or whose first key
loses to another writer's, discards the wrapped keys it wrote that nothing references; the
ledger and its key database on PostgreSQL, and both in SQLite. A fault in the events'
transaction and a batch decided again are ``test_vault_with_events``'s (``unreferenced``).
An erased person stays erased; a refused batch never reaches the key store.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.disclosed import Sealing
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from ledger.vault import ErasedError, Vault
from ledger.vault_rows import VaultRows
from ledger.vault_shards import ShardedTokenKeyStore
from tests.card_stack import SoftHsmToken
from tests.integration.test_vault import _sealing, _value
from tests.integration.test_vault_with_events import (
    _v2_kit,
    sharded,
    unreferenced,
)
from tests.ledger_kit import LedgerKit, record_data, vault_settings
from tests.people import made_up_cid
from tests.vault_kit import key_database


@pytest.fixture
def settings(backend_url: str, tmp_path: Path, softhsm: SoftHsmToken) -> Iterator[LedgerSettings]:
    """A ledger whose vault keeps its persons' data keys wrapped in a key database, on each
    backend, the key database on the same."""
    with key_database(backend_url.startswith("postgresql"), tmp_path) as key_db:
        yield sharded(vault_settings(backend_url, tmp_path), softhsm, key_db)


@pytest.fixture
def kit(settings: LedgerSettings) -> Iterator[LedgerKit]:
    yield from _v2_kit(settings)


@pytest.fixture
def pg_kit(postgres_url: str, tmp_path: Path, softhsm: SoftHsmToken) -> Iterator[LedgerKit]:
    """A ledger and its key database on PostgreSQL."""
    with key_database(True, tmp_path) as key_db:
        yield from _v2_kit(sharded(vault_settings(postgres_url, tmp_path), softhsm, key_db))


def _vault(ledger: Ledger) -> Vault:
    assert isinstance(ledger.vault, Vault)
    return ledger.vault


def _store(vault: Vault) -> ShardedTokenKeyStore:
    assert isinstance(vault._keys, ShardedTokenKeyStore)
    return vault._keys


def _in_vault(vault: Vault, subject: str) -> set[str]:
    """The reference the vault holds for the person (none or one)."""
    with vault._database.transaction(write=False) as cursor:
        return {wrapped.decode() for wrapped in vault._wrapped(cursor, [subject]).values()}


def test_a_batch_refused_after_a_new_person_leaves_no_key(kit: LedgerKit) -> None:
    """A batch opens a new person's record, then holds a statement refused: one with a wrong
    disclosure (the door's check), one at a version the stream is not at (admission). Both
    are refused before the vault makes anything ready: no key of the new person anywhere."""
    stream = uuid.uuid4()
    first = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    wrong = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    kit.disclosed[wrong.hash]["cid"]["value"] = made_up_cid(932)
    late = kit.sign(
        kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(), expected_version=3
    )
    for refused in (wrong, late):
        disclosures = [kit.disclosed[first.hash], kit.disclosed[refused.hash]]
        with pytest.raises(LedgerError):
            kit.ledger.submit_batch(
                [(first.canonical, first.signature), (refused.canonical, refused.signature)],
                disclosures,
            )

    assert 0 == kit.ledger.head(stream)[0]
    assert set() == _in_vault(_vault(kit.ledger), str(stream))
    assert set() == unreferenced(_vault(kit.ledger), str(stream))


class _FailingStore(Vault):
    """A vault of its own transaction (the events elsewhere) whose write fails after the
    person's data key was made, wrapped and inserted."""

    def _rows(self, *args: Any, **kwargs: Any) -> VaultRows:
        raise RuntimeError("a fault in the vault's own transaction")


def test_a_failed_write_of_the_vault_alone_leaves_no_key(kit: LedgerKit) -> None:
    """``Vault.store`` (the events in another database) fails in its own transaction: no
    wrapped key of the person in the vault or the key database."""
    settings = kit.ledger.settings
    failing = _FailingStore(settings.database_url, settings.name, _vault(kit.ledger)._keys)
    subject = str(uuid.uuid4())
    try:
        with pytest.raises(RuntimeError):
            failing.store([_sealing(subject, "first_name", "สมศรี")])
    finally:
        failing.close()

    assert set() == _in_vault(_vault(kit.ledger), subject)
    assert set() == unreferenced(_vault(kit.ledger), subject)


class _SlowWrap:
    """The vault's key store, whose ``wrap_each`` lets another writer keep the same persons'
    first keys (its own vault, the store itself) before it returns, once."""

    def __init__(self, keys: ShardedTokenKeyStore, other: Vault) -> None:
        self._keys = keys
        self._other = other
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._keys, name)

    def wrap_each(self, data_keys: dict[str, bytes]) -> dict[str, bytes]:
        wrapped = self._keys.wrap_each(data_keys)
        if not self.raced:
            self.raced = True
            self._other.store(_sealings(list(data_keys)))
        return wrapped


def _sealings(subjects: Sequence[str]) -> list[Sealing]:
    return [_sealing(subject, "first_name", "สมศรี") for subject in subjects]


def test_a_first_key_lost_to_another_writer_is_not_left(pg_kit: LedgerKit) -> None:
    """Two vaults (processes) keep the same new persons' first keys at once (on PostgreSQL:
    the vault's transaction reads, then inserts; SQLite's takes its write lock first, so its
    writers never race so): the loser's wrapped keys are discarded, the winner's kept."""
    kit = pg_kit
    settings = kit.ledger.settings
    keys = _store(_vault(kit.ledger))
    other = Vault(settings.database_url, settings.name, keys)
    slow = Vault(settings.database_url, settings.name, _SlowWrap(keys, other))  # type: ignore[arg-type]
    subjects = [str(uuid.uuid4()) for _ in range(3)]
    try:
        slow.store(_sealings(subjects))
    finally:
        slow.close()
        other.close()

    for subject in subjects:
        kept = _in_vault(_vault(kit.ledger), subject)
        assert 1 == len(kept)
        assert set() == unreferenced(_vault(kit.ledger), subject)


def test_an_erased_person_stays_erased_after_a_failed_write(kit: LedgerKit) -> None:
    """A person's value is kept, then the person erased; a later write of theirs is refused
    (ErasedError) before any key is made, by a store that would fail and by one that would
    not: no key is left behind and the old value stays unreadable (it never comes back)."""
    settings = kit.ledger.settings
    vault = _vault(kit.ledger)
    subject = str(uuid.uuid4())
    old = _sealing(subject, "first_name", "สมศรี")
    vault.store([old])
    assert vault.erase(subject)
    failing = _FailingStore(settings.database_url, settings.name, vault._keys)
    try:
        with pytest.raises(ErasedError):
            failing.store([_sealing(subject, "first_name", "สมหญิง")])
    finally:
        failing.close()
    with pytest.raises(ErasedError):
        vault.store([_sealing(subject, "first_name", "สมใจ")])

    assert set() == unreferenced(vault, subject)
    with pytest.raises(ErasedError):
        _value(vault, old)
