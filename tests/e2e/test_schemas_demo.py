"""Every event of the demo (about 12,700 signed statements of every aggregate) validates
against its type's JSON Schema (``GET /schemas/{type}``), formats included: the schemas say
what the ledger accepts. A v2 event (the demo signs its people's personal values so) is checked
with its values as disclosed, read back from the vault: the schema describes the values, which
the statement holds as commitments (docs/personal-data.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jsonschema import Draft202012Validator

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.event_schemas import event_schema
from ledger.settings import LedgerSettings
from projections.log import follow_log
from tests.demo_template import DemoFolder, copy_template


def test_every_demo_event_fits_its_schema(demo_template: DemoFolder, tmp_path: Path) -> None:
    """Each event of a copy of the session's demo (as ``ledger demo --no-serve`` loaded it)
    validates against its type's schema."""
    url = copy_template(demo_template, tmp_path).database_url
    validators: dict[str, Draft202012Validator] = {}
    checked: Counter[str] = Counter()
    revealed: Counter[str] = Counter()
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
                data = event.data
                if event.statement["v"] == 2:
                    assert ledger.vault is not None
                    data = ledger.vault.revealed_data(
                        EVENT_TYPES[event.type].data_model, str(event.stream), data
                    )
                    revealed[event.type] += 1
                for error in validator.iter_errors(data):
                    misfits.append((event.notification_id, event.type, error.message))
                checked[event.type] += 1
    finally:
        ledger.close()

    assert [] == misfits[:10]
    assert {"RecordOpened", "PersonalDataRecorded"} <= set(revealed)
    assert sum(checked.values()) > 10_000
    assert {"RecordOpened", "PlanProjectAdded", "LaoDataCertified"} <= set(checked)
