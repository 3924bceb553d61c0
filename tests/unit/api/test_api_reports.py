"""The registry and the reports over HTTP: JSON, CSV and XLSX, confined to the caller's scope."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests import domain_data as d
from tests.ledger_kit import LedgerKit, Operator
from tests.projection_world import LAO, NEIGHBOUR, TAK, ProjectionWorld, build_projection_world
from tests.unit.api.http_kit import body, login, problem


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    """The projection world on the API's ledger."""
    return build_projection_world(kit)


def test_registry_needs_a_session(client: TestClient, world: ProjectionWorld) -> None:
    """Without a bearer token the registry answers 401."""
    response = client.get("/registry")

    assert (401, "missing-token") == problem(response)


def test_national_caller_sees_every_record(
    client: TestClient, world: ProjectionWorld, auditor: Operator
) -> None:
    """An auditor (national scope) reads every record, and may narrow to a province."""
    headers = login(client, auditor)

    everyone = client.get("/registry", headers=headers).json()
    tak = client.get("/registry", params={"province": "ตาก"}, headers=headers).json()

    assert {str(s) for s in world.records.values()} == {row["stream"] for row in everyone}
    assert {str(world.records["r4"]), str(world.records["r6"])} == {row["stream"] for row in tak}


def test_lao_caller_sees_only_its_lao(client: TestClient, world: ProjectionWorld) -> None:
    """The LAO's HR officer reads its own LAO's records; another province is 403."""
    headers = login(client, world.kit.hr)

    mine = client.get("/registry", headers=headers).json()
    elsewhere = client.get("/registry", params={"province": "ตาก"}, headers=headers)

    assert {LAO.lao} == {row["lao"] for row in mine}
    assert (403, "forbidden") == problem(elsewhere)


def test_province_caller_sees_its_laos(
    client: TestClient, world: ProjectionWorld, provincial_officer: Operator
) -> None:
    """A provincial officer reads the KPIs of the province's LAOs, and not another's."""
    headers = login(client, provincial_officer)

    kpi = client.get("/reports/kpi", headers=headers).json()
    other = client.get("/reports/kpi", params={"province": "ตาก"}, headers=headers)

    assert {LAO.lao, NEIGHBOUR.lao} == {row["lao"] for row in kpi["laos"]}
    assert ["นครพนม"] == [row["province"] for row in kpi["provinces"]]
    assert 66.67 == next(row["percent"] for row in kpi["laos"] if row["lao"] == LAO.lao)
    assert (403, "forbidden") == problem(other)


def test_a_record_as_of_a_date(client: TestClient, world: ProjectionWorld) -> None:
    """A record now, and as of a valid date before its transfer (another LAO held it then)."""
    headers = login(client, world.kit.other_hr)
    stream = world.records["r4"]

    now = client.get(f"/registry/{stream}", headers=headers).json()
    before = client.get(
        f"/registry/{stream}", params={"valid_on": "2019-10-01"}, headers=headers
    ).json()

    assert (TAK.lao, LAO.lao) == (now["lao"], before["lao"])
    assert "2019-10-01" == before["valid_on"]


@pytest.mark.parametrize(
    "valid_on", ["01/10/2562", "๐๑/๑๐/๒๕๖๒", "1 ต.ค. 2562", "1 ตุลาคม พ.ศ. 2562"]
)
def test_as_of_dates_are_read_in_the_buddhist_era(
    client: TestClient, world: ProjectionWorld, valid_on: str
) -> None:
    """A date query written in the Buddhist era, Thai digits or Thai month names reads as the
    same day as its ISO form."""
    headers = login(client, world.kit.other_hr)
    stream = world.records["r4"]

    before = client.get(f"/registry/{stream}", params={"valid_on": valid_on}, headers=headers)

    assert "2019-10-01" == before.json()["valid_on"]


def test_a_two_digit_year_in_a_query_is_refused(client: TestClient, world: ProjectionWorld) -> None:
    """``1/10/62`` is refused with 400 naming the rule, never read as the year 62."""
    headers = login(client, world.kit.other_hr)

    response = client.get("/registry", params={"valid_on": "1/10/62"}, headers=headers)

    assert (400, "malformed-request") == problem(response)
    assert "date.two_digit_year" in response.json()["detail"]


def test_a_record_as_of_a_transaction_time(client: TestClient, world: ProjectionWorld) -> None:
    """As the ledger knew it at a moment: a salary line recorded after it is not there yet."""
    headers = login(client, world.kit.hr)
    stream = world.records["r1"]
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    world.kit.emit(
        world.kit.hr,
        stream,
        "PositionSalaryEntryAdded",
        d.salary_entry("26000.00"),
        effective=date(2019, 10, 1),
    )

    then = client.get(
        f"/registry/{stream}", params={"recorded_at": moment.isoformat()}, headers=headers
    ).json()
    now = client.get(f"/registry/{stream}", headers=headers).json()

    assert ("20000.00", "26000.00") == (then["salary"], now["salary"])


def test_reads_see_the_callers_own_writes(client: TestClient, world: ProjectionWorld) -> None:
    """A statement accepted by POST /statements shows in the next read."""
    headers = login(client, world.kit.hr)
    stream = world.records["r5"]
    signed = world.kit.sign(
        world.kit.hr, stream=stream, type="NameChanged", data=d.ENTRY_DATA["NameChanged"]
    )

    assert 201 == client.post("/statements", json=body(signed)).status_code
    record = client.get(f"/registry/{stream}", headers=headers).json()

    assert "สมมุติ" == record["first_name"]


def test_audit_trail_of_a_record(client: TestClient, world: ProjectionWorld) -> None:
    """Every event with actor, roles, both times, legal reference, verified signature."""
    headers = login(client, world.kit.hr)
    stream = world.records["r2"]

    trail = client.get(f"/registry/{stream}/audit", headers=headers).json()

    expected = [event.type for event in world.kit.ledger.stream_events(stream)]
    assert expected == [entry["type"] for entry in trail]
    assert {"verified"} == {entry["signature"] for entry in trail}
    assert {("lao_hr_officer",)} == {tuple(entry["roles"]) for entry in trail}
    assert "20/2562" == next(
        e["legal_ref"]["number"] for e in trail if e["type"] == "EmploymentStarted"
    )


def test_audit_trail_of_another_lao_is_not_found(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A record held by another LAO is out of the caller's scope: 404, as if it did not exist
    (a caller learns nothing of records outside their share)."""
    headers = login(client, world.kit.other_hr)

    response = client.get(f"/registry/{world.records['r1']}/audit", headers=headers)
    missing = client.get(f"/registry/{uuid.uuid4()}/audit", headers=headers)

    assert (404, "stream-not-found") == problem(response) == problem(missing)


def test_csv_download(client: TestClient, world: ProjectionWorld, auditor: Operator) -> None:
    """?format=csv answers a UTF-8 CSV attachment: a Thai header line, then one line per row."""
    headers = login(client, auditor)

    response = client.get("/registry", params={"format": "csv"}, headers=headers)

    assert "text/csv; charset=utf-8" == response.headers["content-type"]
    assert 'attachment; filename="registry.csv"' == response.headers["content-disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ชื่อ-สกุล,เลขประจำตัวประชาชน,ประเภทบุคลากร")
    assert len(world.records) + 1 == len(lines)


def test_xlsx_download(client: TestClient, world: ProjectionWorld, auditor: Operator) -> None:
    """?format=xlsx answers a workbook whose first row names the columns, then the LAOs and a
    totals row."""
    headers = login(client, auditor)

    response = client.get("/reports/kpi", params={"format": "xlsx"}, headers=headers)

    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert ("อปท.", "จังหวัด") == tuple(cell.value for cell in sheet[1][:2])
    assert 5 == sheet.max_row  # the header, three LAOs and the totals


def test_eplan_status_formats(
    client: TestClient, world: ProjectionWorld, auditor: Operator
) -> None:
    """The e-Plan table as JSON, CSV (the Tak layout) and Thai HTML."""
    headers = login(client, auditor)
    params = {"province": "นครพนม", "fiscal_year": 2562, "as_of": "2019-12-31"}

    table = client.get("/reports/eplan-status", params=params, headers=headers).json()
    csv_text = client.get(
        "/reports/eplan-status", params=params | {"format": "csv"}, headers=headers
    ).content.decode("utf-8-sig")
    page = client.get("/reports/eplan-status", params=params | {"format": "html"}, headers=headers)

    assert [2, 2, 1] == table["rows"][0]["plan_projects"]
    assert "รวม 2 อปท.,1,3,2,2,1,1,2,1,1,1" in csv_text
    assert "ข้อมูล ณ 31/12/2562" in csv_text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="th">' in page.text


def test_eplan_status_needs_a_province_for_national_callers(
    client: TestClient, world: ProjectionWorld, auditor: Operator
) -> None:
    """A national caller names the province; without it the request is malformed."""
    headers = login(client, auditor)

    response = client.get("/reports/eplan-status", params={"fiscal_year": 2562}, headers=headers)

    assert (400, "malformed-request") == problem(response)


def test_section35_names_its_formula(
    client: TestClient, world: ProjectionWorld, auditor: Operator
) -> None:
    """Each Section 35 row names the formula that computed it; the formulas are listed."""
    headers = login(client, auditor)

    answer = client.get("/reports/section35", params={"fiscal_year": 2563}, headers=headers).json()

    assert {"s35-v1"} == {row["formula"] for row in answer["laos"]}
    assert "s35-v1" in answer["formulas"]
    main = next(row for row in answer["laos"] if row["lao"] == LAO.lao)
    assert ("2000000.00", "0.40") == (main["budget"], main["limit"])


@pytest.mark.parametrize(
    ("path", "params", "count"),
    [
        # On 20 August 2562 the LAO's certification (recorded later) was not done yet.
        ("/reports/overdue", {"as_of": "2019-08-20"}, 3),
        ("/reports/certification", {}, 2),
        ("/reports/certification/records", {}, 6),
        ("/reports/retirements", {"first_year": 2563, "last_year": 2567}, 3),
        ("/positions", {"province": "นครพนม"}, 5),
        ("/positions/occupancy", {}, 1),
        ("/organizations", {}, 3),
    ],
)
def test_other_reports_answer_rows(
    client: TestClient,
    world: ProjectionWorld,
    auditor: Operator,
    path: str,
    params: dict[str, object],
    count: int,
) -> None:
    """Each report answers its rows as JSON for a national caller."""
    headers = login(client, auditor)

    response = client.get(path, params=params, headers=headers)

    assert 200 == response.status_code, response.text
    assert count == len(response.json())


def test_the_leave_report_is_for_the_roles_that_read_health(
    client: TestClient, world: ProjectionWorld, auditor: Operator
) -> None:
    """Leave types reveal health: the LAO's HR officer reads the report, a national auditor
    (who reads records, not health) is refused with the kind named."""
    kept = client.get("/reports/leave", headers=login(client, world.kit.hr))
    refused = client.get("/reports/leave", headers=login(client, auditor))

    assert 200 == kept.status_code, kept.text
    assert 2 == len(kept.json())
    assert 403 == refused.status_code
    assert "health" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/registry", {"status": "foo"}),
        ("/registry", {"category": "สมมติ"}),
        ("/reports/kpi", {"cycle": "abc"}),
        ("/reports/certification", {"cycle": "25620"}),
    ],
)
def test_an_unknown_filter_value_is_refused_not_ignored(
    client: TestClient, world: ProjectionWorld, path: str, params: dict[str, str]
) -> None:
    """A status, category or cycle no record can have is a 400 naming the parameter, not an
    empty 200 that reads as "nobody"."""
    headers = login(client, world.kit.hr)

    response = client.get(path, params=params, headers=headers)

    assert 400 == response.status_code
    assert next(iter(params)) in response.text


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"first_year": 2600, "last_year": 2500}, "(2500)"),
        ({"last_year": 2500}, "(2500)"),  # before this fiscal year, the default first year
    ],
)
def test_a_reversed_range_of_years_is_refused(
    client: TestClient,
    world: ProjectionWorld,
    auditor: Operator,
    params: dict[str, int],
    shown: str,
) -> None:
    """Retirements from 2600 to 2500 would answer [] as if nobody retired: refused 400 with
    query.range_reversed on last_year, naming both years in Thai and English."""
    response = client.get("/reports/retirements", params=params, headers=login(client, auditor))

    assert (400, "bad-query") == problem(response)
    (error,) = response.json()["errors"]
    assert ("query.range_reversed", "query.last_year") == (error["rule"], error["field"])
    assert "first_year" in error["en"]
    assert shown in error["en"]
    assert "ช่วงกลับด้าน" in error["th"]
