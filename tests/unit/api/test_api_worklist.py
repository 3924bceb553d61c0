"""Certification worklists over HTTP: what waits for each role, in its scope, and what is late."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import Role, Scope, province_scope
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator, submission
from tests.unit.api.http_kit import login, problem

LAO = str(NAKHON_PHANOM_LAO.lao)


@dataclass
class Cycles:
    """Cycles of นครพนม's LAO at every stage, and one of ตาก's verified by its province."""

    kit: LedgerKit
    superior: Operator
    head: Operator
    province: Operator
    roots: dict[str, str]


def _walk(kit: LedgerKit, scope: Scope, name: str, steps: int, people: dict[str, Operator]) -> str:
    """Open cycle ``name`` and take its first ``steps`` steps (submit, certify, verify); the
    root submitted (empty when none was)."""
    lao = str(scope.lao)
    stream = certification_stream_id(lao, name)
    kit.emit(kit.admin, stream, "CycleOpened", d.cycle(scope, name))
    if steps == 0:
        return ""
    submitted = submission(kit.ledger, lao)
    kit.emit(people["hr"], stream, "LaoDataSubmitted", submitted)
    root = {"snapshot_root": submitted["snapshot_root"]}
    if steps >= 2:
        kit.emit(people["head"], stream, "LaoDataCertified", root)
    if steps >= 3:
        kit.emit(people["province"], stream, "ProvinceCertified", root)
    return str(submitted["snapshot_root"])


@pytest.fixture
def cycles(kit: LedgerKit) -> Cycles:
    superior = kit.operator([Role.LAO_SUPERIOR], NAKHON_PHANOM_LAO)
    head = kit.operator([Role.LAO_HEAD], NAKHON_PHANOM_LAO)
    province = kit.operator([Role.PROVINCIAL_OFFICER], province_scope("นครพนม"))
    tak = {
        "hr": kit.other_hr,
        "head": kit.operator([Role.LAO_HEAD], TAK_LAO),
        "province": kit.operator([Role.PROVINCIAL_OFFICER], province_scope("ตาก")),
    }
    kit.open_record()
    ours = {"hr": kit.hr, "head": head, "province": province}
    roots = {
        name: _walk(kit, NAKHON_PHANOM_LAO, name, steps, ours)
        for name, steps in (("2562", 1), ("2563", 2), ("2564", 3), ("2565", 0))
    }
    roots["tak"] = _walk(kit, TAK_LAO, "2564", 3, tak)
    return Cycles(kit, superior, head, province, roots)


def _items(client: TestClient, operator: Operator, as_of: str = "2019-07-01") -> list[Any]:
    response = client.get("/worklist", headers=login(client, operator), params={"as_of": as_of})
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def _what(items: list[Any]) -> list[tuple[str, str, str, str]]:
    return [(item["lao"], item["cycle"], item["action"], item["state"]) for item in items]


def test_each_role_sees_its_own_step(client: TestClient, cycles: Cycles) -> None:
    """HR submits the draft, the superior reviews and the head certifies the submitted, the
    province verifies the certified and reports the verified, DLA accepts the verified."""
    kit = cycles.kit

    assert [(LAO, "2565", "submit", "draft")] == _what(_items(client, kit.hr))
    assert [(LAO, "2562", "review", "submitted")] == _what(_items(client, cycles.superior))
    assert [(LAO, "2562", "certify", "submitted")] == _what(_items(client, cycles.head))
    assert [
        (LAO, "2563", "verify", "lao_certified"),
        (LAO, "2564", "send_report", "province_verified"),
    ] == _what(_items(client, cycles.province))
    assert [  # by province: ตาก before นครพนม
        (str(TAK_LAO.lao), "2564", "accept", "province_verified"),
        (LAO, "2564", "accept", "province_verified"),
    ] == _what(_items(client, kit.admin))


def test_an_item_names_its_deadline_and_snapshot(client: TestClient, cycles: Cycles) -> None:
    """The head's item: the LAO's deadline in both eras, days left, and the submitted snapshot
    (root, count, position, and where to see what it covers)."""
    (item,) = _items(client, cycles.head)

    assert ("lao", "2019-07-31", "31/07/2562", 30, False) == (
        item["stage"],
        item["deadline"],
        item["deadline_th"],
        item["days_left"],
        item["overdue"],
    )
    snapshot = item["snapshot"]
    assert (cycles.roots["2562"], 1) == (snapshot["root"], snapshot["record_count"])
    assert f"/laos/{LAO}/snapshots/{cycles.roots['2562']}" == snapshot["covers"]
    assert ("รับรองข้อมูล", "เสนอผู้บังคับบัญชาแล้ว") == (item["action_th"], item["state_th"])
    covered = client.get(snapshot["covers"], headers=login(client, cycles.head)).json()
    assert (snapshot["root"], 1) == (covered["root"], len(covered["records"]))


def test_overdue_on_the_day_asked(client: TestClient, cycles: Cycles) -> None:
    """Past 31 July the LAO's stage is late, past 15 August the province's; a Buddhist-era
    date reads; overdue items come first."""
    head_late = _items(client, cycles.head, "01/08/2562")
    province_on_time = _items(client, cycles.province, "2019-08-01")
    province_late = _items(client, cycles.province, "2019-08-16")
    dla_late = _items(client, cycles.kit.admin, "2019-09-01")

    assert [(True, -1)] == [(item["overdue"], item["days_left"]) for item in head_late]
    assert [False, False] == [item["overdue"] for item in province_on_time]
    assert [("verify", True), ("send_report", False)] == [
        (item["action"], item["overdue"]) for item in province_late
    ]
    assert {True} == {item["overdue"] for item in dla_late}


def test_an_item_counts_the_warning_letters(client: TestClient, cycles: Cycles) -> None:
    stream = certification_stream_id(LAO, "2562")
    letter = {"stage": "lao", "letter": d.order("ว 12/2562", day="2019-08-05")}
    cycles.kit.emit(cycles.province, stream, "WarningLetterSent", letter)

    assert [(True, 1)] == [
        (item["overdue"], item["warnings"]) for item in _items(client, cycles.head, "2019-08-05")
    ]


def test_a_sent_report_leaves_the_province_list(client: TestClient, cycles: Cycles) -> None:
    stream = certification_stream_id(LAO, "2564")
    cycles.kit.emit(cycles.province, stream, "ProvinceReportSent", {"letter": d.order("9/2562")})

    assert ["verify"] == [item["action"] for item in _items(client, cycles.province)]


def test_other_roles_have_nothing_to_do(client: TestClient, cycles: Cycles) -> None:
    """An e-Plan officer reads workforce data but takes no certification step: an empty list;
    a record owner does not read certification states: 403."""
    finance = cycles.kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO)
    owner = cycles.kit.operator([Role.RECORD_OWNER], NAKHON_PHANOM_LAO)

    refused = client.get("/worklist", headers=login(client, owner))

    assert [] == _items(client, finance)
    assert (403, "forbidden") == problem(refused)
