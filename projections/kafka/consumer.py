"""A consumer-group report projection: builds the report view from the events topic.

Members of one consumer group split the topic's partitions; each verifies every envelope
(signature, key, chain; ``projections.kafka.verification``), deduplicates on the notification id,
writes its view rows and its partitions' next offsets in one transaction to the view database
(``projections.kafka.report_view``), and only then commits the offsets to Kafka. The database is
the source of truth for positions: on assignment a member seeks to the offsets stored beside
the rows (or to the beginning), so a crash between the view write and the offset commit
only causes a redelivery that deduplication absorbs.

Keys: every member needs the whole key registry, but the registry stream lives in one
partition that another member may own. So each member also reads that one partition outside
the group (``RegistryPartitionReader``), keeping only the registry stream's records, and catches
it up before each batch and whenever a signer's key is still unknown (an enrolment on another
partition may land a moment later than the event that uses it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from projections.kafka.envelope import Envelope
from projections.kafka.errors import EnvelopeRejectedError, PartitionMovedError
from projections.kafka.heartbeat import Heartbeat
from projections.kafka.report_view import (
    BatchOutcome,
    Incoming,
    ReportProjector,
    ReportStore,
)
from projections.kafka.settings import KafkaSettings
from projections.kafka.topics import TopicSpec, ensure_topics, partition_for
from projections.kafka.verification import KeyRegistry

log = logging.getLogger(__name__)

_POLL_MS = 200


class RegistryPartitionReader:
    """Reads the registry stream's partition from the beginning, outside any group, and teaches
    the key registry every registry-stream envelope in it."""

    def __init__(self, settings: KafkaSettings, registry: KeyRegistry) -> None:
        self.registry = registry
        self._grace = settings.unknown_key_grace_seconds
        self._key = str(registry.registry_stream).encode("ascii")
        self._partition = TopicPartition(
            settings.topic, partition_for(self._key, settings.partitions)
        )
        self._consumer = KafkaConsumer(
            bootstrap_servers=settings.bootstrap_list,
            client_id=f"{settings.client_id}-registry",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._consumer.assign([self._partition])
        self._consumer.seek_to_beginning(self._partition)

    def catch_up(self, timeout_seconds: float) -> bool:
        """Read up to the partition's high-water mark; False if ``timeout_seconds`` ran out."""
        deadline = time.monotonic() + timeout_seconds
        wait_ms = 0  # at the high-water mark already, the first poll answers at once
        while True:
            polled = self._consumer.poll(timeout_ms=wait_ms, max_records=5_000)
            wait_ms = 50
            for records in polled.values():
                for record in records:
                    if record.key == self._key:
                        self._learn(record.value)
            highwater = self._consumer.highwater(self._partition)
            if (
                not polled
                and highwater is not None
                and self._consumer.position(self._partition) >= highwater
            ):
                return True
            if time.monotonic() >= deadline:
                return False

    def _learn(self, value: bytes) -> None:
        try:
            self.registry.learn(Envelope.decode(value))
        except EnvelopeRejectedError as error:
            # The member that owns this partition rejects and reports it; here it just
            # teaches nothing.
            log.debug("registry partition reader skipped an envelope: %s", error)

    def wait_for_key(self, key_id: str, notification_id: int) -> bool:
        """Catch up until ``key_id`` is enrolled or the grace period ends."""
        deadline = time.monotonic() + self._grace
        while True:
            self.catch_up(max(0.0, deadline - time.monotonic()))
            if self.registry.knows(key_id):
                return True
            if time.monotonic() >= deadline:
                log.info(
                    "key %s (notification %d) still unknown after %.1f s",
                    key_id,
                    notification_id,
                    self._grace,
                )
                return False
            time.sleep(0.05)

    def close(self) -> None:
        self._consumer.close()


@dataclass(slots=True)
class ConsumeStats:
    """What one run did."""

    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    seconds: float = 0.0


class _RebalanceListener(ConsumerRebalanceListener):  # type: ignore[misc]  # kafka-python is untyped
    """Seeks newly assigned partitions to the offsets stored with the view's rows."""

    def __init__(self, owner: ReportConsumer) -> None:
        self._owner = owner

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self._owner.partitions_revoked(revoked)

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self._owner.partitions_assigned(assigned)


class ReportConsumer:
    """One member of the report projection's consumer group."""

    def __init__(
        self,
        settings: KafkaSettings,
        store: ReportStore,
        registry: KeyRegistry,
        *,
        on_batch: Callable[[BatchOutcome], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self._on_batch = on_batch
        self._next: dict[TopicPartition, int | None] = {}
        self._consumer: KafkaConsumer | None = None
        self._projector: ReportProjector | None = None

    def run(
        self,
        *,
        until_caught_up: bool = False,
        stop: threading.Event | None = None,
        timeout_seconds: float | None = None,
    ) -> ConsumeStats:
        """Consume until ``stop`` is set, or (``until_caught_up``) until every assigned
        partition is read to its high-water mark, or until ``timeout_seconds``."""
        settings = self.settings
        began = time.monotonic()
        ensure_topics(
            settings, [TopicSpec(settings.topic, settings.partitions, settings.replication_factor)]
        )
        self.store.create()
        stats = ConsumeStats()
        registry_reader = RegistryPartitionReader(settings, self.registry)
        try:
            consumer = KafkaConsumer(
                bootstrap_servers=settings.bootstrap_list,
                client_id=f"{settings.client_id}-reports",
                group_id=settings.group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=settings.session_timeout_ms,
                heartbeat_interval_ms=settings.heartbeat_interval_ms,
                max_poll_records=settings.max_poll_records,
            )
        except BaseException:
            registry_reader.close()
            raise
        self._consumer = consumer
        self._projector = ReportProjector(
            self.store, self.registry, wait_for_key=registry_reader.wait_for_key
        )
        try:
            registry_reader.catch_up(timeout_seconds=10)
            consumer.subscribe([settings.topic], listener=_RebalanceListener(self))
            heartbeat = Heartbeat(settings.health_file)
            while stop is None or not stop.is_set():
                heartbeat.beat()
                if timeout_seconds is not None and time.monotonic() - began > timeout_seconds:
                    break
                polled = consumer.poll(timeout_ms=_POLL_MS)
                if polled:
                    registry_reader.catch_up(timeout_seconds=0.5)  # revocations, new enrolments
                    self._project(consumer, polled, stats)
                elif until_caught_up and self._caught_up(consumer):
                    break
        finally:
            consumer.close(autocommit=False)
            registry_reader.close()
            self._consumer = None
        stats.seconds = time.monotonic() - began
        return stats

    def _project(
        self,
        consumer: KafkaConsumer,
        polled: dict[TopicPartition, list[object]],
        stats: ConsumeStats,
    ) -> None:
        assert self._projector is not None  # noqa: S101 - set by run
        batch: list[Incoming] = []
        positions: dict[tuple[str, int], tuple[int | None, int]] = {}
        moved: dict[TopicPartition, int] = {}
        for tp, records in polled.items():
            if not records or tp not in self._next:
                continue  # revoked meanwhile
            batch.extend(
                Incoming(tp.topic, tp.partition, r.offset, r.value)  # type: ignore[attr-defined]
                for r in records
            )
            new = records[-1].offset + 1  # type: ignore[attr-defined]
            positions[(tp.topic, tp.partition)] = (self._next[tp], new)
            moved[tp] = new
        if not batch:
            return
        try:
            outcome = self._projector.project(batch, positions)
        except PartitionMovedError as error:
            log.warning("%s; re-reading positions", error)
            self._reseek(consumer)
            return
        self._next.update(moved)
        stats.applied += len(outcome.applied)
        stats.duplicates += outcome.duplicates
        stats.rejected += len(outcome.rejects)
        stats.batches += 1
        try:
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in moved.items()})
        except (CommitFailedError, KafkaError) as error:
            # The view's own positions are authoritative; the group offset is a convenience.
            log.info("offset commit failed (%s); positions are in the view database", error)
        if self._on_batch is not None:
            self._on_batch(outcome)

    def _caught_up(self, consumer: KafkaConsumer) -> bool:
        assignment = consumer.assignment()
        if not assignment:
            return False
        for tp in assignment:
            highwater = consumer.highwater(tp)
            if highwater is None or consumer.position(tp) < highwater:
                return False
        return True

    def _reseek(self, consumer: KafkaConsumer) -> None:
        if self._projector is not None:
            self._projector.forget()
        self.partitions_assigned(list(consumer.assignment()))

    # Rebalance callbacks (called from inside ``poll``).

    def partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        for tp in revoked:
            self._next.pop(tp, None)
        if self._projector is not None:
            self._projector.forget()

    def partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        consumer = self._consumer
        if consumer is None:
            return
        stored = self.store.positions(self.settings.topic)
        for tp in assigned:
            offset = stored.get(tp.partition)
            if offset is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
            self._next[tp] = offset
        log.info("assigned partitions %s", sorted(tp.partition for tp in assigned))
