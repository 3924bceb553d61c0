"""The rows a vault write inserts, made ready before the events' transaction opens.

A v2 statement's disclosures are kept in the vault's tables (``ledger.vault``), in the ledger's
own database, and written in the events' own transaction (``Ledger``, through the recorder:
``ledger.storage``): the values commit with their events or not at all, and cost no
transaction of their own. Everything that needs the key store (a person's data key unwrapped,
a new person's made and wrapped, each value sealed, the search index's tags and buckets) is done
before, by ``Vault.prepare``; what is left here is INSERTs only, on the caller's cursor.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.vault_search import SearchIndex

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


__all__ = ["CHECKED_AT_MOST", "KEPT_KEYS", "FieldRow", "KeptKeys", "VaultRows"]
