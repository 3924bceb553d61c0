"""Where the ledger keeps its events: the eventsourcing library's PostgreSQL or SQLite recorder.

``LEDGER_DATABASE_URL`` chooses the backend. This module turns the URL into the library's
environment and answers the one question the library's recorders do not: which notification id
a stored event got (for receipts of resubmitted statements and for reading streams).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from ledger.settings import LedgerSettings


class DatabaseUrlError(ValueError):
    """The database URL cannot be understood."""


def eventsourcing_env(settings: LedgerSettings) -> dict[str, str]:
    """The eventsourcing environment for the settings' database URL."""
    url = settings.database_url
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise DatabaseUrlError(f"{_redact(url)} names no database")
        query = parse_qs(parts.query)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": str(settings.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.pool_max_overflow),
            "POSTGRES_SCHEMA": query.get("schema", [""])[0],
            "APPLICATION_RECORDER_TOPIC": get_topic(GaplessPostgresApplicationRecorder),
            "CREATE_TABLE": "y",
        }
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseUrlError(f"{url} names no file (use sqlite:///path/to/ledger.sqlite)")
        if path == ":memory:":
            dbname = f"file:ledger-{uuid4().hex}?mode=memory&cache=shared"
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            dbname = path
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": dbname,
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": "y",
        }
    raise DatabaseUrlError(f"unsupported database URL scheme {parts.scheme!r}")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


class GaplessPostgresApplicationRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, keeping the notification log free of gaps.

    The library takes notification ids from a sequence; an insert that then fails on the
    (stream, version) uniqueness constraint has already consumed an id, leaving a gap. Auditors
    read a gap as a deleted event, so this recorder checks for conflicts after taking the table
    lock (no other writer can interleave) and before inserting, and raises the library's
    ``IntegrityError`` without touching the sequence.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._select_conflict = sql.SQL(
            "SELECT 1 FROM {schema}.{table} WHERE (originator_id, originator_version) IN "
            "(SELECT * FROM unnest(%s::uuid[], %s::bigint[])) LIMIT 1"
        ).format(
            schema=sql.Identifier(self.datastore.schema),
            table=sql.Identifier(self.events_table_name),
        )

    def _insert_stored_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        self._lock_table(curs)
        curs.execute(
            self._select_conflict,
            (
                [event.originator_id for event in stored_events],
                [event.originator_version for event in stored_events],
            ),
        )
        if curs.fetchone() is not None:
            raise IntegrityError("an event already holds one of these stream positions")
        self._notify_channel(curs)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)


class NotificationIndex(Protocol):
    """Finds the notification ids the log gave a stream's events."""

    def notification_ids(self, stream: UUID, versions: list[int] | None = None) -> dict[int, int]:
        """Map version -> notification id for the stream's events (all, or the given versions)."""
        ...


class _PostgresIndex:
    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self._recorder = recorder
        self._select = sql.SQL(
            "SELECT originator_version, notification_id FROM {schema}.{table} "
            "WHERE originator_id = %s"
        ).format(
            schema=sql.Identifier(recorder.datastore.schema),
            table=sql.Identifier(recorder.events_table_name),
        )

    def notification_ids(self, stream: UUID, versions: list[int] | None = None) -> dict[int, int]:
        statement = self._select
        params: list[Any] = [stream]
        if versions is not None:
            statement = statement + sql.SQL(" AND originator_version = ANY(%s)")
            params.append(versions)
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        return {row["originator_version"]: row["notification_id"] for row in rows}


class _SQLiteIndex:
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self._recorder = recorder
        self._table = recorder.events_table_name

    def notification_ids(self, stream: UUID, versions: list[int] | None = None) -> dict[int, int]:
        statement = (
            f"SELECT originator_version, rowid FROM {self._table} "  # noqa: S608 (table name is ours)
            "WHERE originator_id = ?"
        )
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [stream.hex])
            rows = cursor.fetchall()
        found = {row[0]: row[1] for row in rows}
        if versions is None:
            return found
        return {version: found[version] for version in versions if version in found}


def notification_index(recorder: object) -> NotificationIndex:
    """The index for the recorder the library built from the settings."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return _PostgresIndex(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _SQLiteIndex(recorder)
    raise TypeError(f"no notification index for {type(recorder).__name__}")
