"""e-Plan over HTTP: plans, projects with their money, subsidies, the map; by role and scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.domain.eplan import PlanProject
from ledger.domain.eplan_execution import approved_budget, contracted
from ledger.domain.permissions import Role, province_scope
from tests.eplan_world import add_eplan
from tests.ledger_kit import LedgerKit
from tests.projection_world import TAK, ProjectionWorld, build_projection_world
from tests.unit.api.http_kit import login, problem


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    built = build_projection_world(kit)
    add_eplan(built)
    return built


def _get(client: TestClient, headers: dict[str, str], path: str, **query: Any) -> Any:
    response = client.get(path, headers=headers, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_project_amounts_add_up_against_the_events(
    client: TestClient, world: ProjectionWorld
) -> None:
    """Each project's budget, contracts and payments are the ledger's own sums, as decimal
    strings ("80000.00", as the README says money is written), never JSON numbers."""
    headers = login(client, world.operators["finance"])

    listed = _by_id(_get(client, headers, "/projects", size=500)["items"])

    for name in ("a", "b", "c"):
        project = world.kit.ledger.aggregate(world.projects[name])
        assert isinstance(project, PlanProject)
        item = listed[str(project.id)]
        assert (
            Decimal(item["budget"]),
            Decimal(item["contracted"]),
            Decimal(item["disbursed"]),
        ) == (approved_budget(project), contracted(project), project.disbursed)
    a, b = listed[str(world.projects["a"])], listed[str(world.projects["b"])]
    assert ("completed", "ดำเนินการแล้วเสร็จ", 100) == (a["status"], a["status_th"], a["progress"])
    assert ("80000.00", "30000.00", "50000.00", 40) == (
        b["budget"],
        b["disbursed"],
        b["carried_over"],
        b["progress"],
    )
    assert ("carried_over", 2563) == (b["status"], b["fiscal_year"])
    assert ("01/08/2562", True) == (b["progress_on_th"], b["located"])


def test_a_project_page_lists_every_money_line(client: TestClient, world: ProjectionWorld) -> None:
    headers = login(client, world.operators["finance"])

    page = _get(client, headers, f"/projects/{world.projects['a']}")

    assert ["budget", "contract", "disbursement"] == [line["kind"] for line in page["money"]]
    budget, contract, paid = page["money"]
    assert (2562, "100000.00", "รายได้ของ อปท.") == (
        budget["fiscal_year"],
        budget["amount"],
        budget["source_th"],
    )
    assert ("7/2562", "15/01/2562", "95000.00") == (
        contract["contract_no"],
        contract["on_th"],
        contract["amount"],
    )
    assert (2562, "01/03/2562") == (paid["fiscal_year"], paid["on_th"])
    assert {"type": "Point", "coordinates": [104.78, 17.41]} == page["geometry"]


def test_projects_download_as_csv(client: TestClient, world: ProjectionWorld) -> None:
    """A list downloads as CSV: Thai headings, one line per project, its amounts as plain
    numbers."""
    headers = login(client, world.operators["finance"])

    response = client.get("/projects", headers=headers, params={"format": "csv"})

    assert response.headers["content-type"].startswith("text/csv")
    header, *lines = response.content.decode("utf-8-sig").splitlines()
    assert {"เลขอ้างอิงระบบ", "ชื่อ", "สถานะ", "งบประมาณ (บาท)", "เบิกจ่ายแล้ว (บาท)"} <= set(
        header.split(",")
    )
    assert 4 == len(lines)
    assert "party" not in header


def test_the_fiscal_year_filter(client: TestClient, world: ProjectionWorld) -> None:
    """A project is in every year it is planned, budgeted or carried into; Thai digits read."""
    headers = login(client, world.operators["finance"])
    p = world.projects

    def ids(year: str) -> set[str]:
        return set(_by_id(_get(client, headers, "/projects", fiscal_year=year)["items"]))

    assert {str(p["a"]), str(p["b"]), str(p["d"])} == ids("2562")
    assert {str(p["a"]), str(p["b"]), str(p["c"])} == ids("2563")
    assert {str(p["c"])} == ids("๒๕๖๔")
    assert set() == ids("2565")


def test_a_list_of_a_fiscal_year_names_the_year_of_each_project(
    client: TestClient, world: ProjectionWorld
) -> None:
    """Asked for FY2562, each item has a fiscal year: its money's (b was carried into 2563), or
    2562 for a project only planned in it (d), never null; the map's features alike; and no
    amount is a JSON number."""
    headers = login(client, world.operators["finance"])

    listed = _by_id(_get(client, headers, "/projects", fiscal_year=2562)["items"])
    mapped = _get(client, headers, "/projects.geojson", fiscal_year=2562)["features"]
    everything = _by_id(_get(client, headers, "/projects")["items"])

    years = {name: listed[str(world.projects[name])]["fiscal_year"] for name in ("a", "b", "d")}
    assert {"a": 2562, "b": 2563, "d": 2562} == years
    assert everything[str(world.projects["d"])]["fiscal_year"] is None
    assert [] == [f["id"] for f in mapped if f["properties"]["fiscal_year"] is None]
    amounts = [
        item[name]
        for item in [*listed.values(), *(f["properties"] for f in mapped)]
        for name in ("budget", "contracted", "disbursed", "carried_over")
    ]
    assert amounts
    assert all(isinstance(amount, str) for amount in amounts)
    assert all(
        isinstance(p["amount"], str)
        for item in listed.values()
        for p in item["planned"]
        if p["amount"] is not None
    )


def test_projects_come_in_pages(client: TestClient, world: ProjectionWorld) -> None:
    headers = login(client, world.operators["finance"])

    first = _get(client, headers, "/projects", size=3)
    second = _get(client, headers, "/projects", size=3, page=2)

    assert (4, 4) == (first["total"], second["total"])
    assert (3, 1) == (len(first["items"]), len(second["items"]))
    assert not set(_by_id(first["items"])) & set(_by_id(second["items"]))


def test_the_map_is_geojson_longitude_first(client: TestClient, world: ProjectionWorld) -> None:
    """Located projects of the caller's province only, [lon, lat], with Thai properties."""
    headers = login(client, world.operators["finance"])

    response = client.get("/projects.geojson", headers=headers, params={"fiscal_year": 2562})

    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert "FeatureCollection" == collection["type"]
    features = {feature["id"]: feature for feature in collection["features"]}
    assert {str(world.projects["a"]), str(world.projects["b"])} == set(features)
    a = features[str(world.projects["a"])]
    assert ("Feature", "Point") == (a["type"], a["geometry"]["type"])
    longitude, latitude = a["geometry"]["coordinates"]
    assert (104.78, 17.41) == (longitude, latitude)
    assert ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ ๓", "100000.00") == (
        a["properties"]["title"],
        a["properties"]["budget"],
    )
    line = features[str(world.projects["b"])]["geometry"]
    assert [[104.78, 17.41], [104.79, 17.42]] == line["coordinates"]


def test_a_plan_page(client: TestClient, world: ProjectionWorld) -> None:
    """Vision, strategies, projects per year with the year's total, approvals, amendments."""
    headers = login(client, world.operators["planning"])

    plan = _get(client, headers, f"/plans/{world.plans['main']}")

    assert ("amending", "ชุมชนน่าอยู่", 1) == (plan["status"], plan["vision"], plan["amendment"])
    assert ["1", "2"] == [strategy["strategy"] for strategy in plan["strategies"]]
    years = {year["fiscal_year"]: year for year in plan["years"]}
    assert ("180000.00", "140000.00", "0.00") == tuple(
        years[y]["planned_total"] for y in (2562, 2563, 2564)
    )
    assert [None] == [project["planned"] for project in years[2564]["projects"]]
    assert [(0, "30/06/2562")] == [
        (approval["amendment"], approval["approved_on_th"]) for approval in plan["approvals"]
    ]
    assert [(1, "เพิ่มเติม")] == [
        (amendment["amendment_no"], amendment["kind_th"]) for amendment in plan["amendments"]
    ]


def test_plans_of_the_scope(client: TestClient, world: ProjectionWorld) -> None:
    """A province's planner lists its LAOs' plans; the LAO head only their own LAO's."""
    planning = login(client, world.operators["planning"])
    head = login(client, world.operators["head"])

    province = _get(client, planning, "/plans")
    own = _get(client, head, "/plans")

    assert {str(world.plans["main"]), str(world.plans["neighbour"])} == set(_by_id(province))
    assert [str(world.plans["main"])] == list(_by_id(own))
    main = _by_id(own)[str(world.plans["main"])]
    assert ("เทศบาลตำบลตัวอย่าง", 3, "01/10/2561") == (
        main["lao_name"],
        main["projects"],
        main["drafted_on_th"],
    )


def test_subsidies_with_their_sums(client: TestClient, world: ProjectionWorld) -> None:
    headers = login(client, world.operators["finance"])

    every = _get(client, headers, "/subsidies")
    year = _get(client, headers, "/subsidies", fiscal_year=2562)

    assert ("200000.50", "60000.00") == (every["amount"], every["disbursed"])
    assert ["lunch"] == [item["item"] for item in year["items"]]
    lunch = year["items"][0]
    assert ("disbursing", "เงินอุดหนุนทั่วไป", "การศึกษา") == (
        lunch["status"],
        lunch["kind_th"],
        lunch["sector_th"],
    )


def test_another_province_is_out_of_sight(client: TestClient, world: ProjectionWorld) -> None:
    """ตาก's plan and project are 404 to นครพนม's staff, as if they did not exist; a list asked
    for ตาก's LAO is empty, and for ตาก province refused."""
    headers = login(client, world.operators["finance"])

    plan = client.get(f"/plans/{world.plans['tak']}", headers=headers)
    project = client.get(f"/projects/{world.projects['tak']}", headers=headers)
    listed = client.get("/projects", headers=headers, params={"lao": TAK.lao})
    province = client.get("/projects", headers=headers, params={"province": TAK.province})
    record = client.get(f"/projects/{world.records['r1']}", headers=headers)

    assert (404, "stream-not-found") == problem(plan)
    assert (404, "stream-not-found") == problem(project)
    assert (404, "stream-not-found") == problem(record)
    assert (200, 0) == (listed.status_code, listed.json()["total"])
    assert (403, "forbidden") == problem(province)


def test_a_national_auditor_sees_every_province(
    client: TestClient, world: ProjectionWorld, auditor: Any
) -> None:
    headers = login(client, auditor)

    found = _get(client, headers, "/projects.geojson")

    assert str(world.projects["tak"]) in {feature["id"] for feature in found["features"]}


@pytest.mark.parametrize("path", ["/plans", "/projects", "/subsidies", "/projects.geojson"])
def test_an_hr_officer_reads_no_eplan(
    client: TestClient, world: ProjectionWorld, path: str
) -> None:
    """The read matrix gives an HR officer personnel data, not e-Plan: 403 naming the kind."""
    response = client.get(path, headers=login(client, world.kit.hr))

    assert (403, "forbidden") == problem(response)
    assert "eplan" in response.json()["detail"]


def test_bad_queries_are_400(client: TestClient, world: ProjectionWorld) -> None:
    headers = login(client, world.operators["finance"])

    for query in ({"fiscal_year": "62"}, {"size": "0"}, {"page": "x"}):
        response = client.get("/projects", headers=headers, params=query)
        assert 400 == response.status_code, query


def test_nothing_planned_reads_empty(client: TestClient, kit: LedgerKit) -> None:
    """A ledger with no e-Plan events answers empty lists, not errors."""
    finance = kit.operator([Role.EPLAN_FINANCE], province_scope("ตาก"))
    headers = login(client, finance)

    assert {"type": "FeatureCollection", "features": []} == _get(
        client, headers, "/projects.geojson"
    )
    assert (0, []) == tuple(_get(client, headers, "/projects")[k] for k in ("total", "items"))
    assert [] == _get(client, headers, "/plans")
