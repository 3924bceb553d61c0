"""The raw bytes of a ledger's events table, to search for a personal value in clear (a v2
statement must leave none there)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from ledger.discovery import ledgers_in
from ledger.events_tables import sqlite_events_table
from ledger.settings import LedgerSettings


def sqlite_rows(path: Path | str, ledger_name: str | None = None) -> list[tuple[Any, ...]]:
    """Every row of a ledger's events table in an SQLite file (its own table, or an old
    file's shared one): the named ledger's, else the file's only ledger's."""
    if ledger_name is None:
        [ledger_name] = ledgers_in(LedgerSettings(database_url=f"sqlite:///{path}")) or [None]
    assert ledger_name is not None, f"no ledger in {path}"
    with closing(sqlite3.connect(path)) as connection:
        table = sqlite_events_table(connection.cursor(), ledger_name)
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def events_bytes(settings: LedgerSettings) -> bytes:
    """Every byte of the events table, as a dump of the database would hold it."""
    url = settings.database_url
    if url.startswith("sqlite"):
        rows = sqlite_rows(url[len("sqlite:///") :], settings.name)
    else:
        with psycopg.connect(url) as connection:
            rows = connection.execute(f"SELECT * FROM {settings.name}_events").fetchall()
    return rows_bytes(rows)


def rows_bytes(rows: list[tuple[Any, ...]]) -> bytes:
    """Rows' values as bytes, one after another."""
    return b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in rows
        for value in row
    )


def text_forms(text: str) -> list[bytes]:
    """A text as UTF-8 and as JSON with non-ASCII escaped: either may sit in a stored row."""
    return [text.encode("utf-8"), json.dumps(text).strip('"').encode("ascii")]


def found_in_clear(settings: LedgerSettings, *values: str) -> list[str]:
    """The values that sit in clear somewhere in the events table (none, for v2)."""
    raw = events_bytes(settings)
    return [value for value in values if any(form in raw for form in text_forms(value))]


__all__ = ["events_bytes", "found_in_clear", "rows_bytes", "sqlite_rows", "text_forms"]
