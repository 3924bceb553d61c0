"""The rows a vault write inserts, made ready before the events' transaction opens.

A v2 statement's disclosures are kept in the vault's tables (``ledger.vault``), in the ledger's
own database, and written in the events' own transaction (``Ledger``, through the recorder:
``ledger.storage``): the values commit with their events or not at all, and cost no
transaction of their own. Everything that needs the key store (a person's data key unwrapped,
a new person's made and wrapped, each value sealed, the search index's tags and buckets) is done
before, by ``Vault.prepare``; what is left here is INSERTs only, on the caller's cursor.

A new person's data key is wrapped before too, and the sharded token store keeps the wrapped
key in its own key database then (``ledger.vault_shards``: another database, which cannot
commit with the events). A write that does not commit (``VaultRows.abandon``), or a first key
that lost to another writer's, leaves such a key referenced by nothing: ``discard_unheld``
deletes it once the vault's table shows it unreferenced (docs/personal-data.md, "Keys wrapped
ahead of the write").
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.vault_db import Database, may_have_committed, of_subjects
from ledger.vault_keys import ErasedError, KeyStore
from ledger.vault_search import SearchIndex

_log = logging.getLogger(__name__)

KEPT_KEYS = 10_000
"""Persons whose data key the append path keeps in memory (the most recently written)."""
CHECKED_AT_MOST = 500
"""Kept keys a write checks in one query (a bigger batch reads its persons' keys instead)."""

FieldRow = tuple[str, str, str, bytes]
"""(subject, path, commitment, sealed) of ``<ledger>_vault_fields``."""


@dataclass(frozen=True, slots=True)
class VaultRows:
    """A vault write: new persons' wrapped data keys, sealed fields, search index rows."""

    keys_table: str
    fields_table: str
    search: SearchIndex
    keys: Sequence[tuple[str, bytes]]
    """(subject, wrapped data key) of each person who had none when the write was made."""
    fields: Sequence[FieldRow]
    index: list[list[Any]]
    checked: Sequence[tuple[str, bytes]] = ()
    """(subject, wrapped data key) of each person whose kept data key sealed fields here: the
    stored wrapped key must still be this one when the rows commit (``KeptKeys``)."""
    forget: Callable[[Collection[str]], None] = lambda _subjects: None
    discard: Callable[[Mapping[str, bytes], BaseException], None] = lambda _keys, _error: None

    def abandon(self, error: BaseException) -> None:
        """The write did not commit (``error``; or may have: ``may_have_committed``): the new
        persons' data keys are no longer kept in memory, and their wrapped keys, which the key
        store kept before the transaction, are discarded unless the vault holds them."""
        if self.keys:
            self.forget([subject for subject, _ in self.keys])
            self.discard(dict(self.keys), error)

    def write(self, cursor: Any) -> Callable[[], None] | None:
        """Insert the rows through ``cursor`` (``?`` placeholders), in its transaction; the
        check to run once the statements' results are in (on PostgreSQL after the pipeline's
        sync), when kept data keys were used: it reads nothing more, and refuses the
        transaction (``IntegrityError``: the batch is decided again) if a person's stored
        wrapped key is not the one kept (erased, or another key kept meanwhile).

        A new person's key is inserted without ``ON CONFLICT``: if another writer kept a first
        data key for the same person meanwhile, the fields here are sealed under a key that
        would not be kept, so the insert fails (a unique violation: the library's
        ``IntegrityError``), the transaction rolls back with its events, and the ledger decides
        the batch again, when ``Vault.prepare`` finds the other writer's key."""
        if self.keys:
            cursor.executemany(
                f"INSERT INTO {self.keys_table} (subject, wrapped) VALUES (?, ?)",
                sorted(self.keys),
            )
        self.search.insert(cursor, sorted(self.index))
        if self.fields:
            cursor.executemany(
                f"INSERT INTO {self.fields_table} (subject, path, commitment, sealed) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (subject, commitment) DO NOTHING",
                sorted(self.fields, key=lambda row: (row[0], row[2])),
            )
        if not self.checked:
            return None
        subjects = [subject for subject, _ in self.checked]
        cursor.execute(
            f"SELECT subject, wrapped FROM {self.keys_table} "
            f"WHERE subject IN ({', '.join('?' * len(subjects))})",
            subjects,
        )
        return lambda: self._check(cursor.fetchall())

    def _check(self, rows: Sequence[Any]) -> None:
        stored = {str(row[0]): bytes(row[1]) for row in rows}
        stale = [subject for subject, wrapped in self.checked if stored.get(subject) != wrapped]
        if stale:
            self.forget(stale)
            raise IntegrityError("a person's data key changed since this process kept it")


@dataclass(slots=True)
class FirstKeys:
    """The persons' first data keys a transaction of the vault's own wrapped (``made``), and
    those of them another writer's first key beat (``lost``: referenced by nothing)."""

    made: dict[str, bytes] = field(default_factory=dict)
    lost: dict[str, bytes] = field(default_factory=dict)


def discard_unheld(
    database: Database,
    keys_table: str,
    keys: KeyStore,
    wrapped: Mapping[str, bytes],
    error: BaseException | None,
) -> None:
    """Discard (``KeyStore.discard``) those of these wrapped keys the vault's ``keys_table``
    does not hold, read now: made for a write that failed with ``error``, or that lost to
    another writer's first key (``error`` None). A key is left when the write may have
    committed (``may_have_committed``: another connection may not see its rows yet), or when
    the clean-up fails (logged): left, it is harmless (no value is sealed under it that any
    row keeps, and the person's erasure deletes it with the rest)."""
    if not wrapped or (error is not None and may_have_committed(error)):
        return
    try:
        with database.reading() as cursor:
            select = f"SELECT subject, wrapped FROM {keys_table}"
            held = {
                str(row[0]): bytes(row[1]) for row in of_subjects(cursor, select, sorted(wrapped))
            }
        keys.discard({s: key for s, key in wrapped.items() if held.get(s) != key})
    except Exception:  # the write's own error matters more: this one is logged
        _log.warning("vault: wrapped data keys of a failed write left unreferenced", exc_info=True)


def refuse_erased(cursor: Any, fields_table: str, keyless: Sequence[str]) -> None:
    """``ErasedError`` when one of these persons, who have no data key, has values in the
    vault's ``fields_table``: her key was erased (a first key is kept in the transaction that
    keeps her first values, and only an erasure deletes it), so no new key is made for her:
    a write or a document sealed for an erased person would bring her back."""
    select = f"SELECT DISTINCT subject FROM {fields_table}"
    if keyless and of_subjects(cursor, select, sorted(set(keyless))):
        raise ErasedError


class KeptKeys:
    """The data keys of the persons this process wrote last, with their wrapped form, so a
    write of the same person needs no read of the wrapped key: its rows carry a check, in the
    events' transaction, that the stored wrapped key is still the kept one.

    Only the append path uses them, to seal new values; every read of a value unwraps the
    stored key, so an erasure (here or in another process) is never undone by a kept key: a
    value sealed under a key erased meanwhile is refused by the check, or (erased after the
    check, before the commit) cannot be read, like any value of an erased person."""

    def __init__(self, size: int = KEPT_KEYS) -> None:
        self._size = size
        self._keys: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, subjects: Collection[str]) -> dict[str, tuple[bytes, bytes]]:
        """(wrapped, data key) of those of these subjects kept (none past ``CHECKED_AT_MOST``)."""
        if len(subjects) > CHECKED_AT_MOST:
            return {}
        with self._lock:
            found = {subject: self._keys[subject] for subject in subjects if subject in self._keys}
            for subject in found:
                self._keys.move_to_end(subject)
        return found

    def keep(self, keys: dict[str, tuple[bytes, bytes]]) -> None:
        with self._lock:
            self._keys.update(keys)
            for subject in keys:
                self._keys.move_to_end(subject)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def forget(self, subjects: Collection[str]) -> None:
        with self._lock:
            for subject in subjects:
                self._keys.pop(subject, None)


__all__ = [
    "CHECKED_AT_MOST",
    "KEPT_KEYS",
    "FieldRow",
    "FirstKeys",
    "KeptKeys",
    "VaultRows",
    "discard_unheld",
    "refuse_erased",
]
