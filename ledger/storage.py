"""Where the ledger keeps its events: the eventsourcing library's PostgreSQL or SQLite recorder.

``LEDGER_DATABASE_URL`` chooses the backend. This module turns the URL into the library's
environment and answers the questions the library's recorders do not: which notification id
a stored event got (for receipts of resubmitted statements and for reading streams), many
streams at once, and each stream's latest event at a log position (for snapshots). Each
ledger of a database has an events table of its own, ``<name>_events``, in SQLite as in
PostgreSQL (``LedgerSQLiteFactory``; an old SQLite file's shared table: ``ledger.events_tables``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID, uuid4

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteFactory,
    SQLiteTransaction,
)
from eventsourcing.utils import get_topic, retry
from psycopg import Cursor, sql
from psycopg.rows import DictRow, tuple_row

from ledger.events_tables import sqlite_events_table
from ledger.pg_connections import SCHEMA_LOCK_KEY as SCHEMA_LOCK_KEY  # re-exported
from ledger.pg_connections import QmarkCursor, install_pool_check
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
            "PERSISTENCE_MODULE": get_topic(LedgerSQLiteFactory),
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


@dataclass(frozen=True, slots=True)
class RegistryGuard:
    """The operator registry version a batch was checked against.

    Passed to ``Application.save(registry_guard=...)``: the recorder refuses the insert, with the
    library's ``IntegrityError``, when the registry stream has moved on since (a key enrolled or
    revoked meanwhile), so the ledger checks the batch again against the new registry.
    """

    stream: UUID
    version: int


WriteBeside = Callable[[Any], Callable[[], None] | None]
"""Rows another table keeps with the events, written in their transaction: ``save(...,
beside=write)`` calls ``write(cursor)`` after the events' insert, with a cursor of that
transaction taking ``?`` placeholders on either backend (the vault's rows of a v2 statement's
disclosures: ``ledger.vault_rows``), and the check it returns, if any, once the results are
in. A failed insert or check, of the events or of these rows, keeps neither."""


class GaplessPostgresApplicationRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, with a gapless log and a registry guard.

    The library takes notification ids from a sequence, and an insert that fails on the (stream,
    version) uniqueness constraint has already consumed ids: a gap, which auditors read as a
    deleted event. So this recorder numbers the rows itself, in the insert statement: the next
    ids follow the table's highest one, read under the EXCLUSIVE table lock the library already
    takes (writers are serialized until commit, so no other transaction can take those ids, and
    the log still commits in id order). A failed insert draws nothing.

    The same statement re-checks the operator registry: when the registry stream has moved on
    since the batch was checked (a key enrolled or revoked meanwhile) it inserts no row, and
    the recorder raises the library's ``IntegrityError``, so the ledger checks the batch again
    against the new registry. Both checks cost no extra round trip.

    ``Application.save(..., before_commit=check)`` runs ``check`` after the insert and before
    the commit, under the table lock: the ledger lets its verifier threads finish the batch's
    signature checks while the insert is in flight, and a bad signature rolls the insert back.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install_pool_check(self.datastore.pool)  # a database restart costs no request
        names = {
            "schema": sql.Identifier(self.datastore.schema),
            "table": sql.Identifier(self.events_table_name),
        }
        # The rows go as four arrays in binary format rather than as the library's array of a
        # composite type in text format: psycopg quotes a composite's text in Python, which cost
        # about 35 us per event (the hex of the state, escaped again), binary arrays about 4 us.
        self._guarded_insert = sql.SQL(
            "INSERT INTO {schema}.{table} "
            "(notification_id, originator_id, originator_version, topic, state) "
            "SELECT (SELECT COALESCE(max(notification_id), 0) FROM {schema}.{table}) "
            "  + n.ordinality, n.originator_id, n.originator_version, n.topic, n.state "
            "FROM unnest(%b::uuid[], %b::int8[], %b::text[], %b::bytea[]) "
            "  WITH ORDINALITY AS n(originator_id, originator_version, topic, state) "
            "WHERE %b::uuid IS NULL OR %b::int8 = (SELECT COALESCE(max(originator_version), 0) "
            "  FROM {schema}.{table} WHERE originator_id = %b::uuid) "
            "RETURNING notification_id"
        ).format(**names)

    def create_table(self) -> None:
        """The library's tables, types and functions, created under ``SCHEMA_LOCK_KEY``, held
        on a connection of its own (outside the pool, which may hold a single connection) for
        the whole creation, which spans several transactions."""
        pooled = self.datastore.pool.kwargs
        given = pooled() if callable(pooled) else pooled or {}
        options = {key: value for key, value in given.items() if key != "row_factory"}
        with psycopg.connect(**options, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            try:
                super().create_table()
            finally:
                holder.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert (one pipelined round trip, then the commit), and before the
        commit the caller's ``before_commit`` check, whose exception rolls the insert back.
        ``beside`` rows go in the same round trip and transaction, on a cursor of their own."""
        before_commit: Callable[[], None] | None = kwargs.get("before_commit")
        beside: WriteBeside | None = kwargs.get("beside")
        failed: Exception | None = None
        ids: Sequence[int] | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline, conn.transaction():
                with conn.cursor() as curs, conn.cursor(row_factory=tuple_row) as aside:
                    try:
                        self._insert_stored_events(curs, stored_events, **kwargs)
                        # after the table lock, before the sync: the same round trip
                        check = beside(QmarkCursor(aside)) if beside is not None else None
                        pipeline.sync()  # a constraint violation raises here, not at commit
                        ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
                        if check is not None:
                            check()
                    except Exception as error:  # raised once the pipeline is closed, as the
                        failed = error  # library does
                if failed is not None:  # nothing of it is kept (the rows beside included)
                    raise psycopg.Rollback
                if before_commit is not None:
                    before_commit()
            if failed is not None:
                raise failed
        return ids

    def _insert_stored_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        guard: RegistryGuard | None = kwargs.get("registry_guard")
        self._lock_table(curs)
        self._notify_channel(curs)
        stream = guard.stream if guard else None
        curs.execute(
            self._guarded_insert,
            (
                [event.originator_id for event in stored_events],
                [event.originator_version for event in stored_events],
                [event.topic for event in stored_events],
                [event.state for event in stored_events],
                stream,
                guard.version if guard else 0,
                stream,
            ),
            prepare=True,
        )

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids is not None and len(ids) != len(stored_events):
            # Nothing was inserted (the guard filters every row or none), so nothing is lost.
            raise IntegrityError("the operator registry changed during the check")
        return ids


class GuardedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, refusing a batch checked against an outdated registry.

    SQLite gives row ids only to inserted rows, so its log has no gaps; the registry check runs
    inside the write transaction (in-process writers are serialized by the library, and another
    process's commit since our read makes SQLite refuse our write). ``beside`` rows, then
    ``before_commit``, run after the insert, inside the same transaction, as on PostgreSQL.

    The write transaction starts with ``BEGIN IMMEDIATE``, not the library's deferred ``BEGIN``:
    a deferred transaction reads the registry under a shared lock and must then upgrade it to
    write, and SQLite refuses that upgrade at once ("database is locked", no busy wait) while
    another connection (a second ``Ledger`` on the same file, another process) is writing.
    Taking the write lock first makes such writers wait their turn, up to the lock timeout.
    """

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as cursor,
            cursor,
        ):
            return self._insert_events(cursor, stored_events, **kwargs)

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        guard: RegistryGuard | None = kwargs.get("registry_guard")
        if guard is not None:
            c.execute(
                f"SELECT MAX(originator_version) FROM {self.events_table_name} "  # noqa: S608
                "WHERE originator_id = ?",
                [guard.stream.hex],
            )
            row = c.fetchone()
            if (row[0] or 0) != guard.version:
                raise IntegrityError("the operator registry changed during the check")
        ids = super()._insert_events(c, stored_events, **kwargs)
        beside: WriteBeside | None = kwargs.get("beside")
        check = beside(c) if beside is not None else None
        if check is not None:
            check()
        before_commit: Callable[[], None] | None = kwargs.get("before_commit")
        if before_commit is not None:
            before_commit()  # inside the library's transaction: an exception rolls it back
        return ids


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory, giving each ledger of a file an events table of its own
    (``<name>_events``, as on PostgreSQL; an old file's shared table is kept by the ledger
    whose genesis opens it: ``ledger.events_tables``), recorded by the guarded recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        with self.datastore.transaction(commit=False) as cursor:
            table = sqlite_events_table(cursor.sqlite_cursor, self.env.name)
        recorder = GuardedSQLiteApplicationRecorder(self.datastore, events_table_name=table)
        if self.env_create_table():
            recorder.create_table()
        return recorder


class ImmediateTransaction(SQLiteTransaction):
    """The library's SQLite transaction, taking the write lock as it begins (for any write
    transaction that reads first: the recorder's, the transparency log's)."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise OperationalError(error) from error
        return cursor


class NotificationIndex(Protocol):
    """What the library's recorders do not answer: log positions, and many streams at once."""

    def notification_ids(self, stream: UUID, versions: list[int] | None = None) -> dict[int, int]:
        """Map version -> notification id for the stream's events (all, or the given versions)."""
        ...

    def select_streams(self, streams: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each given stream, in version order, in one query."""
        ...

    def heads_at(self, streams: Sequence[UUID], position: int) -> dict[UUID, tuple[int, bytes]]:
        """Each given stream's latest event at log position ``position``: its version and
        stored state, in one query (streams with no event at or below it are left out)."""
        ...


class _PostgresIndex:
    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self._recorder = recorder
        self._select_streams = sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(
            schema=sql.Identifier(recorder.datastore.schema),
            table=sql.Identifier(recorder.events_table_name),
        )
        self._select = sql.SQL(
            "SELECT originator_version, notification_id FROM {schema}.{table} "
            "WHERE originator_id = %s"
        ).format(
            schema=sql.Identifier(recorder.datastore.schema),
            table=sql.Identifier(recorder.events_table_name),
        )
        # Per stream, the primary key's index read backwards from the stream's last version,
        # stopping at the first row at or below the position: one row read per stream.
        self._heads_at = sql.SQL(
            "SELECT s.id, e.originator_version, e.state FROM unnest(%s::uuid[]) AS s(id) "
            "CROSS JOIN LATERAL (SELECT originator_version, state FROM {schema}.{table} "
            "  WHERE originator_id = s.id AND notification_id <= %s "
            "  ORDER BY originator_version DESC LIMIT 1) AS e"
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
        # A plain read on a pooled connection, as the library's own select_events does: no
        # BEGIN/ROLLBACK round trips around a single SELECT.
        with self._recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        return {row["originator_version"]: row["notification_id"] for row in rows}

    def select_streams(self, streams: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        found: dict[UUID, list[StoredEvent]] = {stream: [] for stream in streams}
        with self._recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self._select_streams, [list(streams)], prepare=True)
            for row in cursor.fetchall():
                found[row["originator_id"]].append(
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                )
        return found

    def heads_at(self, streams: Sequence[UUID], position: int) -> dict[UUID, tuple[int, bytes]]:
        with self._recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self._heads_at, [list(streams), position], prepare=True)
            return {
                row["id"]: (row["originator_version"], bytes(row["state"]))
                for row in cursor.fetchall()
            }


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

    def select_streams(self, streams: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        found: dict[UUID, list[StoredEvent]] = {stream: [] for stream in streams}
        by_hex = {stream.hex: stream for stream in streams}
        marks = ",".join("?" * len(streams))
        statement = (
            f"SELECT originator_id, originator_version, topic, state FROM {self._table} "  # noqa: S608
            f"WHERE originator_id IN ({marks}) ORDER BY originator_id, originator_version"
        )
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, list(by_hex))
            rows = cursor.fetchall()
        for row in rows:
            stream = by_hex[row[0]]
            found[stream].append(
                StoredEvent(
                    originator_id=stream,
                    originator_version=row[1],
                    topic=row[2],
                    state=row[3],
                )
            )
        return found

    def heads_at(self, streams: Sequence[UUID], position: int) -> dict[UUID, tuple[int, bytes]]:
        by_hex = {stream.hex: stream for stream in streams}
        marks = ",".join("?" * len(streams))
        # SQLite gives the bare columns of an aggregate query with max() the values of the row
        # holding the maximum: the state of each stream's latest event at the position.
        statement = (
            f"SELECT originator_id, MAX(originator_version), state FROM {self._table} "  # noqa: S608 (table name is ours)
            f"WHERE originator_id IN ({marks}) AND rowid <= ? GROUP BY originator_id"
        )
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [*by_hex, position])
            rows = cursor.fetchall()
        return {by_hex[row[0]]: (row[1], bytes(row[2])) for row in rows}


def notification_index(recorder: object) -> NotificationIndex:
    """The index for the recorder the library built from the settings."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return _PostgresIndex(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _SQLiteIndex(recorder)
    raise TypeError(f"no notification index for {type(recorder).__name__}")


def quote_identifier(name: str) -> str:
    """A table or schema name as an SQL identifier, quoted the way PostgreSQL and SQLite both
    read it (for tables named after a ledger, which the library's recorders create)."""
    return '"' + name.replace('"', '""') + '"'
