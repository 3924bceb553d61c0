"""The Kafka publisher: follows the notification log and sends every event to a topic.

Each event goes to the events topic keyed by its stream id (so a record's events share one
partition and keep their order), as the envelope of DESIGN.md section 7 with headers naming the
type, the LAO, the notification id and the ledger (``projections.kafka.envelope``). Signed
checkpoints go to their own topic (``projections.kafka.checkpoints``).

Delivery is at-least-once. Each producer is idempotent with ``acks=all``; the publisher's
position is the highest notification id that, with every id before it, the broker has
acknowledged, and it is written to ``<ledger>_kafka_positions`` in the ledger's database only
then (every ``position_interval_seconds`` and when the publisher stops). After a crash the
publisher resends from that position, so a record may arrive twice (consumers deduplicate on
the notification id) but never goes missing, and within a partition the first copies keep
notification order.

Work is split over processes because kafka-python's producer spends its interpreter's whole
time in Python code (bench/kafka.py): this process reads the log, builds the records and names
each one's partition (the one Kafka's default partitioner would choose for the stream id);
``producer_processes`` sender processes (``projections.kafka.senders``) each own the partitions
``p % n == i`` and run one producer, so every partition still has exactly one producer sending
in log order. Senders report how far their own records are acknowledged; the position is the
smallest notification id any sender still waits for, minus one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from eventsourcing.persistence import Notification

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.kafka.checkpoints import CheckpointSource, checkpoint_headers, checkpoint_value
from projections.kafka.envelope import outgoing_record
from projections.kafka.heartbeat import Heartbeat
from projections.kafka.senders import RecordTuple, SenderProcesses
from projections.kafka.settings import KafkaSettings
from projections.kafka.topics import ensure_topics, ledger_topics, partition_for
from projections.store import ViewDatabase

log = logging.getLogger(__name__)

_BACKLOG_BATCHES = 20  # read batches handed out but not yet acknowledged, at most
_STOP_GRACE_SECONDS = 30.0  # how long a stopping publisher waits for outstanding acks
_PARTITION_CACHE = 100_000  # streams whose partition is remembered


class PositionStore:
    """The publisher's positions, one row per topic, in the ledger's own database."""

    def __init__(self, db: ViewDatabase, ledger_name: str) -> None:
        self._db = db
        self.table = f"{ledger_name}_kafka_positions"  # the name is validated by LedgerSettings

    def create(self) -> None:
        with self._db.schema_change() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} "
                "(name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )

    def read(self, name: str) -> int:
        with self._db.transaction() as cursor:
            cursor.execute(f"SELECT position FROM {self.table} WHERE name = ?", [name])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def write(self, name: str, position: int) -> None:
        """Record a position; it never moves backwards."""
        with self._db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (name, position) VALUES (?, ?) "
                f"ON CONFLICT (name) DO UPDATE SET position = excluded.position "
                f"WHERE {self.table}.position < excluded.position",
                [name, position],
            )


@dataclass(frozen=True, slots=True)
class PublishStats:
    """What one run did."""

    sent: int  # event records sent in this run (duplicates after a crash included)
    position: int  # the notification id recorded as acknowledged
    checkpoint_position: int  # the tree size of the last checkpoint acknowledged
    seconds: float  # the whole run, start-up (topics, sender processes) included
    busy_seconds: float  # from the first record handed out to the last one acknowledged


class _Progress:
    """What was read and handed out, and what each sender has had acknowledged."""

    def __init__(self, position: int, checkpoint_position: int, senders: int) -> None:
        self.read = position  # the last notification id read (and handed out, if an event)
        self.pending: list[deque[int]] = [deque() for _ in range(senders)]
        self.checkpoint_position = checkpoint_position
        self.checkpoint_queued = checkpoint_position
        self.recorded = (position, checkpoint_position)
        self.sent = 0
        self.first_sent: float | None = None

    @property
    def position(self) -> int:
        """Everything up to here is acknowledged (or was no event)."""
        firsts = [pending[0] for pending in self.pending if pending]
        return min(firsts) - 1 if firsts else self.read

    @property
    def backlog(self) -> int:
        return sum(len(pending) for pending in self.pending)

    def acked(self, sender: int, through: int, checkpoint_through: int) -> None:
        pending = self.pending[sender]
        while pending and pending[0] <= through:
            pending.popleft()
        if sender == 0:
            self.checkpoint_position = max(self.checkpoint_position, checkpoint_through)


class KafkaPublisher:
    """Publishes one ledger's notification log (and its checkpoints) to Kafka."""

    def __init__(
        self,
        ledger_settings: LedgerSettings,
        kafka: KafkaSettings,
        *,
        checkpoints: CheckpointSource | None = None,
    ) -> None:
        self.ledger_settings = ledger_settings
        self.kafka = kafka
        self.checkpoints = checkpoints
        self.events_key = f"events:{kafka.topic}"
        self.checkpoints_key = f"checkpoints:{kafka.checkpoints_topic}"
        self._partitions: dict[bytes, int] = {}  # stream key -> partition: records recur

    def run(
        self, *, until_caught_up: bool = False, stop: threading.Event | None = None
    ) -> PublishStats:
        """Publish until ``stop`` is set, or, with ``until_caught_up``, until every event
        committed when the run started is acknowledged. Raises ``PublishError`` when the broker
        refuses a record (the position stays at the acknowledged prefix)."""
        began = time.monotonic()
        ensure_topics(self.kafka, ledger_topics(self.kafka))
        db = ViewDatabase(self.ledger_settings.database_url)
        ledger: Ledger | None = None
        senders: SenderProcesses | None = None
        try:
            positions = PositionStore(db, self.ledger_settings.name)
            positions.create()
            progress = _Progress(
                positions.read(self.events_key),
                positions.read(self.checkpoints_key),
                min(self.kafka.producer_processes, self.kafka.partitions),
            )
            log.info(
                "publishing ledger %s to %s after notification %d",
                self.ledger_settings.name,
                self.kafka.topic,
                progress.read,
            )
            senders = SenderProcesses(self.kafka, len(progress.pending))
            ledger = Ledger(
                self.ledger_settings.model_copy(update={"pool_size": 1, "pool_max_overflow": 1})
            )
            try:
                finished = self._pump(ledger, senders, progress, positions, until_caught_up, stop)
            finally:
                # The acknowledged prefix is safe to record even when a later record failed.
                self._record(positions, progress)
        finally:
            if senders is not None:
                senders.stop()
            if ledger is not None:
                ledger.close()
            db.close()
        log.info(
            "published up to notification %d (%d records sent)", progress.position, progress.sent
        )
        return PublishStats(
            sent=progress.sent,
            position=progress.position,
            checkpoint_position=progress.checkpoint_position,
            seconds=time.monotonic() - began,
            busy_seconds=finished - (progress.first_sent or finished),
        )

    def _pump(
        self,
        ledger: Ledger,
        senders: SenderProcesses,
        progress: _Progress,
        positions: PositionStore,
        until_caught_up: bool,
        stop: threading.Event | None,
    ) -> float:
        """Read, hand out and collect acknowledgements; return when the run ended."""
        kafka = self.kafka
        target = (ledger.recorder.max_notification_id() or 0) if until_caught_up else None
        reader = _LogReader(
            ledger, progress.read, kafka.read_batch, target, kafka.poll_interval_seconds
        )
        try:
            return self._loop(reader, ledger, senders, progress, positions, target, stop)
        finally:
            reader.close()

    def _loop(
        self,
        reader: _LogReader,
        ledger: Ledger,
        senders: SenderProcesses,
        progress: _Progress,
        positions: PositionStore,
        target: int | None,
        stop: threading.Event | None,
    ) -> float:
        kafka = self.kafka
        heartbeat = Heartbeat(kafka.health_file)
        last_write = time.monotonic()
        stopping_since: float | None = None
        while True:
            heartbeat.beat()
            if stop is not None and stop.is_set() and stopping_since is None:
                stopping_since = time.monotonic()
            read_any = False
            if (
                stopping_since is None
                and (target is None or progress.read < target)
                and progress.backlog < _BACKLOG_BATCHES * kafka.read_batch
            ):
                notifications = reader.take()
                if notifications:
                    self._hand_out(notifications, ledger, senders, progress)
                    read_any = True
            idle = not read_any and progress.backlog == 0
            wait_for = 0.01 if idle else 0.005  # the log reader thread polls the database
            senders.collect(progress.acked, timeout=0 if read_any else wait_for)
            now = time.monotonic()
            if now - last_write >= kafka.position_interval_seconds:
                self._send_checkpoints(senders, progress)
                self._record(positions, progress)
                last_write = now
            if target is not None and progress.position >= target:
                break
            if stopping_since is not None and (
                progress.backlog == 0 or now - stopping_since > _STOP_GRACE_SECONDS
            ):
                break
        finished = time.monotonic()
        self._finish_checkpoints(senders, progress)
        return finished

    def _hand_out(
        self,
        notifications: Sequence[Notification],
        ledger: Ledger,
        senders: SenderProcesses,
        progress: _Progress,
    ) -> None:
        """Turn a batch of the log into records and hand them to their senders."""
        count = len(progress.pending)
        partitions = self.kafka.partitions
        name = self.ledger_settings.name
        batches: list[list[RecordTuple]] = [[] for _ in range(count)]
        for notification in notifications:
            record = outgoing_record(notification, ledger.mapper, name)
            if record is not None:
                partition = self._partitions.get(record.key)
                if partition is None:
                    if len(self._partitions) >= _PARTITION_CACHE:
                        self._partitions.clear()
                    partition = partition_for(record.key, partitions)
                    self._partitions[record.key] = partition
                batches[partition % count].append(
                    (record.notification_id, partition, record.key, record.value, record.headers)
                )
        if progress.first_sent is None:
            progress.first_sent = time.monotonic()
        for index, batch in enumerate(batches):
            if batch:
                progress.pending[index].extend(item[0] for item in batch)
                senders.send(index, ("records", batch))
                progress.sent += len(batch)
        progress.read = notifications[-1].id

    def _send_checkpoints(self, senders: SenderProcesses, progress: _Progress) -> None:
        """Hand out the checkpoints whose events are all acknowledged and not yet sent."""
        up_to = progress.position
        if self.checkpoints is None or up_to <= progress.checkpoint_queued:
            return
        name = self.ledger_settings.name
        for checkpoint in self.checkpoints.checkpoints_after(
            progress.checkpoint_queued, up_to=up_to
        ):
            senders.send(
                0,
                (
                    "checkpoint",
                    checkpoint.tree_size,
                    name.encode("ascii"),
                    checkpoint_value(checkpoint, name),
                    checkpoint_headers(checkpoint, name),
                ),
            )
            progress.checkpoint_queued = checkpoint.tree_size

    def _finish_checkpoints(self, senders: SenderProcesses, progress: _Progress) -> None:
        self._send_checkpoints(senders, progress)
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        while progress.checkpoint_position < progress.checkpoint_queued:
            if time.monotonic() > deadline:
                break
            senders.collect(progress.acked, timeout=0.01)

    def _record(self, positions: PositionStore, progress: _Progress) -> None:
        events, checkpoints = progress.position, progress.checkpoint_position
        if events > progress.recorded[0]:
            positions.write(self.events_key, events)
        if checkpoints > progress.recorded[1]:
            positions.write(self.checkpoints_key, checkpoints)
        progress.recorded = (
            max(events, progress.recorded[0]),
            max(checkpoints, progress.recorded[1]),
        )


class _LogReader:
    """Reads the notification log one batch ahead, in a thread.

    The database sends the next batch while this process builds the current one's records
    (the driver releases the GIL while it waits), so neither waits for the other.
    """

    def __init__(
        self, ledger: Ledger, after: int, batch: int, target: int | None, poll_interval: float
    ) -> None:
        self._ledger = ledger
        self._batches: queue.Queue[Sequence[Notification] | BaseException] = queue.Queue(2)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._read,
            args=(after, batch, target, poll_interval),
            name="ledger-publish-log-reader",
            daemon=True,
        )
        self._thread.start()

    def _read(self, after: int, batch: int, target: int | None, poll_interval: float) -> None:
        position = after
        try:
            while not self._closed.is_set() and (target is None or position < target):
                found = self._ledger.recorder.select_notifications(position + 1, batch, stop=target)
                if not found:
                    self._closed.wait(poll_interval)
                    continue
                self._put(found)
                position = found[-1].id
        except BaseException as error:  # handed to the publisher's thread, which raises it
            self._put(error)

    def _put(self, item: Sequence[Notification] | BaseException) -> None:
        while not self._closed.is_set():
            try:
                self._batches.put(item, timeout=0.1)
            except queue.Full:
                continue
            return

    def take(self) -> Sequence[Notification] | None:
        """The next batch if one is ready (never waits)."""
        try:
            item = self._batches.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self._closed.set()
        self._thread.join(10)
