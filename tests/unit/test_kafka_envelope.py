"""The Kafka envelope, its record key and headers, and the partition a stream goes to."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kafka.partitioner.default import DefaultPartitioner
from kafka.partitioner.default import murmur2 as kafka_murmur2

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH, event_hash
from projections.kafka.envelope import (
    Envelope,
    OutgoingRecord,
    outgoing_record,
    statement_prev_hash,
)
from projections.kafka.errors import EnvelopeRejectedError, RejectReason
from projections.kafka.topics import murmur2, partition_for
from tests.ledger_kit import LedgerKit, build_kit, education_data

ENVELOPE = Envelope(
    notification_id=42,
    stream=uuid.UUID("3f0c1d9e-1234-4d7a-9d7e-123456789abc"),
    version=3,
    type="EducationAdded",
    statement='{"data":{"institution":"มหาวิทยาลัยขอนแก่น"}}'.encode(),
    signature=bytes(range(64)),
    hash="ab" * 32,
    prev_hash="cd" * 32,
    recorded_at=datetime(2019, 5, 2, 2, 15, 0, 123456, tzinfo=UTC),
)


@pytest.fixture
def sqlite_kit(tmp_path: Path) -> Iterator[LedgerKit]:
    """An initialised SQLite ledger with an admin and two HR officers."""
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="unit"))
    yield build_kit(ledger)
    ledger.close()


def _records(kit: LedgerKit) -> list[OutgoingRecord]:
    ledger = kit.ledger
    found = []
    for notification in ledger.recorder.select_notifications(1, 1000):
        record = outgoing_record(notification, ledger.mapper, ledger.name)
        assert record is not None
        found.append(record)
    return found


def test_envelope_value_is_sorted_compact_json_that_decodes_back() -> None:
    """The hand-built value is exactly json.dumps with sorted keys, and decodes to the same."""
    value = ENVELOPE.encode()

    assert json.dumps(ENVELOPE.to_json(), separators=(",", ":"), sort_keys=True).encode() == value
    assert ENVELOPE == Envelope.decode(value)


def test_envelope_carries_statement_and_signature_as_base64_and_hashes_as_hex() -> None:
    """Bytes travel as standard padded base64, hashes as lowercase hex (DESIGN.md section 3)."""
    value = json.loads(ENVELOPE.encode())

    assert ENVELOPE.statement == base64.b64decode(value["statement"], validate=True)
    assert ENVELOPE.signature == base64.b64decode(value["signature"], validate=True)
    assert "ab" * 32 == value["hash"]
    assert "2019-05-02T02:15:00.123456+00:00" == value["recorded_at"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (json.dumps({"notification_id": 1}).encode(), "missing"),
        (ENVELOPE.encode().replace(b'"hash":"abab', b'"hash":"ABAB'), "hash"),
        (ENVELOPE.encode().replace(b'"version":3', b'"version":0'), "version"),
        (ENVELOPE.encode().replace(b"+00:00", b""), "time zone"),
        (ENVELOPE.encode().replace(b'"signature":"AA', b'"signature":"*A'), "base64"),
    ],
)
def test_decode_refuses_malformed_values(value: bytes, problem: str) -> None:
    """A value that is not a well-formed envelope is refused as malformed, saying why."""
    with pytest.raises(EnvelopeRejectedError) as caught:
        Envelope.decode(value)

    assert RejectReason.MALFORMED is caught.value.reason
    assert problem in caught.value.detail


def test_record_is_keyed_by_stream_with_type_lao_id_and_ledger_headers(
    sqlite_kit: LedgerKit,
) -> None:
    """Each record's key is its stream id; headers name type, LAO, notification id, ledger."""
    stream = sqlite_kit.open_record()

    opened = _records(sqlite_kit)[-1]

    assert str(stream).encode() == opened.key
    assert [
        ("type", b"RecordOpened"),
        ("lao", b"6480101"),
        ("notification_id", str(opened.notification_id).encode()),
        ("ledger", b"unit"),
    ] == opened.headers


def test_lao_header_is_empty_when_the_statement_names_no_lao(sqlite_kit: LedgerKit) -> None:
    """Events whose data carry no LAO (here an education entry) send an empty LAO header."""
    stream = sqlite_kit.open_record()
    sqlite_kit.submit(
        sqlite_kit.sign(sqlite_kit.hr, stream=stream, type="EducationAdded", data=education_data())
    )

    added = _records(sqlite_kit)[-1]

    assert ("lao", b"") in added.headers
    assert ("type", b"EducationAdded") in added.headers


def test_envelopes_chain_and_hash_like_the_stored_stream(sqlite_kit: LedgerKit) -> None:
    """Each envelope names its predecessor's hash, and its hash is sha256(statement||signature)."""
    stream = sqlite_kit.open_record()
    sqlite_kit.submit(
        sqlite_kit.sign(sqlite_kit.hr, stream=stream, type="EducationAdded", data=education_data())
    )
    stored = sqlite_kit.ledger.stream_events(stream)

    first, second = (Envelope.decode(r.value) for r in _records(sqlite_kit)[-2:])

    assert GENESIS_PREV_HASH == first.prev_hash
    assert first.hash == second.prev_hash
    assert event_hash(second.statement, second.signature) == second.hash
    assert [e.statement for e in stored] == [first.statement, second.statement]
    assert [e.recorded_at for e in stored] == [first.recorded_at, second.recorded_at]


def test_prev_hash_is_read_from_the_top_level_of_the_statement() -> None:
    """A ``prev_hash`` key nested inside data is never mistaken for the statement's own."""
    nested, own = "1" * 64, "2" * 64
    text = json.dumps(
        {"data": {"prev_hash": nested}, "prev_hash": own, "signer": {"cid": "x", "key": "y"}},
        sort_keys=True,
        separators=(",", ":"),
    )

    assert own == statement_prev_hash(text)


@given(st.binary(max_size=80))
def test_murmur2_matches_kafka_python(data: bytes) -> None:
    """The publisher's murmur2 is kafka-python's (and the Java client's) for any key."""
    assert kafka_murmur2(data) == murmur2(data)


@pytest.mark.parametrize("partitions", [1, 4, 12])
def test_partition_is_the_default_partitioners_choice(partitions: int) -> None:
    """A stream's partition is the one Kafka's default partitioner picks for its key."""
    keys = [str(uuid.UUID(int=n * 7919)).encode() for n in range(200)]
    default = DefaultPartitioner()

    class Cluster:
        def topics(self) -> set[str]:
            return {"t"}

        def partitions_for_topic(self, topic: str) -> set[int]:
            return set(range(partitions))

        def available_partitions_for_topic(self, topic: str) -> set[int]:
            return set(range(partitions))

    expected = [default.partition("t", None, key, None, None, Cluster()) for key in keys]

    assert expected == [partition_for(key, partitions) for key in keys]
