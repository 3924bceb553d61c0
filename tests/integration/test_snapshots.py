"""Certification certifies data, on PostgreSQL and SQLite: the snapshot an LAO submits is the one
the ledger computes at the named position (through the HTTP API), what a root covers is listed
and provable record by record, only operators' changes make a certification stale, and LPA 2.9
is judged on when the certification was recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import NATIONAL, Role, province_scope
from ledger.domain.snapshot import LaoSnapshot
from ledger.merkle import leaf_hash, root_hash, verify_inclusion
from ledger.processes import invalidate_stale_certifications, schedule_retirements
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator, submission
from tests.people import made_up_cid
from tests.unit.api.http_kit import body, login, problem

LAO, CODE = NAKHON_PHANOM_LAO, str(NAKHON_PHANOM_LAO.lao)
TAK_CODE = str(TAK_LAO.lao)
COMPLETE = ("PersonalDataRecorded", "EducationAdded", "PositionSalaryEntryAdded")


@dataclass
class Lao:
    """Two records of the Nakhon Phanom LAO (one due to retire in FY2564), a cycle, its head
    and province, and the API over the ledger."""

    kit: LedgerKit
    client: TestClient
    head: Operator
    province: Operator
    records: list[uuid.UUID]
    cycle: uuid.UUID

    def api(self, operator: Operator, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=login(self.client, operator))
        assert 200 == response.status_code, response.text
        return response.json()


def _record(kit: LedgerKit, scope: Any, n: int, birth_date: str = "1975-02-03") -> uuid.UUID:
    """An active record with every required ก.พ.๗ item."""
    stream, hr = uuid.uuid4(), kit.hr if scope == LAO else kit.other_hr
    kit.emit(hr, stream, "RecordOpened", d.record(scope, made_up_cid(n), birth_date=birth_date))
    kit.emit(hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    for type_ in COMPLETE:
        kit.emit(hr, stream, type_, d.ENTRY_DATA[type_])
    return stream


@pytest.fixture
def lao(kit: LedgerKit) -> Iterator[Lao]:
    """Both LAOs (the kit registered them), two records here and one in Tak, this LAO's cycle
    2562 open."""
    records = [_record(kit, LAO, 601, "1961-05-10"), _record(kit, LAO, 602)]
    _record(kit, TAK_LAO, 603)
    cycle = certification_stream_id(CODE, "2562")
    kit.emit(kit.admin, cycle, "CycleOpened", d.cycle(LAO, "2562"))
    head = kit.operator([Role.LAO_HEAD], LAO)
    province = kit.operator([Role.PROVINCIAL_OFFICER], province_scope(str(LAO.province)))
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        yield Lao(kit, client, head, province, records, cycle)


def _leaves_at(lao: Lao, streams: list[uuid.UUID], position: int) -> list[tuple[Any, ...]]:
    """Each stream's latest event at the position, from its events: (stream, version, hash)."""
    found = []
    for stream in sorted(streams, key=str):
        events = [e for e in lao.kit.ledger.stream_events(stream) if e.notification_id <= position]
        found.append((stream, events[-1].version, events[-1].hash))
    return found


def _snapshot(kit: LedgerKit, code: str, position: int | None = None) -> LaoSnapshot:
    found = kit.ledger.snapshot(code, position)
    assert found is not None
    return found


def test_the_snapshot_covers_the_records_held_at_its_position(lao: Lao) -> None:
    """At P: each held record's latest event at P, by stream id, under their RFC 9162 root; a
    record transferred out after P still counts at P (and while in transit), not after."""
    kit, moving, staying = lao.kit, lao.records[0], lao.records[1]
    position = kit.event_count()
    kit.emit(kit.hr, staying, "AbilityRecorded", d.ENTRY_DATA["AbilityRecorded"])
    kit.emit(kit.hr, moving, "TransferredOut", d.status_data("TransferredOut"))
    in_transit = _snapshot(kit, CODE)
    kit.emit(kit.other_hr, moving, "TransferredIn", d.status_data("TransferredIn"))

    at_p = _snapshot(kit, CODE, position)
    now, tak = _snapshot(kit, CODE), _snapshot(kit, TAK_CODE)

    expected = _leaves_at(lao, lao.records, position)
    assert expected == [(leaf.stream, leaf.version, leaf.hash) for leaf in at_p.leaves]
    assert root_hash([f"{s}:{v}:{h}".encode("ascii") for s, v, h in expected]).hex() == at_p.root
    assert (position, 2) == (at_p.position, at_p.record_count)
    assert {moving, staying} == in_transit.streams
    assert ({staying}, 2) == (now.streams, tak.record_count)
    assert moving in tak.streams
    assert kit.ledger.snapshot(CODE, kit.event_count() + 1) is None


def _post_submission(lao: Lao, data: dict[str, Any]) -> Any:
    signed = lao.kit.sign(lao.kit.hr, stream=lao.cycle, type="LaoDataSubmitted", data=data)
    return lao.client.post("/statements", json=body(signed))


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"snapshot_root": d.sha("ab")}, "certification.snapshot_mismatch"),
        ({"record_count": 999}, "certification.record_count_mismatch"),
        ({"position": None}, "certification.position_missing"),
    ],
)
def test_a_submission_is_refused_unless_it_names_the_ledgers_snapshot(
    lao: Lao, change: dict[str, Any], rule: str
) -> None:
    """A wrong root, count or no position is 422 naming the rule and the log does not grow;
    the snapshot the API gives is accepted."""
    given = lao.api(lao.kit.hr, f"/laos/{CODE}/snapshot")
    right = {
        "snapshot_root": given["root"],
        "record_count": given["record_count"],
        "position": given["position"],
    }
    wrong = {key: value for key, value in (right | change).items() if value is not None}
    count = lao.kit.event_count()

    refused = _post_submission(lao, wrong)
    unchanged = lao.kit.event_count()
    accepted = _post_submission(lao, right)

    assert (422, "invalid-data") == problem(refused)
    assert rule == refused.json()["rule"]
    assert count == unchanged
    assert 201 == accepted.status_code, accepted.text
    assert (CODE, 2, count) == (given["lao"], given["record_count"], given["position"])


def test_a_covered_records_inclusion_is_verified(lao: Lao) -> None:
    """What a submitted root covers is listed (stream, version, hash, position), and a record's
    inclusion proof checks against the root; a record it does not cover is 404."""
    kit = lao.kit
    data = submission(kit.ledger, CODE)
    kit.emit(kit.hr, lao.cycle, "LaoDataSubmitted", data)
    kit.emit(lao.head, lao.cycle, "LaoDataCertified", {"snapshot_root": data["snapshot_root"]})
    root, path = data["snapshot_root"], f"/laos/{CODE}/snapshots/{data['snapshot_root']}"

    covered = lao.api(lao.province, path)
    proof = lao.api(lao.head, path, record=str(lao.records[1]))
    outside = lao.client.get(
        path, params={"record": str(uuid.uuid4())}, headers=login(lao.client, lao.head)
    )

    expected = _leaves_at(lao, lao.records, data["position"])
    assert [(str(s), v, h) for s, v, h in expected] == [
        (r["stream"], r["version"], r["hash"]) for r in covered["records"]
    ]
    assert (data["position"], "2562", 2) == (
        covered["position"],
        covered["cycle"],
        covered["record_count"],
    )
    leaf = f"{proof['record']['stream']}:{proof['record']['version']}:{proof['record']['hash']}"
    assert leaf == proof["leaf"]
    assert verify_inclusion(
        proof["leaf_index"],
        proof["record_count"],
        leaf_hash(leaf.encode("ascii")),
        [bytes.fromhex(item) for item in proof["proof"]],
        bytes.fromhex(root),
    )
    assert (404, "snapshot-not-found") == problem(outside)


def test_an_lao_outside_the_scope_is_not_found(lao: Lao) -> None:
    """Tak's HR officer, an unknown LAO and a root no submission named all answer 404."""
    auditor = lao.kit.operator([Role.AUDITOR], NATIONAL)
    tak_headers = login(lao.client, lao.kit.other_hr)
    national = login(lao.client, auditor)

    outside = lao.client.get(f"/laos/{CODE}/snapshot", headers=tak_headers)
    unknown = lao.client.get("/laos/6489999/snapshot", headers=national)
    no_root = lao.client.get(f"/laos/{CODE}/snapshots/{d.sha('none')}", headers=national)
    mine = lao.client.get(f"/laos/{TAK_CODE}/snapshot", headers=tak_headers)

    assert [(404, "snapshot-not-found")] * 3 == [problem(r) for r in (outside, unknown, no_root)]
    assert 200 == mine.status_code


def _states(lao: Lao) -> dict[str, str]:
    rows = lao.api(lao.province, "/reports/certification/records", lao=CODE)
    return {row["stream"]: row["state"] for row in rows}


def test_only_an_operators_change_makes_a_certification_stale(lao: Lao) -> None:
    """After certification the system's RetirementScheduled leaves it standing; HR's change to
    a covered record makes the cycle stale, naming that record."""
    kit, retiring, changed = lao.kit, lao.records[0], lao.records[1]
    data = submission(kit.ledger, CODE)
    kit.emit(kit.hr, lao.cycle, "LaoDataSubmitted", data)
    kit.emit(lao.head, lao.cycle, "LaoDataCertified", {"snapshot_root": data["snapshot_root"]})

    scheduled = schedule_retirements(kit.ledger, kit.system.signer, 2564)
    after_notice = invalidate_stale_certifications(kit.ledger, kit.system.signer)
    states_after_notice = _states(lao)
    kit.emit(kit.hr, changed, "AbilityRecorded", d.ENTRY_DATA["AbilityRecorded"])
    after_change = invalidate_stale_certifications(kit.ledger, kit.system.signer)

    assert [retiring] == [receipt.stream for receipt in scheduled.receipts]
    assert 0 == after_notice.emitted
    assert {str(retiring): "certified", str(changed): "certified"} == states_after_notice
    assert {str(retiring): "certified", str(changed): "stale"} == _states(lao)
    assert 1 == after_change.emitted
    cycle = kit.ledger.aggregate(lao.cycle)
    assert ("stale", {changed}) == (str(cycle.state), cycle.stale_records)  # type: ignore[attr-defined]


def _certify(lao: Lao, head: Operator, hr: Operator, cycle: uuid.UUID, effective: date) -> None:
    """Submit the LAO's snapshot now and certify it, both signed as of ``effective``."""
    kit = lao.kit
    data = submission(kit.ledger, kit.ledger.aggregate(cycle).lao)  # type: ignore[attr-defined]
    kit.submit(kit.sign(hr, stream=cycle, type="LaoDataSubmitted", data=data, effective=effective))
    root = {"snapshot_root": data["snapshot_root"]}
    kit.submit(
        kit.sign(head, stream=cycle, type="LaoDataCertified", data=root, effective=effective)
    )


def test_lpa_2_9_is_judged_on_when_the_certification_was_recorded(lao: Lao) -> None:
    """Certified now with the deadline ahead scores 5; Tak's certification, dated 25 July 2562
    but recorded now (after its 31 July 2562 deadline), scores 0."""
    kit, ahead = lao.kit, date.today() + timedelta(days=60)
    deadlines = [(ahead + timedelta(days=days)).isoformat() for days in (0, 15, 30)]
    later = certification_stream_id(CODE, "2563")
    opened = d.cycle(LAO, "2563", *deadlines[:2]) | {"dla_deadline": deadlines[2]}
    kit.emit(kit.admin, later, "CycleOpened", opened)
    tak_cycle = certification_stream_id(TAK_CODE, "2562")
    kit.emit(kit.admin, tak_cycle, "CycleOpened", d.cycle(TAK_LAO, "2562"))
    tak_head = kit.operator([Role.LAO_HEAD], TAK_LAO)
    _certify(lao, lao.head, kit.hr, later, date.today())
    _certify(lao, tak_head, kit.other_hr, tak_cycle, date(2019, 7, 25))

    auditor = kit.operator([Role.AUDITOR], NATIONAL)
    kpis = {row["lao"]: row for row in lao.api(auditor, "/reports/kpi")["laos"]}

    assert (5, 100.0) == (kpis[CODE]["lpa_2_9"], kpis[CODE]["percent"])
    assert (0, 100.0) == (kpis[TAK_CODE]["lpa_2_9"], kpis[TAK_CODE]["percent"])
    assert "2019-07-25" == kpis[TAK_CODE]["certified_on"]
    assert kpis[TAK_CODE]["certified_recorded_on"] > "2019-07-31"
