"""Kill drill of the Kafka report consumer (``ledger consume``) on the session's broker.

A writer appends to the ledger and a publisher publishes as it goes, while the consumer, one
member of its group, is killed with ``kill -9`` three times at random points and restarted.
A last run with ``--until-caught-up`` must leave the report view equal to the same projection
built straight from the ledger's database: every event applied once, none lost or doubled.
"""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.kafka.publisher import KafkaPublisher, PositionStore
from projections.kafka.report_view import ReportStore, rebuild_from_ledger
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from tests.kafka_kit import kafka_settings
from tests.kill_drill import Writer, Zygote, kill_repeatedly, wait_until
from tests.kill_drill import zygote as zygote  # the warm parent the drills fork from
from tests.ledger_kit import build_kit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

KILLS = 3


def test_consumer_killed_three_times_ends_equal_to_the_database(
    postgres_url: str, kafka_bootstrap: str, zygote: Zygote, tmp_path: Path
) -> None:
    """``ledger consume`` killed three times while events flow, then run to the end: its view
    equals the projection built from the ledger, each event applied exactly once."""
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"c{uuid.uuid4().hex[:10]}"))
    kit = build_kit(ledger)
    settings = kafka_settings(kafka_bootstrap, postgres_url)
    db = ViewDatabase(postgres_url)
    view = ReportStore(db, settings.view_name)
    view.create()
    seed = random.randrange(1_000_000)
    halt = threading.Event()
    publisher = threading.Thread(
        target=KafkaPublisher(ledger.settings, settings).run, kwargs={"stop": halt}, daemon=True
    )
    publisher.start()
    writer = Writer(kit, pause=0.1)
    writer.start()
    argv = ["consume", "--name", ledger.name, "--bootstrap-servers", kafka_bootstrap,
            "--topic", settings.topic, "--partitions", str(settings.partitions),
            "--group", settings.group_id, "--view-database-url", postgres_url,
            "--view-name", settings.view_name, "--session-timeout-ms", "6000",
            "--anchor-public-key", kit.system.signer.public_key.hex()]  # fmt: skip
    env = {"LEDGER_KAFKA_HEARTBEAT_INTERVAL_MS": "2000"}

    def applied() -> int:
        with contextlib.suppress(Exception):
            return view.applied_count()
        return 0

    drill = kill_repeatedly(
        zygote, argv, tmp_path, progress=applied, log_end=kit.event_count, kills=KILLS,
        seed=seed, env=env, max_delay=1.0,
    )  # fmt: skip
    written = writer.finish()
    end = kit.event_count()
    positions = PositionStore(db, ledger.name)
    wait_until(lambda: positions.read(f"events:{settings.topic}") >= end, 60, "all published")
    halt.set()
    publisher.join(30)
    last = zygote.start([*argv, "--until-caught-up"], tmp_path / "last.log", env)
    seconds = wait_until(lambda: not last.running(), 120, f"consumer caught up (seed {seed})")
    code = last.wait(5)
    drill.report("Kafka consumer", written, seconds)
    expected = ReportStore(db, f"db{settings.view_name}")
    expected.create()
    registry = KeyRegistry(TrustAnchor(kit.system.signer.public_key), ledger.registry_id)
    rebuild_from_ledger(ledger, expected, registry)

    assert [-9] * KILLS == drill.codes, seed
    assert 0 == code, last.output()
    assert [] == view.rejects(), seed
    assert end == view.applied_count(), seed
    assert expected.kpi() == view.kpi(), seed
    assert expected.heads() == view.heads(), seed
    db.close()
    ledger.close()
