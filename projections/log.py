"""Reading the ledger's notification log: the one source of order for every projection.

Projections read millions of events and need only what was signed: the statement (and its
data), the signature, the event hash and the transaction time. When the ledger's mapper has no
cipher and no compressor (the ledger uses neither), ``read_log`` selects the stored rows
directly and slices the signed fields out of the stored JSON (``ledger.stored``), instead of
building a domain event per row through the library's mapper: about twice as fast, which is
most of a catch-up's time (``bench/projections.py``). Anything else goes through the mapper.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.domain.signed import SignedAggregate
from ledger.stored import event_class_name, read_signed_state


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event of the log as projections see it: position, stream, type and signed statement."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    statement: dict[str, Any]
    canonical: str
    signature: str
    hash: str
    recorded_at: datetime

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.statement["data"]
        return data

    @property
    def effective(self) -> str:
        effective: str = self.statement["effective"]
        return effective

    @property
    def signer_cid(self) -> str:
        cid: str = self.statement["signer"]["cid"]
        return cid

    @property
    def key_id(self) -> str:
        key: str = self.statement["signer"]["key"]
        return key


def read_log(ledger: Ledger, after: int, limit: int) -> list[LogEvent]:
    """Up to ``limit`` events with notification ids greater than ``after``, in log order."""
    mapper = ledger.mapper
    if mapper.cipher is None and mapper.compressor is None:
        recorder = ledger.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            return _read_postgres(recorder, after, limit)
        if isinstance(recorder, SQLiteApplicationRecorder):
            return _read_sqlite(recorder, after, limit)
    return _read_with_mapper(ledger, after, limit)


def _event(notification_id: int, stream: UUID, version: int, topic: str, state: bytes) -> LogEvent:
    statement, signature, claimed, recorded_at, _ = read_signed_state(state)
    canonical = statement.decode("utf-8")
    return LogEvent(
        notification_id=notification_id,
        stream=stream,
        version=version,
        type=event_class_name(topic),
        statement=json.loads(canonical),
        canonical=canonical,
        signature=signature.hex(),
        hash=claimed,
        recorded_at=datetime.fromisoformat(recorded_at),
    )


def _read_postgres(recorder: PostgresApplicationRecorder, after: int, limit: int) -> list[LogEvent]:
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    ).format(
        schema=sql.Identifier(recorder.datastore.schema),
        table=sql.Identifier(recorder.events_table_name),
    )
    with (
        recorder.datastore.get_connection() as connection,
        connection.transaction(force_rollback=True),
        connection.cursor(binary=True, row_factory=tuple_row) as cursor,
    ):
        cursor.execute(query, (after, limit), prepare=True)
        rows = cursor.fetchall()
    return [_event(row[0], row[1], row[2], row[3], bytes(row[4])) for row in rows]


def _read_sqlite(recorder: SQLiteApplicationRecorder, after: int, limit: int) -> list[LogEvent]:
    query = (
        "SELECT rowid, originator_id, originator_version, topic, state "
        f"FROM {recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(query, [after, limit])
        rows = cursor.fetchall()
    return [_event(row[0], UUID(row[1]), row[2], row[3], bytes(row[4])) for row in rows]


def _read_with_mapper(ledger: Ledger, after: int, limit: int) -> list[LogEvent]:
    notifications = ledger.recorder.select_notifications(
        start=after, limit=limit, inclusive_of_start=False
    )
    return [_event_with_mapper(ledger, notification) for notification in notifications]


def _event_with_mapper(ledger: Ledger, notification: Notification) -> LogEvent:
    event = ledger.mapper.to_domain_event(notification)
    if not isinstance(event, SignedAggregate.Event):
        raise TypeError(f"notification {notification.id} is not a signed ledger event")
    return LogEvent(
        notification_id=notification.id,
        stream=event.originator_id,
        version=event.originator_version,
        type=type(event).__name__,
        statement=json.loads(event.statement),
        canonical=event.statement,
        signature=event.signature,
        hash=event.hash,
        recorded_at=event.timestamp,
    )


def follow_log(ledger: Ledger, after: int, batch_size: int) -> Iterator[list[LogEvent]]:
    """Batches of the log from ``after`` until the end as it stands now."""
    while True:
        batch = read_log(ledger, after, batch_size)
        if not batch:
            return
        yield batch
        after = batch[-1].notification_id


def log_end(ledger: Ledger) -> int:
    """The highest notification id recorded so far (0 for an empty log)."""
    return ledger.recorder.max_notification_id() or 0
