"""The rows a vault write inserts, made ready before the events' transaction opens.

A v2 statement's disclosures are kept in the vault's tables (``ledger.vault``), in the ledger's
own database, and written in the events' own transaction (``Ledger``, through the recorder:
``ledger.storage``): the values commit with their events or not at all, and cost no
transaction of their own. Everything that needs the key store (a person's data key unwrapped,
a new person's made and wrapped, each value sealed, the search index's tags and buckets) is done
before, by ``Vault.prepare``; what is left here is INSERTs only, on the caller's cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.vault_search import SearchIndex

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

    def write(self, cursor: Any) -> None:
        """Insert the rows through ``cursor`` (``?`` placeholders), in its transaction.

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


__all__ = ["FieldRow", "VaultRows"]
