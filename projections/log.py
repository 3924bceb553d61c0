"""Reading the ledger's notification log: the one source of order for every projection.

Projections read millions of events and need only what was signed: the statement (and its
data), the signature, the event hash and the transaction time. When the ledger's mapper has no
cipher and no compressor (the ledger uses neither), ``read_log`` selects the stored rows
directly and takes the signed fields out of the stored JSON (PostgreSQL does it in the query,
where ``ledger.stored.SIGNED_FIELD_PATHS`` says they are; on SQLite ``ledger.stored`` slices
them), instead of building a domain event per row through the library's mapper and parsing
every statement: several times faster, and reading is a large part of a catch-up
(``bench/projections.py``). Anything else goes through the mapper. The statement's own fields
are read with ``ledger.statement.CANONICAL_FIELDS_TEXT``, the auditor's pattern.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.canonical import canonicalize
from ledger.domain.signed import SignedAggregate
from ledger.statement import CANONICAL_FIELDS_TEXT, DATA_END, DATA_START, OWNER_SIGNER
from ledger.stored import SIGNED_FIELD_PATHS, event_class_name, read_signed_state
from projections.rows import utc_text


@dataclass(slots=True)
class LogEvent:
    """One event of the log as projections see it: position, stream, type and signed statement.

    The statement is parsed from its canonical text on first use: the views that need only
    the valid time, the signer or the data's text take them from the canonical form
    (``ledger.statement.CANONICAL_FIELDS_TEXT``), which is several times faster.
    """

    notification_id: int
    stream: UUID
    version: int
    type: str
    canonical: str
    signature: str
    hash: str
    recorded_at: datetime
    stream_text: str  # ``str(stream)``, which views use as a key
    recorded_text: str  # ``projections.rows.utc_text(recorded_at)``: fixed width, sortable
    parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    effective: str = field(init=False, compare=False, repr=False)  # the valid time, ISO date
    signer_cid: str | None = field(init=False, compare=False, repr=False)  # None: an owner
    key_id: str = field(init=False, compare=False, repr=False)
    data_end: int = field(init=False, compare=False, repr=False)  # -1: not laid out canonically

    def __post_init__(self) -> None:
        fields = _fields(self.canonical)
        if fields is None:  # not laid out as the ledger's canonical statements are: parse it
            statement = self.statement
            self.effective = statement["effective"]
            self.signer_cid = statement["signer"]["cid"]
            self.key_id = statement["signer"]["key"]
            self.data_end = -1
            return
        self.effective, self.signer_cid, self.key_id = fields.group(1, 4, 5)
        self.data_end = fields.start(1) - DATA_END

    @property
    def actor(self) -> str:
        """Who signed, as the views name a signer: the citizen ID (or ``system``), or, for a
        record owner who signs with none, ``record_owner`` (``OWNER_SIGNER``)."""
        return self.signer_cid if self.signer_cid is not None else OWNER_SIGNER

    @property
    def statement(self) -> dict[str, Any]:
        if self.parsed is None:
            self.parsed = json.loads(self.canonical)
        return self.parsed

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.statement["data"]
        return data

    @property
    def data_text(self) -> str:
        """The statement's ``data`` exactly as signed (RFC 8785 text)."""
        if self.data_end < 0:
            return canonicalize(self.data).decode("utf-8")
        return self.canonical[DATA_START : self.data_end]


_class_name = functools.lru_cache(maxsize=512)(event_class_name)
"""Event class names by stored topic (a handful of topics, millions of events)."""

_fields = CANONICAL_FIELDS_TEXT.fullmatch

_SIGNED_FIELDS = sql.SQL(", ").join(
    sql.SQL(" -> ").join([sql.SQL("s"), *map(sql.Literal, path[:-1])])
    + sql.SQL(" ->> ")
    + sql.Literal(path[-1])
    for path in SIGNED_FIELD_PATHS
)
"""``s ->> 'statement', ..., s -> 'timestamp' ->> '_data_'``: the signed fields of a state."""


def read_log(ledger: Ledger, after: int, limit: int) -> list[LogEvent]:
    """Up to ``limit`` events with notification ids greater than ``after``, in log order."""
    mapper = ledger.mapper
    if mapper.cipher is None and mapper.compressor is None:
        recorder = ledger.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            return _read_postgres(recorder, after, limit)
        if isinstance(recorder, SQLiteApplicationRecorder):
            return _read_sqlite(recorder, after, limit)
    return read_log_through_mapper(ledger, after, limit)


def _event(notification_id: int, stream: UUID, version: int, topic: str, state: bytes) -> LogEvent:
    statement, signature, claimed, recorded_at, _ = read_signed_state(state)
    canonical = statement.decode("utf-8")
    moment = datetime.fromisoformat(recorded_at)
    return LogEvent(
        notification_id=notification_id,
        stream=stream,
        version=version,
        type=_class_name(topic),
        canonical=canonical,
        signature=signature.hex(),
        hash=claimed,
        recorded_at=moment,
        stream_text=str(stream),
        recorded_text=_utc_text(recorded_at, moment),
    )


def _utc_text(stored: str, moment: datetime) -> str:
    """The stored ISO time as ``utc_text`` writes it, by slicing when it is already UTC with
    microseconds (the library's usual form), else by formatting."""
    if len(stored) == 32 and stored.endswith("+00:00") and stored[19] == ".":
        return stored[:26] + "Z"
    return utc_text(moment)


def _read_postgres(recorder: PostgresApplicationRecorder, after: int, limit: int) -> list[LogEvent]:
    # PostgreSQL takes the signed fields out of the stored JSON (in C, on the server's core),
    # so this process only receives text: the statement exactly as signed, the signature and
    # hash, the transaction time. An event whose state is not a signed event's has no
    # statement; it is read the slow way, which says what is wrong with it.
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, {fields} "
        "FROM (SELECT notification_id, originator_id, originator_version, topic, "
        "convert_from(state, 'UTF8')::jsonb AS s FROM {schema}.{table} "
        "WHERE notification_id > %s ORDER BY notification_id LIMIT %s) AS log"
    ).format(
        fields=_SIGNED_FIELDS,
        schema=sql.Identifier(recorder.datastore.schema),
        table=sql.Identifier(recorder.events_table_name),
    )
    with (
        recorder.datastore.get_connection() as connection,
        connection.transaction(force_rollback=True),
        connection.cursor(row_factory=tuple_row) as cursor,
    ):
        cursor.execute(query, (after, limit), prepare=True)
        rows = cursor.fetchall()
    events = []
    for nid, stream, version, topic, canonical, signature, claimed, recorded_at in rows:
        if canonical is None or signature is None or claimed is None or recorded_at is None:
            events.extend(_reread_postgres(recorder, nid))
            continue
        moment = datetime.fromisoformat(recorded_at)
        events.append(
            LogEvent(
                notification_id=nid,
                stream=stream,
                version=version,
                type=_class_name(topic),
                canonical=canonical,
                signature=signature,
                hash=claimed,
                recorded_at=moment,
                stream_text=str(stream),
                recorded_text=_utc_text(recorded_at, moment),
            )
        )
    return events


def _reread_postgres(recorder: PostgresApplicationRecorder, notification_id: int) -> list[LogEvent]:
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id = %s"
    ).format(
        schema=sql.Identifier(recorder.datastore.schema),
        table=sql.Identifier(recorder.events_table_name),
    )
    with (
        recorder.datastore.get_connection() as connection,
        connection.transaction(force_rollback=True),
        connection.cursor(binary=True, row_factory=tuple_row) as cursor,
    ):
        cursor.execute(query, (notification_id,))
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


def read_log_through_mapper(ledger: Ledger, after: int, limit: int) -> list[LogEvent]:
    """``read_log`` through the library's mapper (and its cipher or compressor, if any)."""
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
        canonical=event.statement,
        signature=event.signature,
        hash=event.hash,
        recorded_at=event.timestamp,
        stream_text=str(event.originator_id),
        recorded_text=utc_text(event.timestamp),
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
