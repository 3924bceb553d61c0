"""``ledger publish`` and ``ledger consume`` end to end on SQLite, against the session's broker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.kafka.report_view import ReportStore
from projections.store import ViewDatabase
from tests.ledger_kit import TAK_LAO, LedgerKit, build_kit, education_data

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


@pytest.fixture
def sqlite_kit(tmp_path: Path) -> Iterator[LedgerKit]:
    """A SQLite ledger with records in two LAOs: 4 registry events, the 2 LAOs' registrations,
    3 record events."""
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="e2e"))
    kit = build_kit(ledger)
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    kit.open_record(kit.other_hr, TAK_LAO)
    yield kit
    ledger.close()


def test_publish_then_consume_builds_the_report_view(
    sqlite_kit: LedgerKit, kafka_bootstrap: str, tmp_path: Path
) -> None:
    """``publish --until-caught-up`` then ``consume --until-caught-up`` fill the KPI view."""
    tag = uuid.uuid4().hex[:8]
    topic = ["--bootstrap-servers", kafka_bootstrap, "--topic", f"e2e.{tag}", "--partitions", "2"]
    view_url = f"sqlite:///{tmp_path}/view.sqlite"
    total = sqlite_kit.event_count()  # 9

    published = runner.invoke(
        app,
        [
            "publish", "--database-url", f"sqlite:///{tmp_path}/l.sqlite", "--name", "e2e",
            *topic, "--checkpoints-topic", f"e2e.cp.{tag}", "--until-caught-up",
        ],
    )  # fmt: skip
    consumed = runner.invoke(
        app,
        [
            "consume", "--name", "e2e", *topic, "--group", f"e2e-{tag}",
            "--view-database-url", view_url, "--view-name", "kpi",
            "--anchor-public-key", sqlite_kit.system.signer.public_key.hex(),
            "--session-timeout-ms", "6000", "--until-caught-up",
        ],
    )  # fmt: skip

    assert 0 == published.exit_code, published.output
    assert f"published up to notification {total}" in published.output
    assert 0 == consumed.exit_code, consumed.output
    assert f"applied {total} events (0 duplicates skipped, 0 rejected)" in consumed.output
    db = ViewDatabase(view_url)
    assert [("ตาก", "6630101", 1), ("นครพนม", "6480101", 1)] == ReportStore(
        db, "kpi"
    ).records_per_lao()
    db.close()


def test_consume_without_a_pinned_anchor_is_refused(kafka_bootstrap: str) -> None:
    """The consumer trusts nothing until the system key is pinned, and says how to pin it."""
    result = runner.invoke(
        app,
        ["consume", "--bootstrap-servers", kafka_bootstrap],
        env={"LEDGER_KAFKA_ANCHOR_PUBLIC_KEY": ""},
    )

    assert 1 == result.exit_code
    assert "--anchor-public-key" in result.output
