"""Every report reads v2 records as it reads v1 records, on both backends.

The same made-up world (``tests.projection_world``: three LAOs, records with corrections, a
void, a resignation, a transfer, leave, positions, cycles, plans, budgets, and here a leave
correction, a penalty, a family member and a change of name) is loaded as v1 statements into one
ledger and as v2 statements (commitments, the values in a key-file vault) into another. Every
report of the ``Reports`` facade, as JSON and drawn as CSV, XLSX and HTML, says the same of both
once the ids and hashes each ledger made up are named alike; a reader without health rights is
shown the health values (leave types, sick leave, penalties) withheld in both; no v2 report
shows a commitment.
"""

from __future__ import annotations

import io
import json
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest

from ledger.application import Ledger
from ledger.domain.permissions import Role
from ledger.domain.search import read_name
from ledger.settings import LedgerSettings
from projections.kafka.report_view import ReportStore, rebuild_from_ledger
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.personal import WITHHELD
from projections.reports.certificates import CertificateCheck
from projections.reports.facade import Reports
from projections.reports.labels import Lang
from projections.reports.render import Format, render
from projections.reports.scope import EVERYWHERE, ReadScope
from projections.store import ViewDatabase
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests import projection_world
from tests.ledger_kit import build_kit
from tests.projection_world import (
    LAO,
    TAK,
    ProjectionWorld,
    build_projection_world,
    issue_certificate,
)

TODAY = date(2020, 1, 15)
HEALTH_VALUES = ("sick", "maternity", "reprimand", "มาสายเกินกำหนด", "3.5")
"""Health values the world holds (a leave type, a penalty and its detail, sick leave days)."""


@dataclass
class Loaded:
    world: ProjectionWorld
    certificate: str  # the verification code of r1's salary certificate


def _world(backend_url: str, vault: Path | None, monkeypatch: pytest.MonkeyPatch) -> Loaded:
    """The projection world and this test's extra entries, v2 when a vault is given; its
    records, plans and projects have the same stream ids in every world built."""
    name = f"t{uuid.uuid4().hex[:12]}"
    seeds = random.Random(17)
    ids = SimpleNamespace(uuid4=lambda: uuid.UUID(int=seeds.getrandbits(128), version=4))
    monkeypatch.setattr(projection_world, "uuid", ids)
    ledger = Ledger(
        LedgerSettings(
            database_url=backend_url,
            name=name,
            vault_key_dir=vault,
            vault_beside_sqlite=vault is not None,  # the v1 twin keeps no vault
        )
    )
    kit = build_kit(ledger)
    kit.v2 = vault is not None
    world = build_projection_world(kit)
    r1 = world.records["r1"]
    leave = world.versions["r1.LeaveTaken"]  # the vacation day, now a maternity leave's
    day = {"start": "2019-12-02", "end": "2019-12-02", "days": "1"}
    replacement = {"leave_type": "maternity", **day}
    kit.emit(kit.hr, r1, "EntryCorrected",
             {"supersedes": leave, "reason": "พิมพ์ประเภทการลาผิด", "replacement": replacement},
             date(2019, 12, 2))  # fmt: skip
    for type_ in ("PenaltyImposed", "FamilyMemberRecorded", "NameChanged", "AddressChanged"):
        kit.emit(kit.hr, r1, type_, d.ENTRY_DATA[type_], date(2019, 5, 1))
    # An HR officer who has a record of their own (r2's person) signs: named in the trail.
    r2 = kit.ledger.aggregate(world.records["r2"])
    officer = kit.operator([Role.LAO_HR_OFFICER], LAO, cid=getattr(r2, "cid", None))
    kit.emit(officer, r1, "TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"], date(2019, 8, 2))
    opened = json.loads(next(iter(ledger.stream_events(r1))).statement)
    assert kit.v2 == ("commitment" in json.dumps(opened["data"]["cid"]))  # v2 signs no value
    return Loaded(world, issue_certificate(world))


@pytest.fixture
def worlds(
    backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Loaded, Loaded]]:
    """The world as v1 statements, and as v2 statements with a key-file vault."""
    v1 = _world(backend_url, None, monkeypatch)
    try:
        # Two ledgers in one SQLite file see each other's organization streams: a file each.
        v2_url = backend_url.replace("ledger.sqlite", "ledger-v2.sqlite")
        v2 = _world(v2_url, tmp_path / "vault-keys", monkeypatch)
        try:
            yield v1, v2
        finally:
            v2.world.kit.ledger.close()
    finally:
        v1.world.kit.ledger.close()


def _ids(world: ProjectionWorld) -> dict[str, str]:
    """The ids the world made up (streams of records, plans and projects), by their names."""
    named = {f"record-{k}": v for k, v in world.records.items()}
    named |= {f"plan-{k}": v for k, v in world.plans.items()}
    named |= {f"project-{k}": v for k, v in world.projects.items()}
    return {str(value): f"<{name}>" for name, value in named.items()}


HEX = re.compile(r"[0-9a-f]{16,64}")
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?|\d\d:\d\d(:\d\d)?")
KEY_ID = re.compile(r"ed25519:[A-Za-z0-9+/=_-]+")


def _normal(text: str, ids: dict[str, str]) -> str:
    """A drawn report with what each ledger made up on its own named alike: the streams by
    the world's names, hashes, key ids and transaction times by their kind."""
    for value, name in ids.items():
        text = text.replace(value, name).replace(value[:8], name)
    return MOMENT.sub("<moment>", KEY_ID.sub("<key>", HEX.sub("<hash>", text)))


def _drawn(report: Any) -> dict[str, str]:
    """A report as JSON, and its sheet as CSV, HTML and the XLSX workbook's cells."""
    if isinstance(report, dict):
        return {"json": json.dumps(report, ensure_ascii=False, default=str)}
    drawn = {"json": render(report, Format.JSON).content.decode()}
    drawn["csv"] = render(report, Format.CSV, Lang.TH).content.decode()
    drawn["html"] = render(report, Format.HTML, Lang.EN).content.decode()
    book = openpyxl.load_workbook(io.BytesIO(render(report, Format.XLSX).content))
    drawn["xlsx"] = json.dumps(
        [list(row) for sheet in book for row in sheet.iter_rows(values_only=True)],
        ensure_ascii=False,
        default=str,
    )
    return drawn


def _certificate(check: CertificateCheck | None) -> dict[str, Any]:
    """What a certificate's check says (its printed name, the person, what changed)."""
    assert check is not None
    person = None if check.person is None else check.person.as_json()
    return {"name": check.name, "person": person, "changed": check.changed, "ok": check.valid}


Ask = Callable[[Reports, Loaded], Any]

ALLOWED: dict[str, Ask] = {
    "registry": lambda r, w: r.registry(EVERYWHERE),
    "registry-then": lambda r, w: r.registry(EVERYWHERE, valid_on=date(2019, 10, 1)),
    "record": lambda r, w: r.record(w.world.records["r1"]),
    "record-then": lambda r, w: r.record(w.world.records["r4"], valid_on=date(2019, 10, 1)),
    "kp7": lambda r, w: r.kp7(w.world.records["r1"]),
    "audit": lambda r, w: r.audit_trail(w.world.records["r1"]),
    "certificate": lambda r, w: _certificate(r.certificate(w.certificate)),
    "positions": lambda r, w: r.positions(EVERYWHERE),
    "occupancy": lambda r, w: r.occupancy(EVERYWHERE),
    "organizations": lambda r, w: r.organizations(EVERYWHERE),
    "organization": lambda r, w: r.organization(str(LAO.lao)),
    "position": lambda r, w: r.position(str(LAO.lao), "P-1"),
    "kpi": lambda r, w: r.kpi(EVERYWHERE),
    "kpi-province": lambda r, w: r.kpi(ReadScope(province=str(LAO.province))),
    "overdue": lambda r, w: r.overdue(EVERYWHERE, TODAY),
    "certification": lambda r, w: r.certification(EVERYWHERE),
    "record-certification": lambda r, w: r.record_certification(EVERYWHERE),
    "retirements": lambda r, w: r.retirements(EVERYWHERE, 2560, 2610),
    "retirements-tak": lambda r, w: r.retirements(ReadScope(province=str(TAK.province)), 2560),
    "section35-2562": lambda r, w: r.section35(EVERYWHERE, 2562),
    "section35-2563": lambda r, w: r.section35(EVERYWHERE, 2563),
    "leave": lambda r, w: r.leave(EVERYWHERE),
    "leave-2562": lambda r, w: r.leave(ReadScope(lao=str(LAO.lao)), 2562),
    "worklist": lambda r, w: r.worklist(EVERYWHERE, ["lao_head", "provincial_officer"], TODAY),
    "plans": lambda r, w: r.plans(EVERYWHERE),
    "projects": lambda r, w: r.projects(EVERYWHERE),
}
"""Every report of the facade, as a reader allowed every kind of data asks for it."""

WITHOUT_HEALTH: dict[str, Ask] = {
    "kp7": lambda r, w: r.kp7(w.world.records["r1"], health=False),
    "audit": lambda r, w: r.audit_trail(w.world.records["r1"], health=False),
    "leave": lambda r, w: r.leave(EVERYWHERE, health=False),
}
"""The reports that show health data, as a reader who does not read it asks for them."""


def _read_all(loaded: Loaded, asks: dict[str, Ask]) -> dict[str, dict[str, str]]:
    with Projections.open(loaded.world.kit.ledger) as projections:
        projections.catch_up()
        reports = Reports(projections, today=lambda: TODAY)
        ids = _ids(loaded.world)
        found = {}
        for name, ask in asks.items():
            drawn = _drawn(ask(reports, loaded))
            found[name] = {form: _normal(text, ids) for form, text in drawn.items()}
        todo, names = reports.records_to_do(EVERYWHERE, 2560, 2610)
        found["records-to-do"] = {
            "json": _normal(json.dumps(_todo(todo, names), sort_keys=True), ids)
        }
        people = reports.find(EVERYWHERE, name=read_name(d.ENTRY_DATA["NameChanged"]["first_name"]))
        found["find"] = {"json": _normal(json.dumps(people.streams), ids)}
    return found


def _todo(todo: Any, names: Any) -> dict[str, Any]:
    notes = [note.as_json() for note in (*todo.incomplete, *todo.retiring)]
    return {"notes": notes, "people": names.people}


def _differences(
    v1: dict[str, dict[str, str]], v2: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    return [
        (name, form)
        for name, forms in v1.items()
        for form in forms
        if forms[form] != v2[name][form]
    ]


def test_every_report_reads_v2_records_as_v1_records(
    worlds: tuple[Loaded, Loaded],
) -> None:
    """For a reader allowed every kind of data, every report of the v2 world (JSON, CSV,
    HTML, XLSX) is the v1 world's; none shows a commitment, and every health value is there."""
    v1, v2 = (_read_all(world, ALLOWED) for world in worlds)

    assert [] == _differences(v1, v2), (_differences(v1, v2), _first_difference(v1, v2))
    everything = json.dumps(v2, ensure_ascii=False)
    assert "commitment" not in everything
    assert WITHHELD not in everything
    assert all(value in everything for value in HEALTH_VALUES)
    assert "maternity" in v2["leave"]["json"]
    assert "นายสอง ทดสอบ" in v2["audit"]["csv"]  # the signer who has a record, by name


def test_health_values_are_withheld_alike_from_a_reader_without_health_rights(
    worlds: tuple[Loaded, Loaded],
) -> None:
    """Read without health rights, the leave report, the audit trail and the ก.พ.๗ show
    ``withheld`` in place of every health value, for v1 and v2 records alike."""
    v1, v2 = (_read_all(world, WITHOUT_HEALTH) for world in worlds)

    assert [] == _differences(v1, v2), (_differences(v1, v2), _first_difference(v1, v2))
    for found in (v1, v2):
        shown = {text for forms in found.values() for text in _strings(json.loads(forms["json"]))}
        assert [] == [value for value in HEALTH_VALUES if value in shown]
        assert all(WITHHELD in found[name]["json"] for name in ("leave", "audit"))


def _strings(value: Any) -> Iterator[str]:
    """Every string a JSON value holds, keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _first_difference(v1: dict[str, dict[str, str]], v2: dict[str, dict[str, str]]) -> str:
    for name, form in _differences(v1, v2):
        a, b = v1[name][form], v2[name][form]
        at = next((i for i, pair in enumerate(zip(a, b, strict=False)) if pair[0] != pair[1]), 0)
        start = max(0, at - 150)
        return f"{name} {form}: v1 {a[start : at + 150]!r} v2 {b[start : at + 150]!r}"
    return ""


def test_a_kafka_report_view_counts_v2_events_as_v1_events(
    worlds: tuple[Loaded, Loaded], tmp_path: Path
) -> None:
    """A consumer's report view receives what the log holds (commitments for v2): it counts
    each LAO's records and events by type the same from both worlds, and keeps no commitment
    (it reads no personal value, so it needs none: a count that needs one, such as retirements
    by year, is the ledger's own report, read through the vault)."""
    counted = []
    for number, loaded in enumerate(worlds):
        kit = loaded.world.kit
        store = ReportStore(ViewDatabase(f"sqlite:///{tmp_path}/consumer{number}.sqlite"), "kpi")
        store.create()
        registry = KeyRegistry(TrustAnchor(kit.system.signer.public_key), kit.ledger.registry_id)
        assert rebuild_from_ledger(kit.ledger, store, registry) == kit.event_count()
        assert [] == store.rejects()
        counted.append(store.kpi())
        with store.db.transaction() as cursor:
            cursor.execute(f"SELECT * FROM {store.kpi_table}")
            assert "commitment" not in repr(cursor.fetchall())
    assert counted[0] == counted[1]
    assert ("นครพนม", str(LAO.lao), "RecordOpened", 5) in counted[1]
