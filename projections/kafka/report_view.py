"""A report view built from verified envelopes: events per province, LAO and type.

The view answers the KPI report builders ask first ("how many records does each LAO hold, how
many changes did it make, by type") and is the model for other consumer-group reports. Its
tables, prefixed with the view's name, live in a database of the consumer's own:

- ``<view>_kpi``: (province, lao, event_type) -> events. Records per LAO are its
  ``RecordOpened`` rows.
- ``<view>_heads``: each stream's chain head (version, hash, last notification id) and the
  province and LAO its events count under.
- ``<view>_seen``: every applied notification id and its hash: deduplication, and the proof
  that a second envelope under a known id is a forgery rather than a redelivery.
- ``<view>_positions``: the next offset per topic partition, written in the same transaction
  as the rows, and compare-and-set: a consumer that lost its partition to another member (a
  rebalance it had not noticed yet) cannot write over the new owner's progress.
- ``<view>_rejects``: refused envelopes and why, keyed by where they were read.

``ReportProjector`` is the whole verify-and-apply step, independent of Kafka: the consumer feeds
it records from the topic, ``rebuild_from_ledger`` feeds it the ledger's own notification log,
and the two views must be equal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ledger.application import Ledger
from ledger.statement import SignedStatement
from projections.kafka.envelope import Envelope, envelope_of, signed_event
from projections.kafka.errors import EnvelopeRejectedError, PartitionMovedError, RejectReason
from projections.kafka.verification import (
    EMPTY_HEAD,
    KeyRegistry,
    StreamHead,
    check_chain,
    read_envelope_statement,
)
from projections.store import Cursor, ViewDatabase

log = logging.getLogger(__name__)

_CHUNK = 500  # ids per IN (...) query


@dataclass(frozen=True, slots=True)
class Incoming:
    """One record to verify and apply, and where it was read."""

    topic: str
    partition: int
    offset: int
    value: bytes


@dataclass(frozen=True, slots=True)
class StreamRow:
    head: StreamHead
    province: str
    lao: str


@dataclass(frozen=True, slots=True)
class RejectRow:
    topic: str
    partition: int
    offset: int
    notification_id: int | None
    stream: str | None
    reason: str
    detail: str


@dataclass(slots=True)
class BatchOutcome:
    """What one batch did to the view."""

    applied: list[Envelope] = field(default_factory=list)
    duplicates: int = 0
    rejects: list[RejectRow] = field(default_factory=list)


KeyWaiter = Callable[[str, int], bool]
"""Called with (key id, notification id) when a signer's key is unknown: catch the registry up
and answer whether it may be worth checking again."""


class ReportStore:
    """The report view's tables in one database."""

    def __init__(self, db: ViewDatabase, view_name: str) -> None:
        self.db = db
        self.kpi_table = f"{view_name}_kpi"
        self.heads_table = f"{view_name}_heads"
        self.seen_table = f"{view_name}_seen"
        self.positions_table = f"{view_name}_positions"
        self.rejects_table = f"{view_name}_rejects"

    def create(self) -> None:
        """Create the tables (members starting together take turns: ``schema_change``)."""
        with self.db.schema_change() as cursor:
            for statement in (
                f"CREATE TABLE IF NOT EXISTS {self.kpi_table} (province TEXT NOT NULL, "
                "lao TEXT NOT NULL, event_type TEXT NOT NULL, events BIGINT NOT NULL, "
                "PRIMARY KEY (province, lao, event_type))",
                f"CREATE TABLE IF NOT EXISTS {self.heads_table} (stream TEXT PRIMARY KEY, "
                "version BIGINT NOT NULL, hash TEXT NOT NULL, notification_id BIGINT NOT NULL, "
                "province TEXT NOT NULL, lao TEXT NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {self.seen_table} "
                "(notification_id BIGINT PRIMARY KEY, hash TEXT NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {self.positions_table} (topic TEXT NOT NULL, "
                "partition_id INTEGER NOT NULL, next_offset BIGINT NOT NULL, "
                "PRIMARY KEY (topic, partition_id))",
                f"CREATE TABLE IF NOT EXISTS {self.rejects_table} (topic TEXT NOT NULL, "
                "partition_id INTEGER NOT NULL, record_offset BIGINT NOT NULL, "
                "notification_id BIGINT, stream TEXT, reason TEXT NOT NULL, "
                "detail TEXT NOT NULL, rejected_at TEXT NOT NULL, "
                "PRIMARY KEY (topic, partition_id, record_offset))",
            ):
                cursor.execute(statement)

    # Reading.

    def stream_rows(self, streams: Sequence[str]) -> dict[str, StreamRow]:
        found: dict[str, StreamRow] = {}
        with self.db.transaction() as cursor:
            for chunk in _chunks(streams):
                cursor.execute(
                    f"SELECT stream, version, hash, notification_id, province, lao "
                    f"FROM {self.heads_table} WHERE stream IN ({_marks(chunk)})",
                    list(chunk),
                )
                for stream, version, hash_, nid, province, lao in cursor.fetchall():
                    found[stream] = StreamRow(StreamHead(version, hash_, nid), province, lao)
        return found

    def seen_hashes(self, notification_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with self.db.transaction() as cursor:
            for chunk in _chunks(notification_ids):
                cursor.execute(
                    f"SELECT notification_id, hash FROM {self.seen_table} "
                    f"WHERE notification_id IN ({_marks(chunk)})",
                    list(chunk),
                )
                found.update((int(nid), str(hash_)) for nid, hash_ in cursor.fetchall())
        return found

    def positions(self, topic: str) -> dict[int, int]:
        """partition -> the next offset to read, as last written with the view's rows."""
        with self.db.transaction() as cursor:
            cursor.execute(
                f"SELECT partition_id, next_offset FROM {self.positions_table} WHERE topic = ?",
                [topic],
            )
            return {int(partition): int(offset) for partition, offset in cursor.fetchall()}

    def kpi(self) -> list[tuple[str, str, str, int]]:
        """(province, lao, event_type, events), sorted."""
        with self.db.transaction() as cursor:
            cursor.execute(
                f"SELECT province, lao, event_type, events FROM {self.kpi_table} "
                "ORDER BY province, lao, event_type"
            )
            return [(str(p), str(lao), str(t), int(n)) for p, lao, t, n in cursor.fetchall()]

    def records_per_lao(self) -> list[tuple[str, str, int]]:
        """(province, lao, records opened): the report builders' first KPI."""
        return [(p, lao, n) for p, lao, t, n in self.kpi() if t == "RecordOpened"]

    def heads(self) -> list[tuple[str, int, str]]:
        """(stream, version, head hash) of every stream, sorted."""
        with self.db.transaction() as cursor:
            cursor.execute(f"SELECT stream, version, hash FROM {self.heads_table} ORDER BY stream")
            return [(str(s), int(v), str(h)) for s, v, h in cursor.fetchall()]

    def applied_count(self) -> int:
        with self.db.transaction() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.seen_table}")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def rejects(self) -> list[RejectRow]:
        with self.db.transaction() as cursor:
            cursor.execute(
                f"SELECT topic, partition_id, record_offset, notification_id, stream, "
                f"reason, detail FROM {self.rejects_table} "
                "ORDER BY topic, partition_id, record_offset"
            )
            return [
                RejectRow(str(t), int(p), int(o), n, s, str(r), str(d))
                for t, p, o, n, s, r, d in cursor.fetchall()
            ]

    # Writing.

    def write(
        self,
        changes: ViewChanges,
        positions: Mapping[tuple[str, int], tuple[int | None, int]],
    ) -> None:
        """Write a batch's rows and move its positions, all in one transaction.

        ``positions`` maps (topic, partition) to (the next offset this consumer believes is
        stored, or None for none; the new next offset). A stored value that differs means
        another consumer owns the partition now: ``PartitionMovedError``, nothing written.
        """
        with self.db.transaction() as cursor:
            for (topic, partition), (expected, new) in sorted(positions.items()):
                self._move_position(cursor, topic, partition, expected, new)
            cursor.executemany(
                f"INSERT INTO {self.seen_table} (notification_id, hash) VALUES (?, ?)",
                sorted(changes.seen.items()),
            )
            cursor.executemany(
                f"INSERT INTO {self.heads_table} "
                "(stream, version, hash, notification_id, province, lao) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET "
                "version = excluded.version, hash = excluded.hash, "
                "notification_id = excluded.notification_id, "
                "province = excluded.province, lao = excluded.lao",
                [
                    (s, r.head.version, r.head.hash, r.head.notification_id, r.province, r.lao)
                    for s, r in sorted(changes.streams.items())
                ],
            )
            # Sorted keys: concurrent consumers take row locks in one order, never deadlock.
            cursor.executemany(
                f"INSERT INTO {self.kpi_table} (province, lao, event_type, events) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (province, lao, event_type) DO UPDATE SET "
                f"events = {self.kpi_table}.events + excluded.events",
                [(*key, count) for key, count in sorted(changes.kpi.items())],
            )
            cursor.executemany(
                f"INSERT INTO {self.rejects_table} (topic, partition_id, record_offset, "
                "notification_id, stream, reason, detail, rejected_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    (
                        r.topic,
                        r.partition,
                        r.offset,
                        r.notification_id,
                        r.stream,
                        r.reason,
                        r.detail,
                        datetime.now(UTC).isoformat(),
                    )
                    for r in changes.rejects
                ],
            )

    def _move_position(
        self, cursor: Cursor, topic: str, partition: int, expected: int | None, new: int
    ) -> None:
        if expected is None:
            cursor.execute(
                f"INSERT INTO {self.positions_table} (topic, partition_id, next_offset) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING next_offset",
                [topic, partition, new],
            )
        else:
            cursor.execute(
                f"UPDATE {self.positions_table} SET next_offset = ? "
                "WHERE topic = ? AND partition_id = ? AND next_offset = ? RETURNING next_offset",
                [new, topic, partition, expected],
            )
        if cursor.fetchone() is None:
            raise PartitionMovedError(topic, partition)


@dataclass(slots=True)
class ViewChanges:
    """The rows one batch adds or changes."""

    seen: dict[int, str] = field(default_factory=dict)
    streams: dict[str, StreamRow] = field(default_factory=dict)
    kpi: dict[tuple[str, str, str], int] = field(default_factory=dict)
    rejects: list[RejectRow] = field(default_factory=list)


class ReportProjector:
    """Verifies a batch of records and applies the good ones to the report view.

    Chain heads of the streams it has seen are cached: a stream lives in one partition and a
    partition has one consumer, so the cache stays right until the assignment changes
    (``forget`` then). Registry-stream events it accepts also teach the key registry.
    """

    def __init__(
        self,
        store: ReportStore,
        registry: KeyRegistry,
        *,
        wait_for_key: KeyWaiter | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self._wait_for_key = wait_for_key
        self._streams: dict[str, StreamRow] = {}

    def forget(self) -> None:
        self._streams.clear()

    def project(
        self,
        batch: Sequence[Incoming],
        positions: Mapping[tuple[str, int], tuple[int | None, int]],
    ) -> BatchOutcome:
        """Verify and apply ``batch``, then write rows and positions in one transaction."""
        outcome = BatchOutcome()
        changes = ViewChanges()
        decoded: list[tuple[Incoming, Envelope | None, EnvelopeRejectedError | None]] = []
        for item in batch:
            try:
                decoded.append((item, Envelope.decode(item.value), None))
            except EnvelopeRejectedError as error:
                decoded.append((item, None, error))
        envelopes = [envelope for _, envelope, _ in decoded if envelope is not None]
        seen = self.store.seen_hashes(sorted({e.notification_id for e in envelopes}))
        self._load_streams({str(e.stream) for e in envelopes})
        for item, envelope, problem in decoded:
            if envelope is None:
                assert problem is not None  # noqa: S101 - decoded holds one or the other
                self._rejected(item, None, problem, outcome, changes)
                continue
            known = seen.get(envelope.notification_id) or changes.seen.get(envelope.notification_id)
            if known == envelope.hash:
                outcome.duplicates += 1
                continue
            try:
                if known is not None:
                    raise EnvelopeRejectedError(
                        RejectReason.CONFLICTING_DUPLICATE,
                        f"notification {envelope.notification_id} was applied with another hash",
                    )
                self._apply(envelope, changes)
            except EnvelopeRejectedError as rejected:
                self._rejected(item, envelope, rejected, outcome, changes)
                continue
            outcome.applied.append(envelope)
        try:
            self.store.write(changes, positions)
        except Exception:
            self.forget()  # the cache may hold heads that were never written
            raise
        return outcome

    def _load_streams(self, streams: set[str]) -> None:
        missing = sorted(streams - self._streams.keys())
        if missing:
            self._streams.update(self.store.stream_rows(missing))

    def _apply(self, envelope: Envelope, changes: ViewChanges) -> None:
        stream = str(envelope.stream)
        row = self._streams.get(stream)
        signed = read_envelope_statement(envelope)  # self-consistent before anything else
        check_chain(envelope, row.head if row is not None else EMPTY_HEAD)
        self._verify(envelope, signed)
        if envelope.stream == self.registry.registry_stream:
            self.registry.learn(envelope)
        data = signed.statement.data
        province = data.get("province")
        lao = data.get("lao")
        new_row = StreamRow(
            StreamHead(envelope.version, envelope.hash, envelope.notification_id),
            province if isinstance(province, str) else (row.province if row else ""),
            lao if isinstance(lao, str) else (row.lao if row else ""),
        )
        self._streams[stream] = new_row
        changes.streams[stream] = new_row
        changes.seen[envelope.notification_id] = envelope.hash
        key = (new_row.province, new_row.lao, envelope.type)
        changes.kpi[key] = changes.kpi.get(key, 0) + 1

    def _verify(self, envelope: Envelope, signed: SignedStatement) -> None:
        try:
            self.registry.verify(envelope, signed)
        except EnvelopeRejectedError as error:
            if error.reason is not RejectReason.UNKNOWN_KEY or self._wait_for_key is None:
                raise
            if not self._wait_for_key(signed.statement.signer.key, envelope.notification_id):
                raise
            self.registry.verify(envelope, signed)

    def _rejected(
        self,
        item: Incoming,
        envelope: Envelope | None,
        error: EnvelopeRejectedError,
        outcome: BatchOutcome,
        changes: ViewChanges,
    ) -> None:
        row = RejectRow(
            topic=item.topic,
            partition=item.partition,
            offset=item.offset,
            notification_id=envelope.notification_id if envelope else None,
            stream=str(envelope.stream) if envelope else None,
            reason=error.reason.value,
            detail=error.detail,
        )
        # No personal data: ids, positions and the reason only.
        log.warning(
            "rejected envelope at %s[%d]@%d (notification %s, stream %s): %s",
            row.topic,
            row.partition,
            row.offset,
            row.notification_id,
            row.stream,
            error,
        )
        outcome.rejects.append(row)
        changes.rejects.append(row)


def _chunks(items: Sequence[str] | Sequence[int]) -> Iterator[Sequence[str] | Sequence[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(chunk: Sized) -> str:
    return ",".join("?" * len(chunk))


def ledger_envelopes(
    ledger: Ledger, *, after: int = 0, batch_size: int = 1000
) -> Iterable[list[Envelope]]:
    """The ledger's notification log after ``after`` as envelopes, in batches (what the
    publisher sends)."""
    position = after
    while True:
        notifications = ledger.recorder.select_notifications(position + 1, batch_size)
        if not notifications:
            return
        batch = []
        for notification in notifications:
            event = signed_event(notification, ledger.mapper)
            if event is not None:
                batch.append(envelope_of(notification, event))
        position = notifications[-1].id
        yield batch


LEDGER_SOURCE = "ledger"
"""The position name of a view fed straight from the ledger's log (offset = notification id)."""


def rebuild_from_ledger(ledger: Ledger, store: ReportStore, registry: KeyRegistry) -> int:
    """Build the same view straight from the ledger's database; return the events applied.

    It is a projection of the log like any other: it resumes after the position it stored, and
    from zero into fresh tables it rebuilds the view. The registry must have learned everything
    before that position (a fresh registry with a fresh store does).
    """
    projector = ReportProjector(store, registry)
    applied = 0
    expected = store.positions(LEDGER_SOURCE).get(0)
    for batch in ledger_envelopes(ledger, after=(expected or 1) - 1):
        if not batch:
            continue
        incoming = [
            Incoming(LEDGER_SOURCE, 0, envelope.notification_id, envelope.encode())
            for envelope in batch
        ]
        new = batch[-1].notification_id + 1
        outcome = projector.project(incoming, {(LEDGER_SOURCE, 0): (expected, new)})
        expected = new
        applied += len(outcome.applied)
    return applied
