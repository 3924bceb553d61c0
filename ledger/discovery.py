"""Which ledgers a database holds, read without creating anything.

Opening a ``Ledger`` creates its tables, so a mistyped path or database name would silently
make an empty ledger. The commands that read an existing ledger ask here first: ``None`` when
the database itself does not exist, else the names of the ledgers in it (each known by its
genesis, whose ``data.ledger`` names it), so a command can refuse a wrong database, or find the
one ledger a database holds when no name was given.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from ledger.settings import LedgerSettings
from ledger.storage import eventsourcing_env, quote_identifier
from ledger.stored import StoredEventError, read_signed_state


def ledgers_in(settings: LedgerSettings) -> list[str] | None:
    """The names of the ledgers in the settings' database, or None if there is no database."""
    if settings.database_url.startswith("sqlite:"):
        return _sqlite_ledgers(settings)
    return _postgres_ledgers(settings)


def _genesis_name(state: bytes) -> str | None:
    """The ledger a stored genesis event names, or None for any other event."""
    try:
        statement = json.loads(read_signed_state(state)[0])
    except (StoredEventError, ValueError):
        return None
    if not isinstance(statement, dict) or statement.get("type") != "LedgerInitialised":
        return None
    data = statement.get("data")
    name = data.get("ledger") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def _sqlite_ledgers(settings: LedgerSettings) -> list[str] | None:
    path = settings.database_url.removeprefix("sqlite:///")
    if path == ":memory:":
        return []
    if not Path(path).is_file():
        return None
    uri = f"file:{Path(path).resolve()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'"
        ).fetchall()
        if not tables:
            return []
        row = connection.execute(
            "SELECT state FROM stored_events ORDER BY rowid LIMIT 1"
        ).fetchone()
    name = _genesis_name(bytes(row[0])) if row else None
    return [name] if name else []


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
            name = _genesis_name(bytes(row[0])) if row else None
            if name is not None and f"{name}_events" == table:
                names.append(name)
    return names


__all__ = ["ledgers_in"]
