"""The search index of citizen IDs: a record found by its owner's citizen ID, with no citizen ID
(nor an unsalted hash of one) in the database, and nothing left to link after an erasure.

A v2 record's citizen ID is a salted commitment in the log and in the views, so the search
cannot compare columns. The vault keeps, per citizen ID it stores for a record's owner
(``personal_fields.search_paths``), one row of ``<ledger>_vault_search``:

* ``bucket``: the first ``bits`` bits of HMAC-SHA256 under the ledger's **search key** of the
  citizen ID. The search key is in the key store, never in the database (a PKCS#11 generic
  secret used with CKM_SHA256_HMAC, or a key file): the database alone gives nothing to try
  the 10^13 citizen IDs against;
* ``tag``: HMAC-SHA256 of the subject and the citizen ID under a key derived from the
  person's own data key, which only the person's key-encryption key unwraps.

A lookup computes the bucket, unwraps the data key of each person in it and compares tags: a
bucket holds about ``subjects / 2**bits`` people, so it costs that many unwraps. An erased
person's key-encryption key is gone, so their tag never matches again, even in a database
backup taken before the erasure and opened with the live key store; what such a backup still
says is the person's bucket: a candidate citizen ID in the same bucket is ``2**bits`` times
likelier to be theirs than a random one. ``rebuild`` (``ledger vault reindex``) writes the index
again under a fresh search key and destroys the old one, after which the buckets of every
older backup are noise: run it after erasures.

Generations: ``<ledger>_vault_search_keys (generation, bits)`` lists the search keys in use. A
lookup reads the oldest (complete) one; a write indexes under every listed one, so a rebuild
running beside writers misses nothing it was not given; the rebuild then drops the older ones.
The index is a filter, never the answer: a reader keeps a found record only if its revealed
citizen ID is the one asked (``projections.reports.facade``), so a row left by a corrected
citizen ID finds nothing (a write whose append fails leaves none: ``ledger.vault_rows``).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

from ledger.vault_keys import KeyStore

BUCKET_BITS = 10
"""Bits of the search key's HMAC that name a bucket: a lookup unwraps ``records / 2**bits`` data
keys (bench/search.py, 50,000 people with key files: 2.3 ms; docs/personal-data.md)."""

_BUCKET_TAG = b"thai-lgov-ledger citizen search\n"
_TAG_KEY = b"thai-lgov-ledger search tag key\n"


def _framed(*parts: bytes) -> bytes:
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def tag_of(data_key: bytes, subject: str, cid: str) -> bytes:
    """The person's tag of a citizen ID: HMAC under a key derived from their data key."""
    key = hmac.digest(data_key, _TAG_KEY, "sha256")
    return hmac.digest(key, _framed(subject.encode(), cid.encode()), "sha256")


class SearchIndex:
    """The index tables of one ledger's vault; every method runs in the caller's cursor."""

    def __init__(self, ledger_name: str, keys: KeyStore, *, postgres: bool) -> None:
        self._keys = keys
        self._ledger = ledger_name
        self.table = f"{ledger_name}_vault_search"
        self.keys_table = f"{ledger_name}_vault_search_keys"
        self._blob = "BYTEA" if postgres else "BLOB"

    def create(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.keys_table} ("
            "generation INTEGER PRIMARY KEY, bits INTEGER NOT NULL)"
        )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (generation INTEGER NOT NULL, "
            f"bucket INTEGER NOT NULL, subject TEXT NOT NULL, tag {self._blob} NOT NULL, "
            "PRIMARY KEY (generation, subject, tag))"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_bucket ON {self.table} (generation, bucket)"
        )

    def generations(self, cursor: Any) -> list[tuple[int, int]]:
        """(generation, bits) of every search key in use, oldest first."""
        cursor.execute(f"SELECT generation, bits FROM {self.keys_table} ORDER BY generation")
        return [(int(row[0]), int(row[1])) for row in cursor.fetchall()]

    def open_generation(self, cursor: Any, bits: int = BUCKET_BITS) -> tuple[int, int]:
        """Record a new generation and make its search key, in one transaction: a second
        process making the same generation waits on the row, inserts nothing, and uses the
        key the first made (so no two keys of one generation are ever made)."""
        cursor.execute(f"SELECT COALESCE(MAX(generation), 0) FROM {self.keys_table}")
        generation = int(cursor.fetchone()[0]) + 1
        cursor.execute(
            f"INSERT INTO {self.keys_table} (generation, bits) VALUES (?, ?) "
            "ON CONFLICT (generation) DO NOTHING",
            [generation, bits],
        )
        if cursor.rowcount == 1:
            self._keys.search_hmac(self.key_name(generation), b"", create=True)
        return generation, bits

    def key_name(self, generation: int) -> str:
        """The search key's name in the key store: the ledger's, then the generation."""
        return f"{self._ledger}:{generation}"

    def writing(self, cursor: Any) -> list[tuple[int, int]]:
        """The generations a write indexes under (the first made now if there is none)."""
        return self.generations(cursor) or [self.open_generation(cursor)]

    def bucket(self, generation: int, bits: int, cid: str) -> int:
        message = _framed(_BUCKET_TAG, cid.encode())
        digest = self._keys.search_hmac(self.key_name(generation), message)
        return int.from_bytes(digest[:4], "big") >> (32 - bits)

    def add(
        self,
        cursor: Any,
        generations: Iterable[tuple[int, int]],
        entry: tuple[str, bytes, str],
    ) -> None:
        """Index ``cid`` of ``subject`` (whose data key is given) under each generation."""
        self.insert(cursor, self.rows(generations, entry))

    def rows(
        self, generations: Iterable[tuple[int, int]], entry: tuple[str, bytes, str]
    ) -> list[list[Any]]:
        """The index rows (generation, bucket, subject, tag) of ``add``, for ``insert``."""
        subject, data_key, cid = entry
        tag = tag_of(data_key, subject, cid)
        return [
            [generation, self.bucket(generation, bits, cid), subject, tag]
            for generation, bits in generations
        ]

    def insert(self, cursor: Any, rows: list[list[Any]]) -> None:
        """Write index rows together (one round trip: ``executemany``)."""
        if rows:
            cursor.executemany(
                f"INSERT INTO {self.table} (generation, bucket, subject, tag) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (generation, subject, tag) DO NOTHING",
                rows,
            )

    def candidates(
        self, cursor: Any, cid: str, wrapped_keys: str
    ) -> list[tuple[str, bytes, bytes]]:
        """(subject, tag, wrapped data key) of the people in the citizen ID's bucket of the
        oldest generation; a person whose wrapped key is gone (erased) is not among them."""
        generations = self.generations(cursor)
        if not generations:
            return []
        generation, bits = generations[0]
        try:
            bucket = self.bucket(generation, bits, cid)
        except KeyError:  # the key store lost the search key: `ledger vault reindex`
            return []
        cursor.execute(
            f"SELECT s.subject, s.tag, k.wrapped FROM {self.table} s "
            f"JOIN {wrapped_keys} k ON k.subject = s.subject "
            "WHERE s.generation = ? AND s.bucket = ?",
            [generation, bucket],
        )
        return [(str(row[0]), bytes(row[1]), bytes(row[2])) for row in cursor.fetchall()]

    def matching(self, cid: str, candidates: Iterable[tuple[str, bytes, bytes]]) -> set[str]:
        """The candidates whose tag is the citizen ID's under their own data key."""
        listed = list(candidates)
        opened = self._keys.unwrap_each({subject: wrapped for subject, _, wrapped in listed})
        found: set[str] = set()
        for subject, tag, _ in listed:
            key = opened.get(subject)  # none: erased
            if key is not None and hmac.compare_digest(tag, tag_of(key, subject, cid)):
                found.add(subject)
        return found

    def forget(self, cursor: Any, subject: str) -> None:
        """Drop a person's rows (at their erasure: the live database no longer names even
        their bucket)."""
        cursor.execute(f"DELETE FROM {self.table} WHERE subject = ?", [subject])

    def retire(self, cursor: Any, kept: int) -> list[int]:
        """Drop every generation older than ``kept`` (rows and list); the ones dropped."""
        older = [generation for generation, _ in self.generations(cursor) if generation < kept]
        cursor.execute(f"DELETE FROM {self.table} WHERE generation < ?", [kept])
        cursor.execute(f"DELETE FROM {self.keys_table} WHERE generation < ?", [kept])
        return older


__all__ = ["BUCKET_BITS", "SearchIndex", "tag_of"]
