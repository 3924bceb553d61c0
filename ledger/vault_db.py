"""The vault's database connection: one connection (SQLite file or PostgreSQL) used under a lock.

The vault's tables live in the ledger's own database (``ledger.vault``); a sharded token key
store keeps its wrapped data keys in a database of its own (``ledger.vault_shards``). Both talk
to it through ``Database``: ``?`` placeholders on either backend, a transaction that takes
SQLite's write lock only when it writes, and on PostgreSQL a connection that survives a restart.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from ledger.pg_connections import SCHEMA_LOCK_KEY, QmarkCursor, Reconnecting

CHUNK = 500
"""Subjects per ``IN (...)`` of a batch read."""


class Database:
    """One connection (SQLite file or PostgreSQL), used under a lock, ``?`` placeholders."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.postgres = parts.scheme in ("postgresql", "postgres")
        self._lock = threading.Lock()
        if self.postgres:
            self._pg = Reconnecting(database_url, autocommit=True)  # survives a restart
        elif parts.scheme == "sqlite":
            path = database_url[len("sqlite:///") :]
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._lite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._lite.execute("PRAGMA busy_timeout=30000")
        else:
            raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")

    @contextmanager
    def transaction(self, *, write: bool = True, flushed: bool = True) -> Iterator[Any]:
        """A transaction; on SQLite a read (``write=False``) takes no write lock, so a read of
        the vault inside another connection's write (the views' read) does not wait on it.
        ``flushed=False``: on PostgreSQL the commit does not wait for its disk flush
        (``synchronous_commit`` off for this transaction; see ``Vault.store``), and the
        statements are pipelined (sent without waiting, until a result is read)."""
        with self._lock:
            if self.postgres:
                connection = self._pg.get()
                if flushed:
                    with connection.transaction(), connection.cursor() as cursor:
                        yield QmarkCursor(cursor)
                    return
                with (
                    connection.pipeline() as pipeline,
                    connection.transaction(),
                    connection.cursor() as cursor,
                ):
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    yield QmarkCursor(cursor, pipeline)
                return
            lite = self._lite.cursor()
            lite.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield lite
            except BaseException:
                lite.execute("ROLLBACK")
                raise
            lite.execute("COMMIT")

    @contextmanager
    def schema_change(self) -> Iterator[Any]:
        """A transaction for ``CREATE TABLE IF NOT EXISTS`` and ``CREATE INDEX``: on
        PostgreSQL it first takes the schema lock every process takes to create tables
        (``SCHEMA_LOCK_KEY``, as the events tables' creation does, ``ledger.storage``), so
        processes opening a new vault or key database at once create its tables in turn; two
        creating one table at once collide in the catalogue (a duplicate key in ``pg_type``).
        SQLite's write lock, taken as the transaction begins, does the same there."""
        with self.transaction() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(?)", [SCHEMA_LOCK_KEY])
            yield cursor

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor for reads each consistent on its own, outside any transaction: on
        PostgreSQL a query is one round trip (no BEGIN and COMMIT around it: the append path's
        read of the persons' wrapped keys, ``Vault.prepare``)."""
        with self._lock:
            if self.postgres:
                with self._pg.get().cursor() as cursor:
                    yield QmarkCursor(cursor)
                return
            lite = self._lite.cursor()
            try:
                yield lite
            finally:
                lite.close()

    def close(self) -> None:
        (self._pg if self.postgres else self._lite).close()


_UNSURE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def may_have_committed(error: BaseException) -> bool:
    """Whether a transaction that raised ``error`` may have committed all the same: a
    connection lost or broken around its commit (the library's or psycopg's
    ``OperationalError`` or ``InterfaceError``; the library's recorder retries those, so it
    may be a retry that failed after an attempt that committed), whose outcome another
    connection may not see yet. Any other error rolled the transaction back."""
    return isinstance(error, _UNSURE)


def of_subjects(cursor: Any, select: str, subjects: Sequence[str]) -> list[Any]:
    """The rows ``select`` (no WHERE of its own) finds for these subjects, a query per
    ``CHUNK`` of them."""
    rows: list[Any] = []
    for start in range(0, len(subjects), CHUNK):
        chunk = subjects[start : start + CHUNK]
        cursor.execute(f"{select} WHERE subject IN ({', '.join('?' * len(chunk))})", chunk)
        rows += cursor.fetchall()
    return rows


__all__ = ["CHUNK", "Database", "may_have_committed", "of_subjects"]
