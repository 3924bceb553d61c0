"""Every event of the demo (about 12,700 signed statements of every aggregate) validates
against its type's JSON Schema (``GET /schemas/{type}``), formats included: the schemas say
what the ledger accepts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.domain.event_schemas import event_schema
from ledger.settings import LedgerSettings
from projections.log import follow_log

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


def test_every_demo_event_fits_its_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    loaded = runner.invoke(
        app, ["demo", "--database-url", url, "--no-serve", "--keys-dir", str(tmp_path / "keys")]
    )
    assert 0 == loaded.exit_code, loaded.output
    validators: dict[str, Draft202012Validator] = {}
    checked: Counter[str] = Counter()
    misfits: list[tuple[int, str, str]] = []

    ledger = Ledger(LedgerSettings(database_url=url, name="demo"))
    try:
        for batch in follow_log(ledger, 0, 2_000):
            for event in batch:
                validator = validators.get(event.type)
                if validator is None:
                    validator = validators[event.type] = Draft202012Validator(
                        event_schema(event.type), format_checker=Draft202012Validator.FORMAT_CHECKER
                    )
                for error in validator.iter_errors(event.data):
                    misfits.append((event.notification_id, event.type, error.message))
                checked[event.type] += 1
    finally:
        ledger.close()

    assert [] == misfits[:10]
    assert sum(checked.values()) > 10_000
    assert {"RecordOpened", "PlanProjectAdded", "LaoDataCertified"} <= set(checked)
