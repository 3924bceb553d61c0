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
    assert {"code": "salary", "th": "อัตราเงินเดือน (บาท)", "value": "20000.00"} == _field(
        salary, "salary"
    )
    sick = _section(kp7, "leave")[0]
    assert ("sick", "ลาป่วย") == tuple(_field(sick, "leave_type")[k] for k in ("value", "value_th"))
    assert "03/06/2562" == _field(sick, "start")["value_be"]
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


# Finding people.


def _found(response: Any) -> list[str | None]:
    assert 200 == response.status_code, response.text
    return [person["first_name"] for person in response.json()["results"]]


def _thai_digits(cid: str) -> str:
    return cid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def test_find_by_citizen_id_typed_in_thai_digits(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A citizen ID in Thai digits with dashes finds its record; one whose check digit is wrong
    is refused, naming the rule."""
    headers = login(client, world.kit.hr)
    cid = world.kit.ledger.aggregate(world.records["r2"]).cid
    typed = f"{_thai_digits(cid[:1])}-{_thai_digits(cid[1:5])}-{cid[5:]}"
    wrong = cid[:12] + str((int(cid[12]) + 1) % 10)

    found = client.get("/records", params={"cid": typed}, headers=headers)
    refused = client.get("/records", params={"cid": wrong}, headers=headers)

    assert ["สอง"] == _found(found)
    assert (400, "bad-query") == problem(refused)
    assert "search.cid_invalid" == refused.json()["rule"]


def test_find_by_name_prefix_in_the_thai_order(client: TestClient, world: ProjectionWorld) -> None:
    """A last name's prefix finds everyone of the LAO (not the record transferred away, nor
    other LAOs'), ordered the Thai way: ส before ห, and หนึ่ง before ห้า (tone marks aside)."""
    headers = login(client, world.kit.hr)

    response = client.get("/records", params={"name": "ทดส"}, headers=headers)

    assert ["สอง", "สาม", "หนึ่ง", "ห้า"] == _found(response)
    assert {"6480101"} == {person["lao"] for person in response.json()["results"]}


def test_names_are_matched_as_people_type_them(client: TestClient, world: ProjectionWorld) -> None:
    """Tone marks, case, zero-width spaces and extra spaces do not matter; two words are the
    first and the last name; a leading vowel sorts after its consonant (เก่ง before ขวัญ)."""
    for first in ("ขวัญ", "เก่ง", "Somchai"):
        world.kit.emit(
            world.kit.hr,
            world.kit.open_record(),
            "PersonalDataRecorded",
            {"prefix": "นาย", "first_name": first, "last_name": "ค้นหา"},
        )
    headers = login(client, world.kit.hr)

    def find(name: str) -> list[str | None]:
        return _found(client.get("/records", params={"name": name}, headers=headers))

    assert ["ห้า"] == find("หา")
    assert ["สอง"] == find("  ส\u200bอง   ทด ")
    assert ["Somchai"] == find("SOMCH")
    assert ["เก่ง", "ขวัญ", "Somchai"] == find("คนหา")


def test_a_search_is_paged(client: TestClient, world: ProjectionWorld) -> None:
    """Pages of a given size, with the total; a size past the limit is refused by its rule."""
    headers = login(client, world.kit.hr)

    second = client.get("/records", params={"name": "ทดสอบ", "size": 3, "page": 2}, headers=headers)
    too_big = client.get("/records", params={"name": "ทดสอบ", "size": 500}, headers=headers)

    assert ["ห้า"] == _found(second)
    assert (2, 3, 4, 2) == tuple(second.json()[key] for key in ("page", "size", "total", "pages"))
    assert "page.out_of_range" == too_big.json()["rule"]


def test_the_province_finds_within_its_province(client: TestClient, world: ProjectionWorld) -> None:
    """The provincial officer finds the neighbour LAO's people too, and may narrow by LAO."""
    headers = login(client, world.operators["province"])

    everyone = client.get("/records", params={"name": "ทดสอบ"}, headers=headers)
    one_lao = client.get("/records", params={"name": "ทดสอบ", "lao": "6480102"}, headers=headers)

    assert "เจ็ด" in _found(everyone)
    assert ["เจ็ด"] == _found(one_lao)


def test_a_search_is_refused_to_e_plan_and_limited_for_owners(
    client: TestClient, world: ProjectionWorld
) -> None:
    """e-Plan staff search no one (403); a record owner finds only themself."""
    finance = login(client, world.operators["finance"])
    owner = login(client, record_owner(world, "r1"))

    refused = client.get("/records", params={"name": "ทดสอบ"}, headers=finance)
    own = client.get("/records", params={"name": "ทดสอบ"}, headers=owner)

    assert (403, "forbidden") == problem(refused)
    assert ["หนึ่ง"] == _found(own)


def test_each_person_found_is_in_their_access_log(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A search logs every record it returned, and none it did not."""
    hr = login(client, world.kit.hr)
    client.get("/records", params={"name": "หน"}, headers=hr)
    client.get("/records", params={"name": "สอง"}, headers=hr)

    one = client.get("/me/access-log", headers=login(client, record_owner(world, "r1"))).json()
    two = client.get("/me/access-log", headers=login(client, record_owner(world, "r2"))).json()

    assert [("GET /records", ["personal"])] == [(e["endpoint"], e["kinds"]) for e in one]
    assert 1 == len(two)


def test_unknown_query_parameters_are_refused(client: TestClient, world: ProjectionWorld) -> None:
    """``/registry?cid=`` used to answer everyone; now an unknown parameter is a 400 naming the
    rule and the parameters the endpoint takes; a search needs a citizen ID or a name."""
    headers = login(client, world.kit.hr)

    registry = client.get("/registry", params={"cid": "1"}, headers=headers)
    records = client.get("/records", params={"nmae": "สอง"}, headers=headers)
    nothing = client.get("/records", headers=headers)

    assert (400, "bad-query") == problem(registry)
    assert "query.unknown_parameter" == registry.json()["rule"]
    assert "valid_on" in registry.json()["detail"]
    assert "query.unknown_parameter" == records.json()["rule"]
    assert "search.no_criterion" == nothing.json()["rule"]


def test_the_audit_trail_withholds_health_values_from_the_province(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The audit trail shows each event's data; a reader without health rights (the province)
    sees the leave types and sick leave withheld, the HR officer sees them, and the owner's
    access log says which read health data."""
    path = f"/registry/{world.records['r1']}/audit"
    province = client.get(path, headers=login(client, world.operators["province"])).json()
    hr = client.get(path, headers=login(client, world.kit.hr)).json()
    log = client.get("/me/access-log", headers=login(client, record_owner(world, "r1"))).json()

    def leave(trail: list[dict[str, Any]]) -> list[Any]:
        return [row["data"]["leave_type"] for row in trail if row["type"] == "LeaveTaken"]

    assert ["ไม่เปิดเผย / withheld"] * 2 == leave(province)
    assert ["sick", "vacation"] == leave(hr)
    assert [["health", "personal", "salary"], ["personal", "salary"]] == sorted(
        entry["kinds"] for entry in log
    )
