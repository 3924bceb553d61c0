"""``POST /records/search``: the citizen ID or name in a JSON body, not the URL (PDPA), the same
answer, rules and access log as ``GET /records``, which stays for old clients."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.projection_world import ProjectionWorld, build_projection_world, record_owner
from tests.unit.api.http_kit import login, problem


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    """The projection world on the API's ledger."""
    return build_projection_world(kit)


def _names(response: object) -> list[str | None]:
    assert 200 == response.status_code, response.text  # type: ignore[attr-defined]
    return [person["first_name"] for person in response.json()["results"]]  # type: ignore[attr-defined]


def test_a_citizen_id_in_the_body_finds_as_the_query_did(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The body's citizen ID finds the same person as ``GET /records?cid=``."""
    headers = login(client, world.kit.hr)
    cid = world.kit.ledger.aggregate(world.records["r2"]).cid

    posted = client.post("/records/search", json={"cid": cid}, headers=headers)
    queried = client.get("/records", params={"cid": cid}, headers=headers)

    assert ["สอง"] == _names(posted)
    assert queried.json() == posted.json()


def test_a_name_in_the_body_is_paged_and_narrowed_by_the_query(
    client: TestClient, world: ProjectionWorld
) -> None:
    """Name, page and size in the body; the province officer narrows by ``lao`` in the query."""
    hr = login(client, world.kit.hr)
    province = login(client, world.operators["province"])

    second = client.post(
        "/records/search", json={"name": "ทดสอบ", "size": 3, "page": 2}, headers=hr
    )
    one_lao = client.post(
        "/records/search", params={"lao": "6480102"}, json={"name": "ทดสอบ"}, headers=province
    )

    assert ["ห้า"] == _names(second)
    assert (2, 3, 4) == (second.json()["page"], second.json()["size"], second.json()["total"])
    assert ["เจ็ด"] == _names(one_lao)


def test_the_posted_search_keeps_the_rules(client: TestClient, world: ProjectionWorld) -> None:
    """A wrong check digit, no criterion and an unknown field are refused; e-Plan staff are 403."""
    hr = login(client, world.kit.hr)
    cid = world.kit.ledger.aggregate(world.records["r2"]).cid
    wrong = cid[:12] + str((int(cid[12]) + 1) % 10)

    bad_cid = client.post("/records/search", json={"cid": wrong}, headers=hr)
    nothing = client.post("/records/search", json={}, headers=hr)
    unknown = client.post("/records/search", json={"nmae": "สอง"}, headers=hr)
    finance = client.post(
        "/records/search",
        json={"name": "ทดสอบ"},
        headers=login(client, world.operators["finance"]),
    )

    assert "search.cid_invalid" == bad_cid.json()["rule"]
    assert (400, "bad-query") == problem(nothing)
    assert (400, "malformed-request") == problem(unknown)
    assert (403, "forbidden") == problem(finance)


def test_each_person_found_by_post_is_in_their_access_log_without_the_query(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The access log names the endpoint by its route, never the citizen ID searched for."""
    hr = login(client, world.kit.hr)
    cid = world.kit.ledger.aggregate(world.records["r1"]).cid
    client.post("/records/search", json={"cid": cid}, headers=hr)
    client.get("/records", params={"cid": cid}, headers=hr)

    owner = login(client, record_owner(world, "r1"))
    log = client.get("/me/access-log", headers=owner).json()

    assert ["GET /records", "POST /records/search"] == sorted(e["endpoint"] for e in log)
    assert cid not in str([e["endpoint"] for e in log])
