"""The personal-data vault: each disclosed field's value and salt, encrypted per person.

v2 statements sign commitments (``ledger.commitments``); the values live here, in two tables of
the ledger's own database (``<ledger>_vault_keys``, ``<ledger>_vault_fields``):

* per person (subject: the record's stream id) a random 256-bit data key, stored only wrapped
  by a key-encryption key kept outside the database (``ledger.vault_keys``, a token or key
  files; the sharded store: a reference to it in its own key database, ``ledger.vault_shards``);
* per field a row (subject, path, commitment, sealed): the JSON ``{"salt", "value"}`` under
  XChaCha20-Poly1305 with the data key, a random 24-byte nonce first, the subject, path and
  commitment (length-prefixed) as associated data, so a moved ciphertext fails to open.

``erase`` has the key store destroy the person's key-encryption key (the sharded store rotates
her shard) and deletes the wrapped data key: the ciphertexts stay, nothing opens them, in
backups too; and no new key is ever made for her (``refuse_erased``; docs/personal-data.md).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import nacl.bindings as sodium
import nacl.exceptions
from pydantic import BaseModel

from ledger.canonical import canonicalize
from ledger.commitments import COMMITMENT_KEY, Disclosure, commitment, is_commitment
from ledger.disclosed import Sealing
from ledger.domain.personal_fields import personal_paths
from ledger.errors import VAULT_KEY_DB_ALONE, VAULT_TOKEN_INCOMPLETE, VaultSettingsError
from ledger.settings import LedgerSettings
from ledger.vault_db import Database, of_subjects
from ledger.vault_identity import KeyStoreMismatchError, Refused, key_store_refusal
from ledger.vault_keys import ErasedError, KeyFileStore, KeyStore, TokenKeyStore
from ledger.vault_rows import (
    FieldRow,
    FirstKeys,
    KeptKeys,
    VaultRows,
    discard_unheld,
    refuse_erased,
)
from ledger.vault_search import BUCKET_BITS, SearchIndex
from ledger.vault_shards import ShardedTokenKeyStore
from ledger.violations import Violation

_REINDEX_BATCH = 500
"""Index rows ``reindex`` writes to a transaction."""
_log = logging.getLogger(__name__)
_NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
DOCUMENT_TAG = "thai-lgov-ledger document v1"
"""Begins a sealed document's associated data, so it never opens as a field's ciphertext."""


def _data_key() -> bytes:
    """A person's new random data key."""
    return secrets.token_bytes(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES)


def _framed(*parts: str) -> bytes:
    encoded = [part.encode("utf-8") for part in parts]
    return b"".join(len(part).to_bytes(4, "big") + part for part in encoded)


class Vault:
    """The vault of one ledger (tables ``<ledger>_vault_keys`` and ``<ledger>_vault_fields``)."""

    def __init__(
        self, database_url: str, ledger_name: str, keys: KeyStore, *, own_keys: bool = False
    ) -> None:
        """``own_keys``: ``close`` closes the key store too (else its opener does)."""
        self._database = Database(database_url)
        self._url = database_url
        self._kept = KeptKeys()
        self._keys = keys
        self._own_keys = own_keys
        self.keys_table = f"{ledger_name}_vault_keys"
        self.fields_table = f"{ledger_name}_vault_fields"
        self._search = SearchIndex(ledger_name, keys, postgres=self._database.postgres)
        blob = "BYTEA" if self._database.postgres else "BLOB"
        serial = "BIGSERIAL" if self._database.postgres else "INTEGER"
        with self._database.schema_change() as cursor:  # processes opening it at once take turns
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.keys_table} ("
                f"subject TEXT PRIMARY KEY, wrapped {blob} NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.fields_table} ("
                f"id {serial} PRIMARY KEY, subject TEXT NOT NULL, path TEXT NOT NULL, "
                f"commitment TEXT NOT NULL, sealed {blob} NOT NULL, UNIQUE (subject, commitment))"
            )
            self._search.create(cursor)
        # The key store it was made with, or every use refused (ledger.vault_identity).
        refusal = key_store_refusal(
            self._database, f"{ledger_name}_vault_store", keys, self.keys_table
        )
        if refusal is not None:
            self._keys = Refused(refusal, keys)
            self._search = SearchIndex(ledger_name, self._keys, postgres=self._database.postgres)

    @property
    def refusal(self) -> KeyStoreMismatchError | None:
        """Why every use is refused (a vault opened with another key store), else None: what
        ``ledger serve`` checks before it starts."""
        return self._keys.refusal if isinstance(self._keys, Refused) else None

    def parts(self) -> tuple[KeyStore, Database]:
        """The key store (``Refused`` when opened with another) and the connection to the
        vault's tables (``ledger.vault_moves`` moves its keys)."""
        return self._keys, self._database

    @property
    def search_tables(self) -> tuple[str, str]:
        """The search index's tables (``ledger.vault_search``): rows, then generations."""
        return (self._search.table, self._search.keys_table)

    def close(self) -> None:
        self._database.close()
        close_keys = getattr(self._keys, "close", None)
        if self._own_keys and close_keys is not None:
            close_keys()

    def _wrapped(self, cursor: Any, subjects: Sequence[str]) -> dict[str, bytes]:
        """The wrapped data key of each of these subjects that has one."""
        select = f"SELECT subject, wrapped FROM {self.keys_table}"
        return {str(row[0]): bytes(row[1]) for row in of_subjects(cursor, select, subjects)}

    def _data_key(self, cursor: Any, subject: str, *, first: FirstKeys | None = None) -> bytes:
        return self._data_keys(cursor, [subject], first=first)[subject]

    def _data_keys(
        self, cursor: Any, subjects: Collection[str], *, first: FirstKeys | None = None
    ) -> dict[str, bytes]:
        """Each subject's data key, unwrapped once; with ``first`` (``_first_keys``), made now
        for a subject without one, and noted there (else ``ErasedError``). Another process may
        keep a person's first data key meanwhile: theirs wins (ours, inserted with DO NOTHING,
        is dropped, and noted lost)."""
        wanted = sorted(set(subjects))  # one order: two writers of the same people never deadlock
        wrapped = self._wrapped(cursor, wanted)
        missing = [subject for subject in wanted if subject not in wrapped]
        if missing and first is None:
            raise ErasedError
        refuse_erased(cursor, self.fields_table, missing)  # an erased person gets no new key
        made = {subject: _data_key() for subject in missing}
        ours = self._keys.wrap_each(made) if made else {}
        if ours and first is not None:
            first.made.update(ours)
            cursor.executemany(
                f"INSERT INTO {self.keys_table} (subject, wrapped) VALUES (?, ?) "
                "ON CONFLICT (subject) DO NOTHING",
                list(ours.items()),
            )
            wrapped.update(self._wrapped(cursor, missing))
            first.lost.update({s: key for s, key in ours.items() if wrapped[s] != key})
        theirs = {s: wrapped[s] for s in wanted if ours.get(s) != wrapped[s]}
        opened = self._keys.unwrap_each(theirs) if theirs else {}
        if len(opened) < len(theirs):
            raise ErasedError
        return {subject: made[subject] if subject not in theirs else opened[subject]
                for subject in wanted}  # fmt: skip

    @contextlib.contextmanager
    def _first_keys(self) -> Iterator[FirstKeys]:
        """Around a transaction of the vault's own that may make persons' first data keys
        (``_data_keys``): once it is over, the wrapped keys nothing references are discarded
        from the key store (``ledger.vault_rows``): those another writer's first key beat, or,
        when it failed, those the vault does not hold."""
        first = FirstKeys()
        try:
            yield first
        except BaseException as error:
            self._discard(first.made, error)
            raise
        self._discard(first.lost, None)

    def _discard(self, wrapped: Mapping[str, bytes], error: BaseException | None) -> None:
        discard_unheld(self._database, self.keys_table, self._keys, wrapped, error)

    def writes_in(self, database_url: str) -> bool:
        """Whether the vault's tables are in that database (a file or a server's, not one in
        memory of its own), so its rows can be written in the events' transaction there."""
        return database_url == self._url and ":memory:" not in database_url

    def prepare(self, sealings: Sequence[Sealing]) -> VaultRows:
        """The rows keeping these accepted statements' disclosures, made ready before the
        events' transaction: one read of the wrapped data keys, each unwrapped once (a new
        person's made and wrapped), every value sealed, owners' citizen IDs indexed.
        ``VaultRows.write`` only inserts, in the events' transaction (``ledger.vault_rows``);
        a write that does not commit is ``abandon``ed, discarding the new wrapped keys."""
        subjects = sorted({sealing.subject for sealing in sealings})
        searching = any(sealing.search for sealing in sealings)
        kept = self._kept.of(subjects)  # checked in the events' transaction, not read now
        unread = [subject for subject in subjects if subject not in kept]
        wrapped: dict[str, bytes] = {}
        generations: list[tuple[int, int]] = []
        if unread or searching:
            with self._database.reading() as cursor:
                wrapped = self._wrapped(cursor, unread) if unread else {}
                refuse_erased(cursor, self.fields_table, [s for s in unread if s not in wrapped])
                generations = self._search.generations(cursor) if searching else []
        if searching and not generations:  # the ledger's first: its search key made now
            with self._database.transaction() as cursor:
                generations = self._search.writing(cursor)
        opened = self._keys.unwrap_each(wrapped) if wrapped else {}
        if len(opened) < len(wrapped):
            raise ErasedError
        made = {subject: _data_key() for subject in unread if subject not in wrapped}
        new = self._keys.wrap_each(made) if made else {}
        keys = made | opened | {subject: key for subject, (_, key) in kept.items()}
        try:
            rows = self._rows(sealings, keys, generations, list(new.items()))
        except BaseException as error:
            self._discard(new, error)
            raise
        self._kept.keep(
            {s: (new[s], made[s]) for s in made} | {s: (wrapped[s], opened[s]) for s in opened}
        )
        checked = [(subject, wrapped_key) for subject, (wrapped_key, _) in kept.items()]
        return replace(rows, checked=checked, forget=self._kept.forget, discard=self._discard)

    def store(self, sealings: Sequence[Sealing]) -> None:
        """Keep accepted statements' disclosures in a transaction of the vault's own, for a
        ledger whose events are elsewhere (``writes_in``; else ``prepare``): each person's data
        key unwrapped once (a first one kept: another writer's wins), the rows inserted together.

        On PostgreSQL the commit does not wait for its flush to disk: the caller appends the
        statements' events after this returns, and PostgreSQL flushes its write-ahead log in
        order, so the events' commit, once durable, makes this one durable too."""
        with self._first_keys() as first, self._database.transaction(flushed=False) as cursor:
            keys = self._data_keys(cursor, [s.subject for s in sealings], first=first)
            searching = any(sealing.search for sealing in sealings)
            generations = self._search.writing(cursor) if searching else []
            self._rows(sealings, keys, generations, ()).write(cursor)

    def _rows(
        self,
        sealings: Sequence[Sealing],
        keys: Mapping[str, bytes],
        generations: Sequence[tuple[int, int]],
        new_keys: Sequence[tuple[str, bytes]],
    ) -> VaultRows:
        """The rows of a write: each field sealed, each record owner's citizen ID indexed."""
        indexed: list[list[Any]] = []
        fields: list[FieldRow] = []
        for sealing in sealings:
            key = keys[sealing.subject]
            for path in sealing.search:
                cid = str(sealing.fields[path][1].value)
                indexed += self._search.rows(generations, (sealing.subject, key, cid))
            fields += self._sealed_rows(sealing, key)
        return VaultRows(
            self.keys_table, self.fields_table, self._search, new_keys, fields, indexed
        )

    @staticmethod
    def _sealed_rows(sealing: Sealing, key: bytes) -> list[FieldRow]:
        """(subject, path, commitment, sealed) per field: the disclosure's JSON encrypted
        under the person's data key, a random nonce before the ciphertext."""
        rows = []
        for path, (hexed, disclosure) in sealing.fields.items():
            nonce = secrets.token_bytes(_NONCE)
            plain = canonicalize(disclosure.as_json())
            aad = _framed(sealing.subject, path, hexed)
            sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, aad, nonce, key)
            rows.append((sealing.subject, path, hexed, nonce + sealed))
        return rows

    def disclosure(self, subject: str, hexed: str) -> tuple[str, Disclosure]:
        """The path and disclosure kept for a commitment; ``ErasedError`` if unreadable."""
        with self._database.transaction(write=False) as cursor:
            cursor.execute(
                f"SELECT path, sealed FROM {self.fields_table} "
                "WHERE subject = ? AND commitment = ?",
                [subject, hexed],
            )
            row = cursor.fetchone()
            if row is None:
                raise ErasedError
            key = self._data_key(cursor, subject)
        path, sealed = str(row[0]), bytes(row[1])
        return path, self._open(subject, path, hexed, sealed, key)

    def disclosures(
        self, wanted: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, Disclosure]]:
        """The path and disclosure kept for each (subject, commitment) wanted, read together:
        a query per hundreds of subjects and one unwrap of each person's data key (a report
        over a province reads thousands); those unreadable (erased, never kept) are left out."""
        asked = set(wanted)
        subjects = sorted({subject for subject, _ in asked})
        select = f"SELECT subject, path, commitment, sealed FROM {self.fields_table}"
        with self._database.transaction(write=False) as cursor:
            rows = [
                (str(r[0]), str(r[1]), str(r[2]), bytes(r[3]))
                for r in of_subjects(cursor, select, subjects)
            ]
            wrapped = self._wrapped(cursor, subjects)
        rows = [row for row in rows if (row[0], row[2]) in asked and row[0] in wrapped]
        keys = self._keys.unwrap_each({row[0]: wrapped[row[0]] for row in rows})
        found: dict[tuple[str, str], tuple[str, Disclosure]] = {}
        for subject, path, hexed, sealed in rows:
            key = keys.get(subject)
            if key is None:
                continue
            try:
                found[(subject, hexed)] = (path, self._open(subject, path, hexed, sealed, key))
            except ErasedError:
                continue
        return found

    @staticmethod
    def _open(subject: str, path: str, hexed: str, sealed: bytes, key: bytes) -> Disclosure:
        try:
            plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed[_NONCE:], _framed(subject, path, hexed), sealed[:_NONCE], key
            )
        except nacl.exceptions.CryptoError:
            raise ErasedError from None
        raw = json.loads(plain)
        return Disclosure(raw["value"], base64.b64decode(raw["salt"]))

    def revealed_data(
        self, data_model: type[BaseModel], subject: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A stored v2 statement's data with each commitment replaced by its kept value, each
        checked against its commitment (a replay of the stream reads the values so)."""
        revealed = dict(data)
        for path in personal_paths(data_model):
            node: Any = revealed
            *parents, last = path.split(".")
            for part in parents:
                node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, dict) or not is_commitment(node.get(last)):
                continue
            hexed = node[last][COMMITMENT_KEY]
            kept_path, disclosure = self.disclosure(subject, hexed)
            if (
                kept_path != path
                or commitment(subject, path, disclosure.salt, disclosure.value) != hexed
            ):
                raise ErasedError
            if parents:
                revealed[parents[0]] = {**revealed[parents[0]], last: disclosure.value}
            else:
                revealed[last] = disclosure.value
        return revealed

    def seal_document(self, subject: str, sha256: str, content: bytes) -> bytes:
        """A document's bytes sealed under the person's data key (made now if the person has
        none; never for an erased person: ``ErasedError``): a random nonce, then
        XChaCha20-Poly1305 with the subject and the hash as associated data, so a sealed file
        moved to another person or hash does not open."""
        with self._first_keys() as first, self._database.transaction() as cursor:
            key = self._data_key(cursor, subject, first=first)
        nonce = secrets.token_bytes(_NONCE)
        aad = _framed(DOCUMENT_TAG, subject, sha256)
        return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(content, aad, nonce, key)

    def open_document(self, subject: str, sha256: str, sealed: bytes) -> bytes:
        """A sealed document's bytes; ``ErasedError`` once the person's key is gone."""
        with self._database.transaction(write=False) as cursor:
            key = self._data_key(cursor, subject)
        try:
            return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed[_NONCE:], _framed(DOCUMENT_TAG, subject, sha256), sealed[:_NONCE], key
            )
        except nacl.exceptions.CryptoError:
            raise ErasedError from None

    def erase(self, subject: str) -> bool:
        """Destroy the subject's key-encryption key and delete its wrapped data key: every
        value kept for the subject is unreadable from now on, in backups too."""
        self._kept.forget([subject])
        destroyed = self._keys.destroy(subject)
        with self._database.transaction() as cursor:
            cursor.execute(f"DELETE FROM {self.keys_table} WHERE subject = ?", [subject])
            self._search.forget(cursor, subject)
        return destroyed

    def subjects_of(self, cid: str) -> set[str]:
        """The subjects (record ids) whose owner's citizen ID ``cid`` was indexed and can
        still be read (not erased): a filter, the reader checks the record's own value."""
        with self._database.transaction(write=False) as cursor:
            candidates = self._search.candidates(cursor, cid, self.keys_table)
        return self._search.matching(cid, candidates)

    def reindex(
        self, entries: Callable[[], Iterable[tuple[str, str]]], *, bits: int = BUCKET_BITS
    ) -> int:
        """Write the search index again under a fresh search key, from ``entries`` (called
        once the new generation is recorded): (subject, commitment) of each record owner's
        citizen ID; then drop the older generations and destroy their keys. The entries
        indexed (an erased person's cannot be read, and is skipped)."""
        with self._database.transaction() as cursor:
            generation = self._search.open_generation(cursor, bits)
        readable: list[tuple[str, str]] = []
        for subject, hexed in entries():
            try:
                readable.append((subject, str(self.disclosure(subject, hexed)[1].value)))
            except ErasedError:
                continue
        for start in range(0, len(readable), _REINDEX_BATCH):
            with self._database.transaction() as cursor:
                for subject, cid in readable[start : start + _REINDEX_BATCH]:
                    with contextlib.suppress(ErasedError):  # erased meanwhile
                        key = self._data_key(cursor, subject)
                        self._search.add(cursor, [generation], (subject, key, cid))
        with self._database.transaction() as cursor:
            older = self._search.retire(cursor, generation[0])
        for retired in older:
            self._keys.destroy_search_key(self._search.key_name(retired))
        return len(readable)


def default_vault_key_dir(settings: LedgerSettings) -> Path | None:
    """The development key folder of a ledger in an SQLite file that configures no vault:
    ``<file>.vault-keys/<ledger name>/`` beside the file (the keys go where the database goes,
    and a copy of the file with that folder is a whole ledger). None on PostgreSQL, in memory,
    or with ``vault_beside_sqlite`` off."""
    url = settings.database_url
    if not settings.vault_beside_sqlite or not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///")
    if not path or ":memory:" in path or "mode=memory" in path:
        return None
    return Path(f"{path}.vault-keys") / settings.name


_warned: set[tuple[str, str]] = set()


def open_vault(settings: LedgerSettings) -> Vault | None:
    """The vault the settings configure (a PKCS#11 token, else a key folder); with neither,
    key files beside an SQLite file (``default_vault_key_dir``), else None: on PostgreSQL that
    is logged once per process, a warning (the ledger then refuses v2 statements)."""
    if (module := settings.vault_pkcs11_module) is not None:
        if settings.vault_token_label is None or settings.vault_token_pin is None:
            raise VaultSettingsError(Violation(VAULT_TOKEN_INCOMPLETE, "LEDGER_VAULT_TOKEN_LABEL"))
        keys = _token(settings, module)
        return Vault(settings.database_url, settings.name, keys, own_keys=True)
    if settings.vault_key_db is not None:
        raise VaultSettingsError(Violation(VAULT_KEY_DB_ALONE, "LEDGER_VAULT_KEY_DB"))
    key_dir = settings.vault_key_dir or default_vault_key_dir(settings)
    if key_dir is not None:
        return Vault(settings.database_url, settings.name, KeyFileStore(key_dir))
    if settings.database_url.startswith("postgres") and (
        (settings.database_url, settings.name) not in _warned
    ):
        _warned.add((settings.database_url, settings.name))
        _log.warning(NO_VAULT_WARNING, settings.name)
    return None


def _token(settings: LedgerSettings, module: Path) -> TokenKeyStore:
    """The settings' token key store: sharded with a key database, else one KEK per person
    (logged once per process: for small deployments)."""
    label, pin = settings.vault_token_label or "", settings.vault_token_pin or ""
    if settings.vault_key_db is not None:
        return ShardedTokenKeyStore(
            module, label, pin, settings.vault_key_db, shards=settings.vault_key_shards
        )
    if ("per-person", label) not in _warned:
        _warned.add(("per-person", label))
        _log.warning(PER_PERSON_WARNING, settings.name)
    return TokenKeyStore(module, label, pin)


PER_PERSON_WARNING = (
    "ledger %s: โทเคนของคลังข้อมูลส่วนบุคคลเก็บกุญแจหนึ่งดอกต่อคน เหมาะกับระบบขนาดเล็กเท่านั้น "
    "(ให้ตั้ง LEDGER_VAULT_KEY_DB แล้วสั่ง ledger vault move-to-shards) / the vault token holds "
    "one KEK per person, for small deployments only (a few thousand people): set "
    "LEDGER_VAULT_KEY_DB for the sharded key store, then move the people there with `ledger "
    "vault move-to-shards` (docs/personal-data.md)"
)

NO_VAULT_WARNING = (
    "ledger %s: ไม่ได้กำหนดคลังข้อมูลส่วนบุคคล (vault) จึงรับ statement รุ่น 2 ไม่ได้ / no "
    "personal-data vault is configured (LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL "
    "and LEDGER_VAULT_TOKEN_PIN, or LEDGER_VAULT_KEY_DIR): v2 statements are refused "
    "(docs/personal-data.md)"
)


__all__ = [
    "NO_VAULT_WARNING",
    "PER_PERSON_WARNING",
    "ErasedError",
    "Vault",
    "default_vault_key_dir",
    "open_vault",
]
