"""Kafka: the publisher's throughput against kafka-python's raw producer, and end-to-end lag.

Run with ``python bench/kafka.py`` (part of ``make bench``). It uses the broker at
``KAFKA_BOOTSTRAP`` when set, otherwise it starts the Tansu test broker on loopback (as the
tests do), and a fresh PostgreSQL database of its own (dropped at the end).

Throughput. ``--events`` signed events are recorded first. Then, in interleaved rounds, each
on a fresh topic with ``--partitions`` partitions:

* raw: kafka-python's ``KafkaProducer``, with exactly the publisher's producer settings
  (``acks=all``, idempotent, same linger and batch size), sends the very records the publisher
  would send (key, envelope value, headers, built from the log beforehand), then flushes;
* ours: ``KafkaPublisher.run(until_caught_up=True)``, which reads the notification log from
  PostgreSQL, builds the envelopes, sends, waits for every acknowledgement and records its
  position.

Both rates count from the first record sent to the last one acknowledged; the publisher's
start-up (topic check, sender processes) is printed separately. Target: ours/raw >= 0.8. The
publisher reads in one process and sends from ``producer_processes`` (2) others, so work from
other programs on the machine weighs on the two sides differently: the load average is printed.

Lag. A second ledger receives ``--rate`` events per second (batches every 50 ms) for
``--seconds``, while the publisher follows it and one consumer-group member builds the report
view, each in a process of its own. Lag is the time from the ledger's commit (when
``submit_batch`` returned) to the view's commit of that event. Target: p99 < 1 s. The run
always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

if __package__ in (None, ""):  # run as a script: import the project, not this file, as `kafka`
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from kafka import KafkaProducer
from psycopg import sql

from ledger.application import Ledger
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import cid_check_digit
from ledger.genesis import compose, enrolment_data, initialise, register_organization, submit
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner, sign_statement
from ledger.statement import GENESIS_PREV_HASH, SignerRef, build_statement
from projections.kafka.consumer import ReportConsumer
from projections.kafka.envelope import outgoing_record
from projections.kafka.publisher import KafkaPublisher
from projections.kafka.report_view import BatchOutcome, ReportStore
from projections.kafka.senders import producer_config
from projections.kafka.settings import KafkaSettings
from projections.kafka.topics import TopicSpec, ensure_topics
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase

TARGET_RATIO = 0.8
TARGET_P99_SECONDS = 1.0
SCOPE = Scope(level="lao", province="เชียงใหม่", lao="6340101")
SOFTWARE = KeyStorage(kind="software")
PER_STREAM = 10


def make_cid(first_twelve: str) -> str:
    return first_twelve + str(cid_check_digit(first_twelve))


class Operators:
    def __init__(self) -> None:
        self.system = SoftwareSigner.generate()
        self.admin = SoftwareSigner.generate()
        self.admin_cid = make_cid("310060273568")
        self.hr = SoftwareSigner.generate()
        self.hr_cid = make_cid("150990001234")

    def initialise(self, ledger: Ledger) -> None:
        initialise(
            ledger,
            system_signer=self.system,
            system_storage=SOFTWARE,
            admin_cid=self.admin_cid,
            admin_public_key=self.admin.public_key,
            admin_storage=SOFTWARE,
        )
        register_organization(
            ledger,
            code=str(SCOPE.lao),
            province=str(SCOPE.province),
            name="เทศบาลตำบลทดสอบ",
            district="เมืองเชียงใหม่",
            signer=self.admin,
            cid=self.admin_cid,
        )
        enrol = compose(
            ledger,
            stream=ledger.registry_id,
            type="OperatorEnrolled",
            data=enrolment_data(
                cid=self.hr_cid,
                public_key=self.hr.public_key,
                roles=[Role.LAO_HR_OFFICER],
                scope=SCOPE,
                storage=SOFTWARE,
            ),
            signer=self.admin,
            cid=self.admin_cid,
        )
        submit(ledger, enrol)

    def sign_streams(self, events: int) -> list[tuple[bytes, bytes]]:
        """Statements for ``events`` events, ten per new stream, chained offline."""
        signer = SignerRef(cid=self.hr_cid, key=self.hr.key_id)
        items = []
        for n in range(events // PER_STREAM):
            stream, version, head = uuid4(), 0, GENESIS_PREV_HASH
            for k in range(PER_STREAM):
                type_, data = (
                    ("RecordOpened", _record(n)) if k == 0 else ("EducationAdded", _education(k))
                )
                signed = sign_statement(
                    build_statement(
                        stream=stream,
                        expected_version=version,
                        prev_hash=head,
                        type=type_,
                        data=data,
                        effective=date(2019, 4, 1),
                        signer=signer,
                        signed_at=datetime.now(UTC),
                    ),
                    self.hr,
                )
                version, head = version + 1, signed.hash
                items.append((signed.canonical, signed.signature))
        return items


def _record(n: int) -> dict[str, Any]:
    return {
        "cid": make_cid(f"1{n:011d}"),
        "category": "official",
        "lao": SCOPE.lao,
        "province": SCOPE.province,
        "birth_date": "1975-01-15",
    }


def _education(k: int) -> dict[str, Any]:
    return {
        "institution": "มหาวิทยาลัยเชียงใหม่",
        "qualification": f"ประกาศนียบัตร {k}",
        "major": "การบริหารงานบุคคล",
        "finished": "1998-03-31",
    }


@contextmanager
def database(server: str) -> Iterator[str]:
    name = f"bench_kafka_{uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def broker() -> Iterator[str]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
    if bootstrap:
        yield bootstrap
        return
    from tests.kafka_broker import tansu_broker

    with tempfile.TemporaryDirectory() as folder, tansu_broker(Path(folder) / "tansu.log") as b:
        yield b


def fill(ledger: Ledger, items: list[tuple[bytes, bytes]], batch: int = 500) -> None:
    for start in range(0, len(items), batch):
        ledger.submit_batch(items[start : start + batch])


# Throughput.


def raw_rate(settings: KafkaSettings, records: list[tuple[bytes, bytes, Any]]) -> float:
    producer = KafkaProducer(**producer_config(settings))
    try:
        producer.send(settings.topic, key=b"warm-up", value=b"{}").get(30)
        started = time.perf_counter()
        for key, value, headers in records:
            producer.send(settings.topic, key=key, value=value, headers=headers)
        producer.flush()
        return len(records) / (time.perf_counter() - started)
    finally:
        producer.close()


def throughput(
    args: argparse.Namespace, bootstrap: str, url: str, operators: Operators
) -> tuple[list[float], list[float], list[float]]:
    ledger_settings = LedgerSettings(database_url=url, name="bench_tp")
    ledger = Ledger(ledger_settings)
    operators.initialise(ledger)
    print(f"Recording {args.events:,} signed events ...", flush=True)
    fill(ledger, operators.sign_streams(args.events))
    records = []
    position = 0
    while batch := ledger.recorder.select_notifications(position + 1, 1000):
        for notification in batch:
            record = outgoing_record(notification, ledger.mapper, ledger.name)
            if record is not None:
                records.append((record.key, record.value, record.headers))
        position = batch[-1].id
    ledger.close()
    size = statistics.mean(len(value) for _, value, _ in records)
    print(f"  {len(records):,} records, envelope {size:.0f} bytes average")

    raw: list[float] = []
    ours: list[float] = []
    startup: list[float] = []
    for round_ in range(args.rounds):
        for side in ("raw", "ours") if round_ % 2 == 0 else ("ours", "raw"):
            settings = KafkaSettings(
                bootstrap_servers=bootstrap,
                topic=f"bench.{side}.{uuid4().hex[:8]}",
                checkpoints_topic=f"bench.cp.{uuid4().hex[:8]}",
                partitions=args.partitions,
            )
            if side == "raw":
                ensure_topics(settings, [TopicSpec(settings.topic, args.partitions, 1)])
                raw.append(raw_rate(settings, records))
            else:
                stats = KafkaPublisher(ledger_settings, settings).run(until_caught_up=True)
                ours.append(stats.sent / stats.busy_seconds)
                startup.append(stats.seconds - stats.busy_seconds)
        print(
            f"  round {round_ + 1}: raw {raw[-1]:,.0f} records/s, publisher {ours[-1]:,.0f} "
            f"records/s (start-up {startup[-1]:.2f} s)",
            flush=True,
        )
    return raw, ours, startup


# Lag.


def run_publisher(settings: dict[str, Any], kafka: dict[str, Any], stop: Event) -> None:
    flag = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), flag.set()), daemon=True).start()
    KafkaPublisher(LedgerSettings(**settings), KafkaSettings(**kafka)).run(stop=flag)


def run_consumer(
    kafka: dict[str, Any],
    anchor: bytes,
    registry_stream: UUID,
    ready_after: int,
    ready: Event,
    stop: Event,
    results: Queue[dict[int, float]],
) -> None:
    settings = KafkaSettings(**kafka)
    applied_at: dict[int, float] = {}

    def record(outcome: BatchOutcome) -> None:
        now = time.time()
        for envelope in outcome.applied:
            applied_at[envelope.notification_id] = now
        if len(applied_at) >= ready_after:
            ready.set()

    flag = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), flag.set()), daemon=True).start()
    db = ViewDatabase(settings.view_database_url)
    registry = KeyRegistry(TrustAnchor(anchor), registry_stream)
    ReportConsumer(settings, ReportStore(db, settings.view_name), registry, on_batch=record).run(
        stop=flag
    )
    db.close()
    results.put(applied_at)


def lag(
    args: argparse.Namespace, bootstrap: str, url: str, operators: Operators
) -> tuple[list[float], float]:
    ledger_settings = LedgerSettings(database_url=url, name="bench_lag")
    ledger = Ledger(ledger_settings)
    operators.initialise(ledger)
    initial = ledger.recorder.max_notification_id() or 0
    total = args.rate * args.seconds
    print(f"Signing {total:,} statements for the lag run ...", flush=True)
    items = operators.sign_streams(total)
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap,
        topic=f"bench.lag.{uuid4().hex[:8]}",
        checkpoints_topic=f"bench.lagcp.{uuid4().hex[:8]}",
        partitions=args.partitions,
        group_id=f"bench-{uuid4().hex[:8]}",
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        view_database_url=url,
        view_name="lag",
    ).model_dump()
    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), context.Event()
    results: Queue[dict[int, float]] = context.Queue()
    publisher = context.Process(
        target=run_publisher, args=(ledger_settings.model_dump(), kafka, stop)
    )  # not a daemon: the publisher starts its own reader process
    consumer = context.Process(
        target=run_consumer,
        args=(
            kafka,
            operators.system.public_key,
            ledger.registry_id,
            initial,
            ready,
            stop,
            results,
        ),
        daemon=True,
    )
    publisher.start()
    consumer.start()
    if not ready.wait(60):
        raise RuntimeError("the consumer did not catch up with the initial events in 60 s")

    print(f"Writing {args.rate:,} events/s for {args.seconds} s ...", flush=True)
    committed: dict[int, float] = {}
    tick = 0.05
    per_tick = max(1, int(args.rate * tick))
    began = time.perf_counter()
    for n, start in enumerate(range(0, len(items), per_tick)):
        due = began + n * tick
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        receipts = ledger.submit_batch(items[start : start + per_tick])
        now = time.time()
        for receipt in receipts:
            committed[receipt.notification_id] = now
    written = time.perf_counter() - began
    print(
        f"  wrote {len(committed):,} events in {written:.1f} s ({len(committed) / written:,.0f}/s)"
    )
    time.sleep(3)  # let the last events arrive
    stop.set()
    applied = results.get(timeout=60)
    publisher.join(30)
    consumer.join(30)
    ledger.close()
    lags = [applied[n] - at for n, at in committed.items() if n in applied]
    missing = len(committed) - len(lags)
    if missing:
        print(f"  {missing} events did not reach the view in time (counted as not measured)")
    return lags, len(committed) / written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="events per throughput run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of each topic")
    parser.add_argument("--rate", type=int, default=2_000, help="events/s during the lag run")
    parser.add_argument("--seconds", type=int, default=15, help="length of the lag run")
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL without a database name",
    )
    args = parser.parse_args(argv)
    operators = Operators()
    load_before = os.getloadavg()[0]
    with broker() as bootstrap, database(args.server) as url:
        print(f"Broker {bootstrap}; database {url.rsplit('/', 1)[-1]}; {os.cpu_count()} cores")
        raw, ours, startup = throughput(args, bootstrap, url, operators)
        lags, achieved = lag(args, bootstrap, url, operators)

    print()
    print(
        f"Machine load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after "
        "(other work on the machine shows in the ratio)"
    )
    raw_median, ours_median = statistics.median(raw), statistics.median(ours)
    ratios = [o / r for r, o in zip(raw, ours, strict=True)]
    ratio = statistics.median(ratios)
    print(f"{'measure':<40}{'value':>16}{'target':>12}  result")
    print("-" * 78)
    print(f"{'raw kafka-python producer (records/s)':<40}{raw_median:>16,.0f}")
    print(f"{'publisher (records/s)':<40}{ours_median:>16,.0f}")
    print(
        f"{'publisher / raw (median of rounds)':<40}{ratio:>16.2f}{'>= ' + str(TARGET_RATIO):>12}"
        f"  {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    print(f"{'publisher start-up (s, median)':<40}{statistics.median(startup):>16.2f}")
    print(f"{'lag run write rate (events/s)':<40}{achieved:>16,.0f}{args.rate:>12,}")
    if lags:
        lags.sort()
        p50 = lags[len(lags) // 2]
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        print(f"{'end-to-end lag p50 (s)':<40}{p50:>16.3f}")
        print(
            f"{'end-to-end lag p99 (s)':<40}{p99:>16.3f}{'< ' + str(TARGET_P99_SECONDS):>12}"
            f"  {'PASS' if p99 < TARGET_P99_SECONDS else 'FAIL'}"
        )
        print(f"{'end-to-end lag max (s)':<40}{lags[-1]:>16.3f}")
    else:
        print("no lag measured: nothing reached the view")
    return 0


if __name__ == "__main__":
    sys.exit(main())
