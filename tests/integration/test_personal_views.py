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
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.commitments import commit_data
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import personal_paths
from ledger.domain.rules import retirement_fiscal_year
from ledger.domain.search import read_name
from ledger.settings import LedgerSettings
from ledger.statement import SignerRef, build_statement
from ledger.vault import Vault
from projections.log import LogEvent
from projections.personal import ERASED
from projections.reports.facade import Reports
from projections.reports.render import Format, render
from projections.reports.scope import EVERYWHERE
from projections.rows import utc_text
from projections.store import Cursor, ViewDatabase
from projections.views.catalogue import Projections, all_views
from projections.views.runner import view_tables
from replay.verify.bundle import verify_bundle
from tests import domain_data as d
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.unit.api.http_kit import body, login, problem

NAME = {"prefix": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดีทดสอบ"}
BORN = "1975-01-15"
NAME_CHANGE = {"prefix": "นาง", "first_name": "สมหญิง", "last_name": "ใหม่ทดสอบ"}


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
    kit.emit_v2(kit.hr, stream, type_, draft)


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


def _log_event(stream: uuid.UUID, version: int, type_: str, draft: dict[str, Any]) -> LogEvent:
    """A v2 event of the stream as the log gives it to the views (its data committed)."""
    data, _ = commit_data(EVENT_TYPES[type_].data_model, str(stream), draft)
    statement = build_statement(
        stream=stream,
        expected_version=version - 1,
        prev_hash="0" * 64,
        type=type_,
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid=made_up_cid(620), key="0f" * 8),
        signed_at=datetime.now(UTC),
        v=2,
    )
    moment = datetime.now(UTC)
    return LogEvent(
        notification_id=version,
        stream=stream,
        version=version,
        type=type_,
        canonical=statement.canonical_bytes().decode("utf-8"),
        signature="00" * 64,
        hash=f"{version:064x}",
        recorded_at=moment,
        stream_text=str(stream),
        recorded_text=utc_text(moment),
    )


def test_every_view_takes_every_personal_event_type_in_v2_and_keeps_no_value(
    backend_url: str,
) -> None:
    """Every view applies a v2 record with every event type that declares personal fields, and
    corrections of its header and name, without failing and without keeping a clear value."""
    stream = uuid.uuid4()
    cid = made_up_cid(621)
    drafts = [("RecordOpened", {**record_data(cid=cid), "birth_date": BORN})]
    drafts += [
        (type_, draft)
        for type_, draft in d.ENTRY_DATA.items()
        if personal_paths(EVENT_TYPES[type_].data_model)
    ]
    named = d.ENTRY_DATA["PersonalDataRecorded"]
    drafts += [
        ("EntryCorrected", {"supersedes": 1, "reason": "แก้ไข", "replacement": drafts[0][1]}),
        ("EntryCorrected", {"supersedes": 2, "reason": "แก้ไข", "replacement": named}),
    ]
    assert "PersonalDataRecorded" == drafts[1][0]
    events = [_log_event(stream, n, t, draft) for n, (t, draft) in enumerate(drafts, start=1)]
    db = ViewDatabase(backend_url)
    name = f"t{uuid.uuid4().hex[:12]}"
    try:
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for view in all_views():
            names = view_tables(name, view)
            with db.schema_change() as cursor:
                definitions = view.table_definitions()
                for short, table in names.items():
                    cursor.execute(f"CREATE TABLE {table} ({definitions[short]})")
            with db.transaction() as cursor:
                view.handle(cursor, events, names)
                tables |= {table: _rows(cursor, table) for table in names.values()}
    finally:
        db.close()
    assert 1 == len(tables[f"{name}_registry_records"])
    assert 2 == len(tables[f"{name}_leave_entries"])  # leave taken, and the year's line
    secrets = [cid, BORN, named["first_name"], named["last_name"], "มาสายเกินกำหนด"]
    assert [] == _clear_values_in(tables, secrets)


def test_the_api_reads_a_v2_record_and_an_erased_one(kit: LedgerKit, tmp_path: Path) -> None:
    """Through the API, the HR officer finds a v2 record by its Thai name and reads its
    ก.พ.๗ with its values; erased, GET /records/{id} answers 200 with the person shown as
    erased (404 outside the LAO), the name search finds nobody, its head, the signed log and
    its audit bundle (which verifies) are read without its values, and a statement on it is
    refused 410 in Thai."""
    cid, stream = made_up_cid(631), uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", {**record_data(cid=cid), "birth_date": BORN})
    _submit_v2(kit, stream, "PersonalDataRecorded", NAME)
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        hr = login(client, kit.hr)
        found = client.get("/records", params={"name": "สมหญิง"}, headers=hr).json()
        before = client.get(f"/records/{stream}", headers=hr).json()["record"]
    vault.erase(str(stream))
    # A ledger started after the erasure (the running one keeps the streams it replayed in
    # memory until it stops: docs/personal-data.md).
    restarted = Ledger(kit.ledger.settings)
    try:
        with TestClient(create_app(restarted.settings, restarted)) as client:
            hr = login(client, kit.hr)
            after = client.get(f"/records/{stream}", headers=hr)
            nobody = client.get("/records", params={"name": "สมหญิง"}, headers=hr).json()
            head = client.get(f"/streams/{stream}/head", headers=hr)
            elsewhere = client.get(f"/records/{stream}", headers=login(client, kit.other_hr))
            admin = login(client, kit.admin)
            log = client.get("/log", params={"after": 0, "limit": 500}, headers=admin)
            bundle = client.get(f"/bundles/record/{stream}", headers=admin)
            renamed = kit.sign(kit.hr, stream=stream, type="NameChanged", data=NAME_CHANGE)
            disclosures = kit.disclosed.pop(renamed.hash)  # a v2 kit: the ledger has a vault
            sent = {**body(renamed), "disclosures": disclosures}
            refused = client.post("/statements", json=sent, headers=hr)
    finally:
        restarted.close()

    assert [str(stream)] == [row["stream"] for row in found["results"]]
    assert (cid, "ใจดีทดสอบ", BORN) == (before["cid"], before["last_name"], before["birth_date"])
    assert 200 == after.status_code
    assert (ERASED, ERASED, None) == tuple(
        after.json()["record"][k] for k in ("cid", "last_name", "birth_date")
    )
    assert [] == [value for value in (cid, "ใจดีทดสอบ", "1975") if value in after.text]
    assert (404, "stream-not-found") == problem(elsewhere)
    assert 0 == nobody["total"]
    assert (2, "PersonnelRecord") == (head.json()["version"], head.json()["kind"])
    assert {str(stream)} <= {event["stream"] for event in log.json()["events"]}
    assert 200 == bundle.status_code
    path = tmp_path / "erased.bundle"
    path.write_bytes(bundle.content)
    assert verify_bundle(path).ok
    assert (410, "person-erased") == problem(refused)
    assert "ลบตามคำขอ" in refused.json()["title_th"]
    assert ("person.erased", "stream") == (
        refused.json()["rule"],
        refused.json()["errors"][0]["field"],
    )
    assert "ลบตามคำขอ" in refused.json()["errors"][0]["th"]


def test_every_personnel_report_draws_with_live_and_erased_v2_records(kit: LedgerKit) -> None:
    """Every report of the personnel records, as of now and of a past date, is drawn in JSON,
    CSV, XLSX and HTML over a v2 record and an erased one, and none shows an erased value; the
    retirement reports count the live v2 record by its revealed birth date."""
    erased, live = uuid.uuid4(), uuid.uuid4()
    cid = made_up_cid(641)
    _submit_v2(kit, erased, "RecordOpened", {**record_data(cid=cid), "birth_date": BORN})
    _submit_v2(kit, erased, "PersonalDataRecorded", NAME)
    _submit_v2(kit, live, "RecordOpened", record_data(cid=made_up_cid(642)))
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    vault.erase(str(erased))
    today = date.today()
    with Projections.open(kit.ledger) as projections:
        reports = Reports(projections)
        projections.catch_up()
        drawn: list[Any] = [
            reports.registry(EVERYWHERE),
            reports.registry(EVERYWHERE, valid_on=today),
            reports.record(erased),
            reports.record(erased, valid_on=today),
            reports.kp7(erased),
            reports.kp7(erased, valid_on=today, health=False),
            reports.audit_trail(erased),
            reports.positions(EVERYWHERE),
            reports.occupancy(EVERYWHERE),
            reports.kpi(EVERYWHERE),
            reports.certification(EVERYWHERE),
            reports.record_certification(EVERYWHERE),
            reports.find(EVERYWHERE, name=read_name("ใจดี")),
            reports.retirements(EVERYWHERE),
            reports.section35(EVERYWHERE, 2569),
            reports.leave(EVERYWHERE),
        ]
        reports.worklist(EVERYWHERE, ["lao_hr_officer"])
        todo = reports.records_to_do(EVERYWHERE, 2568, 2572)[0]
        year = retirement_fiscal_year(date(1970, 10, 1))  # the live record's birth date
        retiring = reports.retirements(EVERYWHERE, year, year).rows
        due = reports.records_to_do(EVERYWHERE, year, year)[0].retiring
        assert [None] == [
            n.as_json()["retirement_date"] for n in todo.incomplete if n.stream == str(erased)
        ]
    shown = b""
    for report in drawn:
        formats = [Format.JSON] if not hasattr(report, "tabulate") else list(Format)
        for fmt in formats:
            shown += render(report, fmt).content if fmt is not Format.XLSX else b""
            if fmt is Format.XLSX:
                assert render(report, fmt).content.startswith(b"PK")
    assert [1] == [group.people for group in retiring]  # v2: from the revealed birth date
    assert [str(live)] == [note.stream for note in due]
    text = shown.decode("utf-8")
    assert ERASED in text
    assert [] == [value for value in (cid, BORN, *NAME.values()) if value in text]
