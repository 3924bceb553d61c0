"""The views and reports over v2 records, on both backends: values revealed through the vault
when read, never kept in a view table; an erased person shown as erased; rebuilds unchanged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.commitments import commit_data
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.search import read_name
from ledger.settings import LedgerSettings
from ledger.signing import sign_statement
from ledger.statement import SignerRef, build_statement
from ledger.vault import Vault
from projections.personal import ERASED
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.store import Cursor
from projections.views.catalogue import Projections
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid

NAME = {"prefix": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดีทดสอบ"}
BORN = "1975-01-15"


@pytest.fixture
def kit(backend_url: str, tmp_path: Path) -> Iterator[LedgerKit]:
    """An initialised ledger with a vault (development key files), an admin and HR officers."""
    settings = LedgerSettings(
        database_url=backend_url,
        name=f"t{uuid.uuid4().hex[:12]}",
        vault_key_dir=tmp_path / "vault-keys",
    )
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def _submit_v2(kit: LedgerKit, stream: uuid.UUID, type_: str, draft: dict[str, Any]) -> None:
    """An HR officer's v2 statement at the stream's head, submitted with its disclosures."""
    data, disclosures = commit_data(EVENT_TYPES[type_].data_model, str(stream), draft)
    version, head = kit.ledger.head(stream)
    statement = build_statement(
        stream=stream,
        expected_version=version,
        prev_hash=head,
        type=type_,
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid=kit.hr.cid, key=kit.hr.signer.key_id),
        signed_at=datetime.now(UTC),
        v=2,
    )
    signed = sign_statement(statement, kit.hr.signer)
    kit.ledger.submit(
        signed.canonical,
        signed.signature,
        {path: item.as_json() for path, item in disclosures.items()},
    )


def _view_tables(projections: Projections) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table, sorted (what a rebuild must reproduce)."""
    runner = projections.runner
    found: dict[str, list[tuple[Any, ...]]] = {}
    with projections.read() as cursor:
        for view in runner.views:
            for table in runner.tables_of(view).values():
                found[table] = _rows(cursor, table)
    return found


def _rows(cursor: Cursor, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT * FROM {table}")
    return sorted((tuple(row) for row in cursor.fetchall()), key=repr)


def _clear_values_in(tables: dict[str, list[tuple[Any, ...]]], values: list[str]) -> list[str]:
    """The values (UTF-8 or JSON-escaped) that appear anywhere in the tables' rows."""
    raw = repr(tables) + json.dumps(repr(tables))
    return [v for v in values if v in raw or json.dumps(v).strip('"') in raw]


def test_a_v2_record_is_read_through_the_vault_and_shown_erased_after_erasure(
    kit: LedgerKit,
) -> None:
    """A v2 record is in the registry with its values, found by its Thai name, its ก.พ.๗
    shows them, while no view table holds them; erased, the views still catch up, the
    registry and ก.พ.๗ show it as erased, and a rebuild from zero gives the same tables."""
    cid, stream = made_up_cid(611), uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", {**record_data(cid=cid), "birth_date": BORN})
    _submit_v2(kit, stream, "PersonalDataRecorded", NAME)
    kit.submit(
        kit.sign(
            kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(cid=made_up_cid(612))
        )
    )
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    secrets = [cid, BORN, NAME["first_name"], NAME["last_name"]]
    with Projections.open(kit.ledger) as projections:
        reports = Reports(projections)
        projections.catch_up()

        entry = next(e for e in reports.registry(EVERYWHERE).rows if e.stream == str(stream))
        assert (entry.cid, entry.first_name, entry.birth_date) == (cid, "สมหญิง", date(1975, 1, 15))
        found = reports.find(EVERYWHERE, name=read_name("สมหญิง"))
        assert [str(stream)] == found.streams
        kp7 = reports.kp7(stream).as_json()
        assert (cid, "2518") == (kp7["record"]["cid"], kp7["record"]["birth_date_be"][-4:])
        named = [
            e for s in kp7["sections"] for e in s["entries"] if e["type"] == "PersonalDataRecorded"
        ]
        assert "ใจดีทดสอบ" in json.dumps(named, ensure_ascii=False)
        assert [] == _clear_values_in(_view_tables(projections), secrets)

        assert vault.erase(str(stream))
        kit.submit(
            kit.sign(
                kit.hr,
                stream=uuid.uuid4(),
                type="RecordOpened",
                data=record_data(cid=made_up_cid(613)),
            )
        )
        assert projections.catch_up() > 0
        entry = next(e for e in reports.registry(EVERYWHERE).rows if e.stream == str(stream))
        assert (entry.cid, entry.first_name, entry.birth_date) == (ERASED, ERASED, None)
        assert [] == reports.find(EVERYWHERE, name=read_name("สมหญิง")).streams
        record = reports.kp7(stream).as_json()["record"]
        assert (ERASED, None) == (record["last_name"], record["birth_date_be"])
        caught_up = _view_tables(projections)
        assert [] == _clear_values_in(caught_up, secrets)

        for name in [view.name for view in projections.runner.views]:
            projections.rebuild(name)
        assert caught_up == _view_tables(projections)
