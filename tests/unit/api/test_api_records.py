"""A person's full ก.พ.๗ over HTTP: sections, signers, corrections, as of a date, and who may
read it (the read matrix, scope, the owner's own record, the access log)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.projection_world import ProjectionWorld, build_projection_world, record_owner
from tests.unit.api.http_kit import login, problem


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    """The projection world on the API's ledger."""
    return build_projection_world(kit)


def _section(kp7: dict[str, Any], code: str) -> list[dict[str, Any]]:
    (found,) = [section for section in kp7["sections"] if section["code"] == code]
    entries: list[dict[str, Any]] = found["entries"]
    return entries


def _field(entry: dict[str, Any], code: str) -> Any:
    (found,) = [item for item in entry["fields"] if item["code"] == code]
    return found


def _salaries(kp7: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (_field(entry, "salary")["value"], entry["voided"])
        for entry in _section(kp7, "position_salary")
    ]


def test_the_full_record_by_section(client: TestClient, world: ProjectionWorld) -> None:
    """Every section in the form's order with Thai titles; each entry with its Thai labels,
    dates in พ.ศ., its signer's key and role, and its signature checked."""
    headers = login(client, world.kit.hr)

    kp7 = client.get(f"/records/{world.records['r1']}", headers=headers).json()

    assert "ข้อมูลทั่วไป" == kp7["sections"][0]["th"]
    assert {"general", "education", "position_salary", "leave", "employment", "training"} <= {
        section["code"] for section in kp7["sections"] if section["entries"]
    }
    (salary,) = _section(kp7, "position_salary")
    assert {"code": "salary", "th": "อัตราเงินเดือน", "value": "20000.00"} == _field(salary, "salary")
    assert ("2019-04-01", "01/04/2562") == (salary["effective"], salary["effective_be"])
    assert world.kit.hr.signer.key_id == salary["signed_by"]["key_id"]
    assert [{"code": "lao_hr_officer", "th": "นักทรัพยากรบุคคล"}] == salary["signed_by"]["roles"]
    assert "verified" == salary["signed_by"]["signature"]
    assert kp7["record"]["birth_date_be"] == "10/05/2503"
    assert [] == kp7["withheld"]


def test_a_correction_and_a_void_in_the_entrys_history(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A corrected entry shows its current data and what it was before, with the reason and
    signer of the correction; a voided entry is marked, with the void's reason."""
    headers = login(client, world.kit.hr)

    kp7 = client.get(f"/records/{world.records['r2']}", headers=headers).json()

    assert [("31000.00", False), ("33000.00", True)] == _salaries(kp7)
    corrected, voided = _section(kp7, "position_salary")
    (correction,) = corrected["changes"]
    assert ("corrected", "พิมพ์เงินเดือนผิด") == (correction["kind"], correction["reason"])
    assert "30000.00" == _field({"fields": correction["before"]}, "salary")["value"]
    assert world.kit.hr.signer.key_id == correction["signed_by"]["key_id"]
    assert corrected["version"] == correction["version"] != corrected["entry"]
    assert [("voided", "คำสั่งถูกยกเลิก")] == [(c["kind"], c["reason"]) for c in voided["changes"]]


def test_the_record_as_of_a_valid_date_and_a_transaction_time(
    client: TestClient, world: ProjectionWorld
) -> None:
    """As of a valid date the later salary line is not there; as of a moment before the
    correction was recorded the entry shows its first data and no correction."""
    headers = login(client, world.kit.hr)
    stream = world.records["r2"]
    now = client.get(f"/records/{stream}", headers=headers).json()
    (change,) = _section(now, "position_salary")[0]["changes"]
    before = datetime.fromisoformat(change["recorded_at"].replace("Z", "+00:00"))

    on_date = client.get(f"/records/{stream}", params={"valid_on": "30/09/2562"}, headers=headers)
    known = client.get(
        f"/records/{stream}",
        params={"as_of": (before - timedelta(microseconds=1)).isoformat()},
        headers=headers,
    )
    too_early = client.get(f"/records/{stream}", params={"valid_on": "2000-01-01"}, headers=headers)

    assert [("31000.00", False)] == _salaries(on_date.json())
    assert "2019-09-30" == on_date.json()["valid_on"]
    assert [("30000.00", False)] == _salaries(known.json())
    assert [] == _section(known.json(), "position_salary")[0]["changes"]
    assert (404, "stream-not-found") == problem(too_early)


def test_outside_the_scope_the_record_is_not_found(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The HR officer of another LAO gets 404, exactly as for a record that does not exist."""
    headers = login(client, world.operators["neighbour_hr"])

    response = client.get(f"/records/{world.records['r1']}", headers=headers)

    assert (404, "stream-not-found") == problem(response)


def test_an_eplan_key_is_refused(client: TestClient, world: ProjectionWorld) -> None:
    """An e-Plan key of the province reads no person's record: 403 naming the kind."""
    headers = login(client, world.operators["finance"])

    response = client.get(f"/records/{world.records['r1']}", headers=headers)

    assert (403, "forbidden") == problem(response)
    assert "personal" in response.json()["detail"]


def test_the_owner_reads_only_their_own_record(client: TestClient, world: ProjectionWorld) -> None:
    """A record owner reads their own ก.พ.๗, health sections included; another's is 404."""
    headers = login(client, record_owner(world, "r1"))

    own = client.get(f"/records/{world.records['r1']}", headers=headers)
    other = client.get(f"/records/{world.records['r2']}", headers=headers)

    assert 200 == own.status_code
    assert _section(own.json(), "leave")
    assert (404, "stream-not-found") == problem(other)


def test_health_sections_are_withheld_from_the_province(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The provincial officer does not read health data: leave and discipline are withheld,
    named as such, and the access log says no health data was read."""
    headers = login(client, world.operators["province"])

    kp7 = client.get(f"/records/{world.records['r1']}", headers=headers).json()
    log = client.get("/me/access-log", headers=login(client, record_owner(world, "r1"))).json()

    assert ["leave", "discipline"] == [section["code"] for section in kp7["withheld"]]
    assert "leave" not in [section["code"] for section in kp7["sections"]]
    assert ["personal", "salary"] == log[0]["kinds"]


def test_each_read_is_in_the_access_log(client: TestClient, world: ProjectionWorld) -> None:
    """The HR officer's read is in the owner's log, health included, once per read."""
    hr = login(client, world.kit.hr)
    client.get(f"/records/{world.records['r1']}", headers=hr)
    client.get(f"/records/{world.records['r1']}", params={"valid_on": "2019-05-01"}, headers=hr)

    log = client.get("/me/access-log", headers=login(client, record_owner(world, "r1"))).json()

    assert [(world.kit.hr.cid, "GET /records/{stream_id}")] * 2 == [
        (entry["reader_cid"], entry["endpoint"]) for entry in log
    ]
    assert ["health", "personal", "salary"] == log[0]["kinds"]
