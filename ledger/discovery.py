"""Which ledgers a database holds, read without creating anything.

Opening a ``Ledger`` creates its tables, so a mistyped path or database name would silently
make an empty ledger. The commands that read an existing ledger ask here first: ``None`` when
the database itself does not exist, else the names of the ledgers in it (each known by its
genesis, whose ``data.ledger`` names it), so a command can refuse a wrong database, or find the
one ledger a database holds when no name was given.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from ledger.events_tables import (
    SHARED_SQLITE_TABLE,
    events_table_name,
    first_genesis,
    genesis_name,
    in_shared_table,
)
from ledger.settings import LedgerSettings
from ledger.storage import eventsourcing_env, quote_identifier


def ledgers_in(settings: LedgerSettings) -> list[str] | None:
    """The names of the ledgers in the settings' database, or None if there is no database."""
    if settings.database_url.startswith("sqlite:"):
        return _sqlite_ledgers(settings)
    return _postgres_ledgers(settings)


def _sqlite_ledgers(settings: LedgerSettings) -> list[str] | None:
    """Each ``<name>_events`` table whose first event is the genesis of ledger ``name``, and the
    ledger whose genesis opens an old file's shared table (``ledger.events_tables``); also the
    settings' ledger if its events sit in that shared table after another's genesis (opening
    it is refused, by a rule that says why)."""
    path = settings.database_url.removeprefix("sqlite:///")
    if path == ":memory:":
        return []
    if not Path(path).is_file():
        return None
    uri = f"file:{Path(path).resolve()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        cursor = connection.cursor()
        tables = cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\' "
            "ORDER BY name",
            ["%\\_events"],
        ).fetchall()
        found = [_opened_by(cursor, table) for (table,) in tables]
        names = [name for name in found if name is not None]
        shared = first_genesis(cursor, SHARED_SQLITE_TABLE)
        if settings.name != shared and in_shared_table(cursor, settings.name):
            names.append(settings.name)
    return sorted({*names, *([shared] if shared else [])})


def _opened_by(cursor: sqlite3.Cursor, table: str) -> str | None:
    """The ledger whose own events table this is (its first row that ledger's genesis)."""
    try:
        name = first_genesis(cursor, table)
    except sqlite3.Error:  # a table of another program that only ends in _events
        return None
    return name if name is not None and events_table_name(name) == table else None


def _postgres_ledgers(settings: LedgerSettings) -> list[str] | None:
    env = eventsourcing_env(settings)
    schema = env["POSTGRES_SCHEMA"] or "public"
    parts = urlsplit(settings.database_url)
    try:
        connection = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=unquote(parts.password or "") or None,
            connect_timeout=10,
        )
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise
    with connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name LIKE %s ORDER BY table_name",
                (schema, "%\\_events"),
            )
        ]
        names = []
        for table in tables:
            query = sql.SQL("SELECT state FROM {}.{} ORDER BY notification_id LIMIT 1").format(
                sql.SQL(quote_identifier(schema)), sql.SQL(quote_identifier(table))
            )
            try:
                row = connection.execute(query).fetchone()
            except psycopg.Error:  # a table of another program that only ends in _events
                connection.rollback()
                continue
            name = genesis_name(bytes(row[0])) if row else None
            if name is not None and events_table_name(name) == table:
                names.append(name)
    return names


__all__ = ["ledgers_in"]
