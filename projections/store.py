"""Where views live: the ledger's own database (PostgreSQL, or the embedded SQLite file).

A small adapter over the two drivers so views write plain SQL with ``?`` placeholders, and the
runner commits view rows and its tracking position in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

import psycopg


class Cursor(Protocol):
    """What views may do inside a transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...


class _PgCursor:
    def __init__(self, cursor: psycopg.Cursor[tuple[Any, ...]]) -> None:
        self._cursor = cursor

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
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

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


class ViewDatabase:
    """One connection to the database that holds the views, used by one runner at a time."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.dialect: Literal["postgresql", "sqlite"]
        if parts.scheme in ("postgresql", "postgres"):
            self.dialect = "postgresql"
            self._pg = psycopg.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or "") or None,
                dbname=unquote(parts.path.lstrip("/")),
            )
        elif parts.scheme == "sqlite":
            self.dialect = "sqlite"
            path = database_url[len("sqlite:///") :]
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA busy_timeout=30000")
        else:
            raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A transaction: everything done through the cursor commits together, or not at all."""
        if self.dialect == "postgresql":
            with self._pg.transaction(), self._pg.cursor() as pg_cursor:
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

    def close(self) -> None:
        if self.dialect == "postgresql":
            self._pg.close()
        else:
            self._sqlite.close()
