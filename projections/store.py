"""Where views live: the ledger's own database (PostgreSQL, or the embedded SQLite file).

A small adapter over the two drivers so views write plain SQL with ``?`` placeholders, and the
runner commits view rows and its tracking position in one transaction.
"""

from __future__ import annotations

import fcntl
import sqlite3
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import psycopg

from ledger.pg_connections import Reconnecting
from ledger.storage import SCHEMA_LOCK_KEY


class Cursor(Protocol):
    """What views may do inside a transaction."""

    @property
    def dialect(self) -> Literal["postgresql", "sqlite"]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...

    def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Collection[Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of ``table`` whose ``key`` is one of ``values`` (the given columns)."""
        ...

    def upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        key: Sequence[str],
        update: Sequence[str] | Mapping[str, str] | None = None,
        only_if: str | None = None,
    ) -> None:
        """Insert rows; a row whose ``key`` exists updates the ``update`` columns (all the
        non-key columns when None; none at all, so the old row stays, when empty; a mapping
        gives each updated column's SQL expression over ``excluded.*`` and the table's
        columns), and only where ``only_if`` holds."""
        ...

    def append(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: Sequence[str]
    ) -> None:
        """Insert rows into an append-only table; a row whose ``key`` exists is left as it is
        (so appending the same rows twice changes nothing)."""
        ...


def _upsert_sql(
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    update: Sequence[str] | Mapping[str, str] | None,
    only_if: str | None = None,
) -> str:
    if isinstance(update, Mapping):
        settings = [f"{column} = {expression}" for column, expression in update.items()]
    else:
        changed = [c for c in columns if c not in key] if update is None else list(update)
        settings = [f"{c} = excluded.{c}" for c in changed]
    conflict = f" ON CONFLICT ({', '.join(key)}) DO " + (
        "UPDATE SET " + ", ".join(settings) + (f" WHERE {only_if}" if only_if else "")
        if settings
        else "NOTHING"
    )
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns)} FROM {{source}}{conflict}"
    )


_COPY_AT_LEAST = 200
"""PostgreSQL upserts of this many rows or more go through COPY into a staging table."""

_SQLITE_CHUNK = 500


class _PgCursor:
    dialect: Literal["postgresql", "sqlite"] = "postgresql"

    def __init__(self, cursor: psycopg.Cursor[tuple[Any, ...]]) -> None:
        self._cursor = cursor
        self._staged: set[str] = set()  # staging tables holding rows in this transaction

    def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Collection[Any]
    ) -> list[tuple[Any, ...]]:
        if not values:
            return []
        self._cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ANY(%s)", [list(values)]
        )
        return self._cursor.fetchall()

    def upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        key: Sequence[str],
        update: Sequence[str] | Mapping[str, str] | None = None,
        only_if: str | None = None,
    ) -> None:
        if not rows:
            return
        statement = _upsert_sql(table, columns, key, update, only_if)
        if len(rows) < _COPY_AT_LEAST:
            marks = ", ".join(["%s"] * len(columns))
            self._cursor.executemany(
                statement.replace(
                    f"SELECT {', '.join(columns)} FROM {{source}}", f"VALUES ({marks})"
                ),
                rows,
            )
            return
        # COPY into a staging table shaped like the target, then one INSERT ... SELECT: an
        # order of magnitude faster than row-by-row inserts for the big batches of a catch-up.
        stage = f"stage_{table}"[:63]
        if stage in self._staged:
            self._cursor.execute(f"TRUNCATE {stage}")
        else:
            self._cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table}) ON COMMIT DELETE ROWS"
            )
            self._staged.add(stage)
        with self._cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self._cursor.execute(statement.replace("{source}", stage))

    def append(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: Sequence[str]
    ) -> None:
        if len(rows) < _COPY_AT_LEAST:
            self.upsert(table, columns, rows, key, update=())
            return
        # COPY straight into the table: half the cost of staging and ON CONFLICT. The runner
        # hands each event to a view once, so a key is new but for a replay; then the savepoint
        # undoes the COPY and the rows go the idempotent way.
        self._cursor.execute("SAVEPOINT append_rows")
        try:
            with self._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:
            self._cursor.execute("ROLLBACK TO SAVEPOINT append_rows")
            self.upsert(table, columns, rows, key, update=())
        self._cursor.execute("RELEASE SAVEPOINT append_rows")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(sql.replace("?", "%s"), rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone()


class _SqliteCursor:
    dialect: Literal["postgresql", "sqlite"] = "sqlite"

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Collection[Any]
    ) -> list[tuple[Any, ...]]:
        wanted = list(values)
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), _SQLITE_CHUNK):
            chunk = wanted[start : start + _SQLITE_CHUNK]
            marks = ", ".join("?" * len(chunk))
            self._cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {key} IN ({marks})", chunk
            )
            found.extend(self._cursor.fetchall())
        return found

    def upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        key: Sequence[str],
        update: Sequence[str] | Mapping[str, str] | None = None,
        only_if: str | None = None,
    ) -> None:
        if not rows:
            return
        marks = ", ".join("?" * len(columns))
        statement = _upsert_sql(table, columns, key, update, only_if).replace(
            f"SELECT {', '.join(columns)} FROM {{source}}", f"VALUES ({marks})"
        )
        self._cursor.executemany(statement, rows)

    def append(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: Sequence[str]
    ) -> None:
        self.upsert(table, columns, rows, key, update=())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(sql, rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._cursor.fetchone()
        return row


def postgres_cursor(cursor: psycopg.Cursor[tuple[Any, ...]]) -> Cursor:
    """A view's cursor over a psycopg cursor of someone else's transaction (tuple rows)."""
    return _PgCursor(cursor)


class ViewDatabase:
    """One connection to the database that holds the views, used by one runner at a time."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.dialect: Literal["postgresql", "sqlite"]
        self._path: Path | None = None
        if parts.scheme in ("postgresql", "postgres"):
            self.dialect = "postgresql"
            self._pg = Reconnecting(database_url)  # a database restart: a new connection
        elif parts.scheme == "sqlite":
            self.dialect = "sqlite"
            path = database_url[len("sqlite:///") :]
            self._path = None if path == ":memory:" else Path(path)
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA busy_timeout=30000")
        else:
            raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A transaction: everything done through the cursor commits together, or not at all."""
        if self.dialect == "postgresql":
            connection = self._pg.get()
            with connection.transaction(), connection.cursor() as pg_cursor:
                yield _PgCursor(pg_cursor)
            return
        lite_cursor = self._sqlite.cursor()
        lite_cursor.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteCursor(lite_cursor)
        except BaseException:
            lite_cursor.execute("ROLLBACK")
            raise
        lite_cursor.execute("COMMIT")

    @contextmanager
    def schema_change(self) -> Iterator[Cursor]:
        """A transaction for CREATE TABLE and CREATE INDEX: on PostgreSQL it first takes the
        ledger's schema lock (``ledger.storage.SCHEMA_LOCK_KEY``), so processes starting at once
        create tables in turn instead of colliding in the catalogue."""
        with self.transaction() as cursor:
            if self.dialect == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(?)", [SCHEMA_LOCK_KEY])
            yield cursor

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the lock ``name`` across several transactions, against every other connection
        to this database (threads or processes): PostgreSQL, a session advisory lock; SQLite, an
        exclusive ``flock`` on a file beside the database (``<file>.<name>.lock``; an in-memory
        database has one connection, so nothing to hold). Not re-entrant."""
        if self.dialect == "postgresql":
            key = zlib.crc32(name.encode())
            with self.transaction() as cursor:
                cursor.execute("SELECT pg_advisory_lock(?)", [key])
            try:
                yield
            finally:
                with self.transaction() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(?)", [key])
            return
        if self._path is None:
            yield
            return
        with open(self._path.with_name(f"{self._path.name}.{name}.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def close(self) -> None:
        if self.dialect == "postgresql":
            self._pg.close()
        else:
            self._sqlite.close()
