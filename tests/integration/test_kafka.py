"""The ledger on a real Kafka-protocol broker: crashes, consumer groups, forgeries, checkpoints.

The broker is the session's (Tansu on loopback, or ``KAFKA_BOOTSTRAP``); the ledger and the
views live in the session's PostgreSQL database. The expensive arrangement, 10,000 events
published by a publisher killed three times, runs once for the module and several tests read it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner, sign_statement
from ledger.statement import SignerRef, build_statement, event_hash
from projections.kafka.checkpoints import Checkpoint, TransparencyCheckpoints
from projections.kafka.consumer import ConsumeStats, ReportConsumer
from projections.kafka.envelope import Envelope
from projections.kafka.errors import RejectReason, TopicConfigError
from projections.kafka.publisher import KafkaPublisher, PositionStore
from projections.kafka.report_view import ReportStore, rebuild_from_ledger
from projections.kafka.settings import KafkaSettings
from projections.kafka.topics import TopicSpec, ensure_topics
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from projections.transparency.checkpoints import open_checkpoint
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from projections.transparency.store import TransparencyStore
from tests.kafka_kit import kafka_settings, read_topic, record_events
from tests.ledger_kit import LedgerKit, build_kit, education_data

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EVENTS = 10_000
KILLS = 3
LEDGER_BIN = str(Path(sys.executable).parent / "ledger")


def _registry(kit: LedgerKit) -> KeyRegistry:
    return KeyRegistry(TrustAnchor(kit.system.signer.public_key), kit.ledger.registry_id)


def _publish_command(url: str, name: str, settings: KafkaSettings, *extra: str) -> list[str]:
    return [
        LEDGER_BIN, "publish",
        "--database-url", url, "--name", name,
        "--bootstrap-servers", settings.bootstrap_servers,
        "--topic", settings.topic,
        "--checkpoints-topic", settings.checkpoints_topic,
        "--partitions", str(settings.partitions),
        *extra,
    ]  # fmt: skip


def _children(pid: int) -> list[int]:
    """Every live process whose parent is ``pid`` (the reader and the resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _consume(settings: KafkaSettings, store: ReportStore, kit: LedgerKit) -> ConsumeStats:
    consumer = ReportConsumer(settings, store, _registry(kit))
    return consumer.run(until_caught_up=True, timeout_seconds=120)


@dataclass
class CrashRun:
    kit: LedgerKit
    url: str
    settings: KafkaSettings
    total: int  # notifications in the ledger's log
    seed: int
    killed_at: list[int]  # the recorded position when each publisher was killed
    orphans: list[int]  # processes a killed publisher left running
    final_position: int
    records: list[Any]  # every record on the events topic, in partition order
    view: ReportStore  # built by the consumer group from the topic
    db_view: ReportStore  # the same projection built straight from the ledger's database
    stats: ConsumeStats


@pytest.fixture(scope="module")
def crash_run(postgres_url: str, kafka_bootstrap: str) -> Iterator[CrashRun]:
    """10,000 events; a publisher killed with SIGKILL at three random points, then finished."""
    name = f"k{uuid.uuid4().hex[:10]}"
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=name))
    kit = build_kit(ledger)
    record_events(kit, EVENTS)
    total = ledger.recorder.max_notification_id() or 0
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    thresholds = sorted(rng.sample(range(total // 10, total * 7 // 10), KILLS))
    db = ViewDatabase(postgres_url)
    positions = PositionStore(db, name)
    env = {**os.environ, "LEDGER_KAFKA_POSITION_INTERVAL_SECONDS": "0.05"}
    killed_at, orphans = [], []
    for threshold in thresholds:
        publisher = subprocess.Popen(
            _publish_command(postgres_url, name, settings),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        position = 0
        while time.monotonic() < deadline and publisher.poll() is None:
            with contextlib.suppress(Exception):  # the table appears with the first run
                position = positions.read(f"events:{settings.topic}")
            if position >= threshold:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.05))
        children = _children(publisher.pid)
        publisher.send_signal(signal.SIGKILL)
        publisher.wait(10)
        killed_at.append(positions.read(f"events:{settings.topic}"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.05)
        orphans.extend(pid for pid in children if _alive(pid))
    final = subprocess.run(
        _publish_command(postgres_url, name, settings, "--until-caught-up"),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert 0 == final.returncode, final.stderr[-3000:]
    records = read_topic(kafka_bootstrap, settings.topic, settings.partitions)
    view = ReportStore(db, settings.view_name)
    stats = _consume(settings, view, kit)
    db_view = ReportStore(db, f"db{settings.view_name}")
    db_view.create()
    rebuild_from_ledger(ledger, db_view, _registry(kit))
    yield CrashRun(
        kit=kit,
        url=postgres_url,
        settings=settings,
        total=total,
        seed=seed,
        killed_at=killed_at,
        orphans=orphans,
        final_position=positions.read(f"events:{settings.topic}"),
        records=records,
        view=view,
        db_view=db_view,
        stats=stats,
    )
    db.close()
    ledger.close()


def _first_copies(records: Sequence[Any]) -> dict[str, list[Envelope]]:
    """Per stream, the first copy of each notification, in the order the topic holds them."""
    seen: set[int] = set()
    streams: dict[str, list[Envelope]] = defaultdict(list)
    for record in records:
        envelope = Envelope.decode(record.value)
        if envelope.notification_id not in seen:
            seen.add(envelope.notification_id)
            streams[record.key.decode()].append(envelope)
    return streams


def test_each_kill_landed_while_events_were_still_unpublished(crash_run: CrashRun) -> None:
    """The three SIGKILLs hit a publisher in mid-log, at increasing positions."""
    assert crash_run.killed_at == sorted(crash_run.killed_at), crash_run.seed
    assert all(position < crash_run.total for position in crash_run.killed_at), (
        crash_run.seed,
        crash_run.killed_at,
    )


def test_every_notification_arrives_at_least_once(crash_run: CrashRun) -> None:
    """After the crashes and restarts, every notification id of the log is on the topic."""
    ids = {Envelope.decode(record.value).notification_id for record in crash_run.records}

    assert set(range(1, crash_run.total + 1)) == ids, crash_run.seed
    assert len(crash_run.records) >= crash_run.total


def test_events_arrive_in_order_within_each_stream(crash_run: CrashRun) -> None:
    """Within a stream the first copies come in version and notification order, no gaps."""
    for stream, envelopes in _first_copies(crash_run.records).items():
        assert list(range(1, len(envelopes) + 1)) == [e.version for e in envelopes], stream
        ids = [e.notification_id for e in envelopes]
        assert sorted(ids) == ids, stream


def test_duplicates_are_exact_copies(crash_run: CrashRun) -> None:
    """A notification sent twice (a resend after a crash) carries the very same envelope."""
    values: dict[int, set[bytes]] = defaultdict(set)
    for record in crash_run.records:
        values[Envelope.decode(record.value).notification_id].add(record.value)

    assert all(1 == len(copies) for copies in values.values())


def test_records_carry_key_and_headers(crash_run: CrashRun) -> None:
    """Each record is keyed by its stream and names type, LAO, notification id and ledger."""
    record = crash_run.records[0]
    envelope = Envelope.decode(record.value)
    headers = dict(record.headers)

    assert str(envelope.stream).encode() == record.key
    assert envelope.type.encode() == headers["type"]
    assert str(envelope.notification_id).encode() == headers["notification_id"]
    assert crash_run.kit.ledger.name.encode() == headers["ledger"]
    assert "lao" in headers


def test_publisher_records_the_log_end_when_caught_up(crash_run: CrashRun) -> None:
    """``--until-caught-up`` exits with its position at the last notification."""
    assert crash_run.total == crash_run.final_position


def test_killed_publisher_leaves_no_process_behind(crash_run: CrashRun) -> None:
    """The log reader of a SIGKILLed publisher notices and exits."""
    assert [] == crash_run.orphans


def test_consumer_view_equals_the_projection_built_from_the_database(crash_run: CrashRun) -> None:
    """The consumer group's KPI view equals the same projection built from the ledger."""
    assert crash_run.db_view.kpi() == crash_run.view.kpi()
    assert crash_run.db_view.heads() == crash_run.view.heads()
    assert crash_run.total == crash_run.view.applied_count()


def test_consumer_rejects_nothing_genuine(crash_run: CrashRun) -> None:
    """Every genuine envelope verifies: no rejects, duplicates skipped, each event applied once."""
    assert [] == crash_run.view.rejects()
    assert crash_run.total == crash_run.stats.applied
    assert len(crash_run.records) - crash_run.total == crash_run.stats.duplicates


def test_consumer_in_a_new_group_resumes_from_the_views_positions(crash_run: CrashRun) -> None:
    """Positions stored with the view rule: a new group applies nothing twice."""
    settings = crash_run.settings.model_copy(update={"group_id": f"fresh-{uuid.uuid4().hex}"})

    stats = _consume(settings, crash_run.view, crash_run.kit)

    assert (0, 0) == (stats.applied, stats.duplicates)
    assert crash_run.db_view.kpi() == crash_run.view.kpi()


# Forgeries injected into the topic.


@dataclass
class Forgery:
    envelopes: dict[str, Envelope]  # reason -> the forged envelope
    kpi_before: list[tuple[str, str, str, int]]
    stats: ConsumeStats
    log: str


def _forge(kit: LedgerKit, head: Envelope, next_id: int) -> dict[str, Envelope]:
    def signed_next(signer: SoftwareSigner, cid: str, prev_hash: str) -> Envelope:
        signed = sign_statement(
            build_statement(
                stream=head.stream,
                expected_version=head.version,
                prev_hash=prev_hash,
                type="EducationAdded",
                data=education_data(99),
                effective=date(2019, 4, 1),
                signer=SignerRef(cid=cid, key=signer.key_id),
                signed_at=datetime.now(UTC),
            ),
            signer,
        )
        return Envelope(
            notification_id=next_id,
            stream=head.stream,
            version=head.version + 1,
            type="EducationAdded",
            statement=signed.canonical,
            signature=signed.signature,
            hash=signed.hash,
            prev_hash=prev_hash,
            recorded_at=datetime.now(UTC),
        )

    genuine = signed_next(kit.hr.signer, kit.hr.cid, head.hash)
    stranger = SoftwareSigner.generate()
    bad_signature = stranger.sign(b"\x01" * 32)
    return {
        RejectReason.BAD_SIGNATURE.value: replace(
            genuine,
            signature=bad_signature,
            hash=event_hash(genuine.statement, bad_signature),
        ),
        RejectReason.UNKNOWN_KEY.value: replace(
            signed_next(stranger, kit.hr.cid, head.hash), notification_id=next_id + 1
        ),
        RejectReason.BROKEN_CHAIN.value: replace(
            signed_next(kit.hr.signer, kit.hr.cid, "e" * 64), notification_id=next_id + 2
        ),
    }


@pytest.fixture(scope="module")
def forgery(crash_run: CrashRun) -> Forgery:
    """Three forged envelopes produced into the topic, then the consumer group run again."""
    records = _first_copies(crash_run.records)
    stream = next(s for s, envelopes in records.items() if envelopes[0].type == "RecordOpened")
    head = records[stream][-1]
    forged = _forge(crash_run.kit, head, crash_run.total + 1)
    producer = KafkaProducer(bootstrap_servers=crash_run.settings.bootstrap_servers, acks="all")
    for envelope in forged.values():
        producer.send(crash_run.settings.topic, key=stream.encode(), value=envelope.encode())
    producer.flush()
    producer.close()
    kpi_before = crash_run.view.kpi()
    handler = _ListHandler()
    logger = logging.getLogger("projections.kafka.report_view")
    logger.addHandler(handler)
    try:
        stats = _consume(crash_run.settings, crash_run.view, crash_run.kit)
    finally:
        logger.removeHandler(handler)
    return Forgery(forged, kpi_before, stats, "\n".join(handler.lines))


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_forged_envelopes_are_rejected_and_recorded(forgery: Forgery, crash_run: CrashRun) -> None:
    """A bad signature, an unknown key and a broken chain are each refused with that reason."""
    rejects = {row.notification_id: row.reason for row in crash_run.view.rejects()}

    assert {e.notification_id: reason for reason, e in forgery.envelopes.items()} == rejects
    assert 3 == forgery.stats.rejected


def test_forged_envelopes_leave_the_view_unchanged(forgery: Forgery, crash_run: CrashRun) -> None:
    """After the forgeries the view still equals the projection built from the database."""
    assert forgery.kpi_before == crash_run.view.kpi()
    assert crash_run.db_view.kpi() == crash_run.view.kpi()
    assert 0 == forgery.stats.applied


def test_rejections_are_reported_without_personal_data(
    forgery: Forgery, crash_run: CrashRun
) -> None:
    """Each rejection is logged with its notification id and reason, never a citizen ID."""
    for reason, envelope in forgery.envelopes.items():
        assert f"notification {envelope.notification_id}" in forgery.log
        assert reason in forgery.log
    assert crash_run.kit.hr.cid not in forgery.log


# Consumer groups, checkpoints, topics.


def test_two_group_members_split_partitions_and_build_the_whole_view(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    """Two members of one group share the partitions; together they build the whole view."""
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"g{uuid.uuid4().hex[:10]}"))
    kit = build_kit(ledger)
    record_events(kit, 2_000)
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    KafkaPublisher(ledger.settings, settings).run(until_caught_up=True)
    db = ViewDatabase(postgres_url)
    store = ReportStore(db, settings.view_name)
    store.create()
    expected = ReportStore(db, f"db{settings.view_name}")
    expected.create()
    rebuild_from_ledger(ledger, expected, _registry(kit))
    total = ledger.recorder.max_notification_id() or 0
    results: list[ConsumeStats] = []
    stop = threading.Event()

    def member() -> None:
        member_db = ViewDatabase(postgres_url)
        consumer = ReportConsumer(
            settings, ReportStore(member_db, settings.view_name), _registry(kit)
        )
        results.append(consumer.run(stop=stop, timeout_seconds=90))
        member_db.close()

    threads = [threading.Thread(target=member) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 90
    while store.applied_count() < total and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(30)

    assert 2 == len(results)
    assert all(stats.applied > 0 for stats in results), results
    assert expected.kpi() == store.kpi()
    assert total == store.applied_count()
    db.close()
    ledger.close()


class _Checkpoints:
    """A stand-in for the transparency log's checkpoint table."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.items = [
            Checkpoint(
                tree_size=size,
                root_hash=size.to_bytes(32, "big"),
                issued_at=datetime(2026, 1, 1, tzinfo=UTC),
                note=f"test/log\n{size}\n\n— test/log AAAA\n",
            )
            for size in sizes
        ]

    def checkpoints_after(self, tree_size: int, *, up_to: int) -> list[Checkpoint]:
        return [c for c in self.items if tree_size < c.tree_size <= up_to]


def test_checkpoints_go_to_their_topic_once_their_events_are_acknowledged(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    """Checkpoints covering published events are sent to the checkpoints topic, in order."""
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"c{uuid.uuid4().hex[:10]}"))
    kit = build_kit(ledger)
    record_events(kit, 100)
    total = ledger.recorder.max_notification_id() or 0
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    source = _Checkpoints([5, 50, total, total + 10])

    stats = KafkaPublisher(ledger.settings, settings, checkpoints=source).run(until_caught_up=True)

    records = read_topic(kafka_bootstrap, settings.checkpoints_topic, 1)
    assert [5, 50, total] == [int(dict(r.headers)["tree_size"]) for r in records]
    assert total == stats.checkpoint_position
    assert kit.ledger.name.encode() == records[0].key
    ledger.close()


def test_transparency_log_checkpoints_are_published_as_signed_notes(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    """The transparency log's signed checkpoints reach their topic and verify as notes."""
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"t{uuid.uuid4().hex[:10]}"))
    kit = build_kit(ledger)
    record_events(kit, 200)
    projection = TransparencyProjection(
        ledger, kit.system.signer, policy=CheckpointPolicy(every_events=64, every_seconds=3600)
    )
    while projection.catch_up():
        pass
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    source = TransparencyCheckpoints(TransparencyStore(ledger))

    KafkaPublisher(ledger.settings, settings, checkpoints=source).run(until_caught_up=True)

    records = read_topic(kafka_bootstrap, settings.checkpoints_topic, 1)
    values = [json.loads(record.value) for record in records]
    assert [64, 128, 192] == [value["tree_size"] for value in values]
    for value in values:
        opened = open_checkpoint(value["note"], kit.system.signer.public_key)
        assert (value["tree_size"], value["root_hash"]) == (
            opened.tree_size,
            opened.root_hash.hex(),
        )
    ledger.close()


def test_sigterm_stops_a_following_publisher_with_its_position_recorded(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    """A publisher following the log stops cleanly on SIGTERM, exit 0, everything recorded."""
    name = f"s{uuid.uuid4().hex[:10]}"
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=name))
    record_events(build_kit(ledger), 100)
    total = ledger.recorder.max_notification_id() or 0
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    db = ViewDatabase(postgres_url)
    positions = PositionStore(db, name)
    publisher = subprocess.Popen(
        _publish_command(postgres_url, name, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the table appears once the publisher starts
            if positions.read(f"events:{settings.topic}") >= total:
                break
        time.sleep(0.05)

    publisher.send_signal(signal.SIGTERM)
    output, _ = publisher.communicate(timeout=60)

    assert 0 == publisher.returncode
    assert f"published up to notification {total}" in output
    assert total == positions.read(f"events:{settings.topic}")
    db.close()
    ledger.close()


def test_topic_with_another_partition_count_is_refused(kafka_bootstrap: str) -> None:
    """A topic that exists with other partitions than configured stops the command."""
    settings = kafka_settings(kafka_bootstrap, "sqlite:///unused.sqlite")
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics({settings.topic: {"num_partitions": 2, "replication_factor": 1}})
    admin.close()

    with pytest.raises(TopicConfigError, match="has 2 partitions"):
        ensure_topics(settings, [TopicSpec(settings.topic, 4, 1)])
