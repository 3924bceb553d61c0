"""A v2 statement's values are written in its events' own transaction, on PostgreSQL and
SQLite: kept with the events, or, when the insert fails (another writer took the version, a
person's first key kept meanwhile, a failure in the recorder), not at all: no orphan rows; a
data key the ledger kept in memory is checked in that transaction (an erasure elsewhere)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.disclosed import Sealing
from ledger.errors import LedgerError, StaleVersionError
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from ledger.vault import ErasedError, Vault
from ledger.vault_keys import key_name
from ledger.vault_rows import VaultRows
from ledger.vault_shards import ShardedTokenKeyStore
from tests.card_stack import SoftHsmToken
from tests.ledger_kit import LedgerKit, build_kit, record_data, vault_settings
from tests.people import made_up_cid
from tests.vault_kit import kept_value, key_database, token_vault

ROUNDS = 40
"""Rounds of the two racing writers: enough that several lose a race at the insert."""


@pytest.fixture(params=["key files", "sharded token"])
def settings(
    request: pytest.FixtureRequest, backend_url: str, tmp_path: Path
) -> Iterator[LedgerSettings]:
    """A ledger's settings with a vault of key files, or of a SoftHSM2 token whose persons'
    data keys are wrapped in a key database of their own (``ledger.vault_shards``), on the
    ledger's backend (a PostgreSQL database of its own, or an SQLite file)."""
    settings = vault_settings(backend_url, tmp_path)
    if request.param == "key files":
        yield settings
        return
    token: SoftHsmToken = request.getfixturevalue("softhsm")
    with key_database(backend_url.startswith("postgresql"), tmp_path) as key_db:
        yield sharded(settings, token, key_db)


def sharded(settings: LedgerSettings, token: SoftHsmToken, key_db: str) -> LedgerSettings:
    """The settings with a vault of the token's shard KEKs, 8 of them, and the key database
    ``key_db`` (``ledger.vault_shards``)."""
    return settings.model_copy(update={"vault_key_dir": None, **token_vault(token, key_db)})


def _v2_kit(settings: LedgerSettings) -> Iterator[LedgerKit]:
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    kit.v2 = True
    yield kit
    ledger.close()


@pytest.fixture
def kit(settings: LedgerSettings) -> Iterator[LedgerKit]:
    """A kit signing v2 on a ledger with a vault."""
    yield from _v2_kit(settings)


@pytest.fixture
def key_files(backend_url: str, tmp_path: Path) -> LedgerSettings:
    """A ledger's settings with a vault of key files (two of them race in one process: two
    SoftHSM2 sessions searching one token from two threads at once fail in the token)."""
    return vault_settings(backend_url, tmp_path)


@pytest.fixture
def key_files_kit(key_files: LedgerSettings) -> Iterator[LedgerKit]:
    """A kit signing v2 on a ledger with a vault of key files."""
    yield from _v2_kit(key_files)


def _address(n: int) -> dict[str, Any]:
    return {"address": f"{n}/7 หมู่ 3 ตำบลสุเทพ อำเภอเมืองเชียงใหม่", "phone": f"053-000-{n:04d}"}


def _vault(ledger: Ledger) -> Vault:
    assert isinstance(ledger.vault, Vault)
    return ledger.vault


def _kept_rows(ledger: Ledger, streams: Sequence[uuid.UUID]) -> set[tuple[str, str]]:
    """(subject, commitment) of every field row the ledger's vault holds for these records."""
    vault = _vault(ledger)
    with vault._database.transaction(write=False) as cursor:
        cursor.execute(f"SELECT subject, commitment FROM {vault.fields_table}")
        rows = {(str(row[0]), str(row[1])) for row in cursor.fetchall()}
    return {row for row in rows if uuid.UUID(row[0]) in streams}


def _has_key(ledger: Ledger, stream: uuid.UUID) -> bool:
    """Whether the vault holds a wrapped data key of the record's person."""
    vault = _vault(ledger)
    with vault._database.transaction(write=False) as cursor:
        cursor.execute(f"SELECT 1 FROM {vault.keys_table} WHERE subject = ?", [str(stream)])
        return cursor.fetchone() is not None


def _commitments(statements: Sequence[bytes | SignedStatement]) -> set[tuple[str, str]]:
    """(stream, commitment) of every committed value these statements sign."""
    found = set()
    for statement in statements:
        canonical = statement.canonical if isinstance(statement, SignedStatement) else statement
        parsed = json.loads(canonical)
        for value in parsed["data"].values():
            if isinstance(value, dict) and "commitment" in value:
                found.add((parsed["stream"], value["commitment"]))
    return found


def _logged(ledger: Ledger, streams: Sequence[uuid.UUID]) -> set[tuple[str, str]]:
    """(stream, commitment) of the values the streams' stored events sign."""
    return _commitments(
        [event.statement for stream in streams for event in ledger.stream_events(stream)]
    )


class _FailingRows:
    """A vault write that inserts its rows, then fails (a fault in the recorder's transaction)."""

    def __init__(self, rows: VaultRows) -> None:
        self._rows = rows

    def write(self, cursor: Any) -> None:
        self._rows.write(cursor)
        raise RuntimeError("a fault after the vault's rows were inserted")

    def abandon(self, error: BaseException) -> None:
        self._rows.abandon(error)


class _FailingVault(Vault):
    """The vault whose next write fails in the events' transaction, after its inserts."""

    def prepare(self, sealings: Sequence[Sealing]) -> Any:
        return _FailingRows(super().prepare(sealings))


class _RacedVault(Vault):
    """The vault where, once, another writer keeps a person's first data key (a sealed
    document of theirs) just after the write was made ready with a key of our own."""

    raced: str | None = None
    sealed = b""

    def prepare(self, sealings: Sequence[Sealing]) -> VaultRows:
        rows = super().prepare(sealings)
        if self.raced is None and rows.keys:
            self.raced = rows.keys[0][0]
            self.sealed = self.seal_document(self.raced, "0" * 64, b"made-up scan")
        return rows


def test_a_v2_statement_keeps_its_values_with_its_events(kit: LedgerKit) -> None:
    """An accepted v2 record: its events and its values (and the person's key) are there."""
    stream = uuid.uuid4()

    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(901)))
    kit.emit(kit.hr, stream, "AddressChanged", _address(1))

    assert 2 == kit.ledger.aggregate(stream).version
    assert 4 == len(_kept_rows(kit.ledger, [stream]))  # cid, birth date, address, phone
    assert _logged(kit.ledger, [stream]) == _kept_rows(kit.ledger, [stream])
    assert _has_key(kit.ledger, stream)
    assert "053-000-0001" == kept_value(
        _vault(kit.ledger), kit.ledger, stream, "AddressChanged", "phone"
    )


def unreferenced(vault: Vault, subject: str) -> set[str]:
    """The references a sharded store's key database holds for the person that the vault
    does not (none with key files, which keep no wrapped key apart from the vault)."""
    keys = vault._keys
    if not isinstance(keys, ShardedTokenKeyStore):
        return set()
    with keys._db.transaction(write=False) as cursor:
        cursor.execute("SELECT ref FROM vault_key_wraps WHERE subject = ?", [key_name(subject)])
        kept = {f"shard:{row[0]}".encode() for row in cursor.fetchall()}
    with vault._database.transaction(write=False) as cursor:
        held = set(vault._wrapped(cursor, [subject]).values())
    return {ref.decode() for ref in kept - held}


def test_a_fault_in_the_events_transaction_keeps_no_values(kit: LedgerKit) -> None:
    """The vault's rows are inserted, then the transaction fails: no event, no row, no key
    (in the vault, or in a sharded store's key database: ``test_vault_key_orphans``)."""
    settings = kit.ledger.settings
    failing = _FailingVault(settings.database_url, settings.name, _vault(kit.ledger)._keys)
    ledger = Ledger(settings, vault=failing)
    stream = uuid.uuid4()
    signed = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    try:
        with pytest.raises(RuntimeError):
            ledger.submit(signed.canonical, signed.signature, kit.disclosed[signed.hash])
    finally:
        ledger.close()
        failing.close()

    assert 0 == kit.ledger.head(stream)[0]
    assert set() == _kept_rows(kit.ledger, [stream])
    assert not _has_key(kit.ledger, stream)
    assert set() == unreferenced(_vault(kit.ledger), str(stream))


def test_a_statement_that_loses_the_version_keeps_no_values(
    kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Two ledgers (two processes) write one record: the one that wrote it last decides on its
    cached copy, its insert fails on the version the other took: refused, nothing kept."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(902)))
    stale = kit.sign(kit.hr, stream=stream, type="AddressChanged", data=_address(2))
    stale_disclosures = kit.disclosed.pop(stale.hash)
    other = Ledger(settings)
    try:
        winner = kit.sign(kit.hr, stream=stream, type="AddressChanged", data=_address(3))
        other.submit(winner.canonical, winner.signature, kit.disclosed.pop(winner.hash))
    finally:
        other.close()

    with pytest.raises(StaleVersionError):
        kit.ledger.submit(stale.canonical, stale.signature, stale_disclosures)

    assert _logged(kit.ledger, [stream]) == _kept_rows(kit.ledger, [stream])
    assert not _commitments([stale]) & _kept_rows(kit.ledger, [stream])


def test_a_first_key_kept_meanwhile_decides_the_statement_again(
    kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Another writer keeps the person's first data key between the write's preparing and its
    insert: the insert fails, the statement is decided again under that key, and both the
    values and the other writer's document open; the key database holds no key of the failed
    attempts (``test_vault_key_orphans``)."""
    raced = _RacedVault(settings.database_url, settings.name, _vault(kit.ledger)._keys)
    ledger = Ledger(settings, vault=raced)
    stream = uuid.uuid4()
    header = record_data(cid=made_up_cid(907))
    signed = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=header)
    try:
        receipt = ledger.submit(signed.canonical, signed.signature, kit.disclosed[signed.hash])
        document = raced.open_document(str(stream), "0" * 64, raced.sealed)
    finally:
        ledger.close()
        raced.close()

    assert str(stream) == raced.raced
    assert 1 == receipt.version
    assert b"made-up scan" == document
    assert set() == unreferenced(_vault(kit.ledger), str(stream))
    assert _logged(kit.ledger, [stream]) == _kept_rows(kit.ledger, [stream])
    cid = kept_value(_vault(kit.ledger), kit.ledger, stream, "RecordOpened", "cid")
    assert header["cid"] == cid


def test_racing_writers_keep_exactly_the_values_of_the_stored_events(
    key_files_kit: LedgerKit, key_files: LedgerSettings
) -> None:
    """Two ledgers (as two processes would) each sign the next address change of the same
    records and submit at once, round after round: the losers are refused, and the vault
    keeps exactly the values the stored events sign, no more (no orphan rows), no fewer."""
    kit = key_files_kit
    streams = [uuid.uuid4() for _ in range(2)]
    for n, stream in enumerate(streams):
        kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(903 + n)))
    ledgers = [kit.ledger, Ledger(key_files)]
    refused: list[LedgerError] = []
    try:
        for n in range(ROUNDS):
            stream = streams[n % len(streams)]
            signed = [
                kit.sign(kit.hr, stream=stream, type="AddressChanged", data=_address(2 * n + i))
                for i in range(len(ledgers))
            ]
            refused += _race(ledgers, [(s, kit.disclosed.pop(s.hash)) for s in signed])
    finally:
        ledgers[1].close()

    assert ROUNDS == len(refused)  # one winner per round
    assert ROUNDS == sum(kit.ledger.aggregate(stream).version - 1 for stream in streams)
    assert _logged(kit.ledger, streams) == _kept_rows(kit.ledger, streams)


def _race(
    ledgers: list[Ledger], items: list[tuple[SignedStatement, dict[str, Any]]]
) -> list[LedgerError]:
    """Each ledger submits its statement on a thread of its own, all released together; the
    refusals (each race has one winner)."""
    start = threading.Barrier(len(ledgers))
    refusals: list[LedgerError] = []

    def run(ledger: Ledger, signed: SignedStatement, disclosures: dict[str, Any]) -> None:
        start.wait()
        try:
            ledger.submit(signed.canonical, signed.signature, disclosures)
        except LedgerError as error:
            refusals.append(error)

    threads = [
        threading.Thread(target=run, args=(ledger, *item))
        for ledger, item in zip(ledgers, items, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refusals


def test_a_kept_key_erased_meanwhile_is_not_used(kit: LedgerKit, settings: LedgerSettings) -> None:
    """The ledger keeps the data key of a person it wrote; another process erases the person;
    the ledger's next write of that person is refused by the check in its transaction, and not
    decided again under a new key (the vault makes no key for an erased person): nothing is
    appended and the old values stay erased."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(905)))
    kit.emit(kit.hr, stream, "AddressChanged", _address(5))
    other = Vault(settings.database_url, settings.name, _vault(kit.ledger)._keys)
    try:
        assert other.erase(str(stream))
    finally:
        other.close()
    version = kit.ledger.head(stream)

    with pytest.raises(ErasedError):
        kit.emit(kit.hr, stream, "AddressChanged", _address(6))

    vault = _vault(kit.ledger)
    assert version == kit.ledger.head(stream)
    for kind, field in (("AddressChanged", "phone"), ("RecordOpened", "cid")):
        with pytest.raises(ErasedError):
            kept_value(vault, kit.ledger, stream, kind, field)
    assert _logged(kit.ledger, [stream]) == _kept_rows(kit.ledger, [stream])
