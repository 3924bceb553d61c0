"""``ledger publish`` and ``ledger consume``: the ledger on Kafka (DESIGN.md section 7).

``publish`` follows the notification log and sends every event (and every signed checkpoint)
to Kafka, recording its position only after the broker acknowledged; ``--until-caught-up`` exits
once everything committed when it started is acknowledged. ``consume`` runs one member of the
report projection's consumer group. Both create their topics explicitly with the configured
partition counts. Settings come from ``LEDGER_*`` and ``LEDGER_KAFKA_*`` (options override them
for one call); SIGTERM and Ctrl-C stop cleanly, recording what was acknowledged.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from kafka.errors import KafkaError
from pydantic import ValidationError

from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, out
from ledger.application import Ledger
from ledger.domain.operators import registry_stream_id
from ledger.errors import VaultSettingsError
from ledger.settings import LedgerSettings
from projections.kafka.checkpoints import CheckpointSource, TransparencyCheckpoints
from projections.kafka.consumer import ReportConsumer
from projections.kafka.errors import KafkaProjectionError
from projections.kafka.publisher import KafkaPublisher
from projections.kafka.report_view import ReportStore
from projections.kafka.settings import KafkaSettings
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from projections.transparency.store import TransparencyStore

BootstrapServers = Annotated[
    str | None,
    typer.Option(
        help="Kafka brokers host:port[,host:port] (default: LEDGER_KAFKA_BOOTSTRAP_SERVERS)"
    ),
]
Topic = Annotated[str | None, typer.Option(help="The events topic (default: LEDGER_KAFKA_TOPIC)")]
Partitions = Annotated[
    int | None,
    typer.Option(help="Partitions of the events topic (default: LEDGER_KAFKA_PARTITIONS)"),
]
UntilCaughtUp = Annotated[
    bool,
    typer.Option(
        "--until-caught-up",
        help="Exit once everything recorded so far is done instead of following",
    ),
]


def kafka_settings(**overrides: Any) -> KafkaSettings:
    """``LEDGER_KAFKA_*`` settings with the options given on the command line on top."""
    try:
        return KafkaSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"configuration: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


@contextmanager
def transparency_checkpoints(settings: LedgerSettings) -> Iterator[CheckpointSource]:
    """The transparency log's signed checkpoints, read from its table in the ledger's database."""
    try:
        ledger = Ledger(settings.model_copy(update={"pool_size": 1, "pool_max_overflow": 1}))
    except VaultSettingsError as error:  # the settings, not the database: said as such
        fail(str(error))
    except Exception as error:  # the library raises driver errors on connection problems
        fail(f"cannot open the ledger database: {type(error).__name__}: {error}")
    try:
        yield TransparencyCheckpoints(TransparencyStore(ledger))
    finally:
        ledger.close()


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the command runs (handlers restored after)."""
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)


def publish(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    bootstrap_servers: BootstrapServers = None,
    topic: Topic = None,
    partitions: Partitions = None,
    checkpoints_topic: Annotated[
        str | None,
        typer.Option(help="The checkpoints topic (default: LEDGER_KAFKA_CHECKPOINTS_TOPIC)"),
    ] = None,
    until_caught_up: UntilCaughtUp = False,
) -> None:
    """Publish the ledger's events (and checkpoints) to Kafka, at least once, in log order."""
    settings = build_settings(database_url, name)
    kafka = kafka_settings(
        bootstrap_servers=bootstrap_servers,
        topic=topic,
        partitions=partitions,
        checkpoints_topic=checkpoints_topic,
    )
    _log_to_stderr()
    try:
        with transparency_checkpoints(settings) as checkpoints, stop_on_signals() as stop:
            publisher = KafkaPublisher(settings, kafka, checkpoints=checkpoints)
            stats = publisher.run(until_caught_up=until_caught_up, stop=stop)
    except (KafkaProjectionError, KafkaError) as error:
        fail(f"{type(error).__name__}: {error}")
    out.print(
        f"published up to notification {stats.position} to {kafka.topic} "
        f"({stats.sent} records sent in {stats.seconds:.1f} s)"
    )


def consume(
    name: LedgerName = None,
    bootstrap_servers: BootstrapServers = None,
    topic: Topic = None,
    partitions: Partitions = None,
    group: Annotated[
        str | None, typer.Option(help="Consumer group (default: LEDGER_KAFKA_GROUP_ID)")
    ] = None,
    view_database_url: Annotated[
        str | None,
        typer.Option(
            help="Where the report view is written: postgresql://... or sqlite:///path "
            "(default: LEDGER_KAFKA_VIEW_DATABASE_URL)"
        ),
    ] = None,
    view_name: Annotated[
        str | None, typer.Option(help="Prefix of the view's tables (default: report)")
    ] = None,
    anchor_public_key: Annotated[
        str | None,
        typer.Option(
            help="The pinned system key printed by `ledger init`, hex "
            "(default: LEDGER_KAFKA_ANCHOR_PUBLIC_KEY)"
        ),
    ] = None,
    session_timeout_ms: Annotated[
        int | None, typer.Option(help="Group session timeout (default: 10000)")
    ] = None,
    until_caught_up: UntilCaughtUp = False,
) -> None:
    """Run one member of the report projection's consumer group (KPI per province and LAO)."""
    ledger_name = build_settings(None, name, existing=False).name
    kafka = kafka_settings(
        bootstrap_servers=bootstrap_servers,
        topic=topic,
        partitions=partitions,
        group_id=group,
        view_database_url=view_database_url,
        view_name=view_name,
        anchor_public_key=anchor_public_key,
        session_timeout_ms=session_timeout_ms,
    )
    if kafka.anchor_public_key is None:
        fail(
            "pin the trust anchor: --anchor-public-key (the system public key `ledger init` "
            "printed) or LEDGER_KAFKA_ANCHOR_PUBLIC_KEY"
        )
    registry = KeyRegistry(
        TrustAnchor.from_hex(kafka.anchor_public_key), registry_stream_id(ledger_name)
    )
    _log_to_stderr()
    try:
        db = ViewDatabase(kafka.view_database_url)
    except Exception as error:  # the drivers raise their own errors on connection problems
        fail(f"cannot open the view database: {type(error).__name__}: {error}")
    try:
        consumer = ReportConsumer(kafka, ReportStore(db, kafka.view_name), registry)
        with stop_on_signals() as stop:
            stats = consumer.run(until_caught_up=until_caught_up, stop=stop)
    except (KafkaProjectionError, KafkaError) as error:
        fail(f"{type(error).__name__}: {error}")
    finally:
        db.close()
    out.print(
        f"applied {stats.applied} events ({stats.duplicates} duplicates skipped, "
        f"{stats.rejected} rejected) in {stats.seconds:.1f} s"
    )
