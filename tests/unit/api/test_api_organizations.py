"""LAOs and positions by their natural keys over HTTP: the DLA code and the position number."""

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


def test_an_lao_by_its_code(client: TestClient, world: ProjectionWorld) -> None:
    """Its Thai name, province, type in Thai, and its units (the closed one last)."""
    headers = login(client, world.kit.hr)

    lao = client.get("/organizations/6480101", headers=headers).json()
    units = client.get("/organizations/6480101/units", headers=headers).json()

    assert ("เทศบาลตำบลตัวอย่าง", "นครพนม", "เทศบาลตำบล") == (
        lao["name"],
        lao["province"],
        lao["type_th"],
    )
    assert [("div-1", True), ("cdc-1", False)] == [(u["unit"], u["is_open"]) for u in lao["units"]]
    assert lao["units"] == units
    assert "ศูนย์พัฒนาเด็กเล็ก" == units[1]["kind_th"]


def test_an_lao_outside_the_scope_or_unknown_is_not_found(
    client: TestClient, world: ProjectionWorld
) -> None:
    headers = login(client, world.operators["neighbour_hr"])

    other = client.get("/organizations/6480101", headers=headers)
    unknown = client.get("/organizations/6489999/positions/P-1", headers=headers)
    malformed = client.get("/organizations/648", headers=headers)

    assert (404, "snapshot-not-found") == problem(other)
    assert 404 == unknown.status_code
    assert 400 == malformed.status_code


def test_a_position_and_its_occupant(client: TestClient, world: ProjectionWorld) -> None:
    """The HR officer sees who holds P-1, and the read is in the occupant's access log; a
    vacant position has no occupant; a number the frame lacks is 404."""
    headers = login(client, world.kit.hr)

    held = client.get("/organizations/6480101/positions/P-1", headers=headers).json()
    vacant = client.get("/organizations/6480101/positions/P-2", headers=headers).json()
    missing = client.get("/organizations/6480101/positions/P-9", headers=headers)
    log = client.get("/me/access-log", headers=login(client, record_owner(world, "r1"))).json()

    assert ("occupied", "หนึ่ง") == (held["status"], held["occupant"]["first_name"])
    assert (None, False) == (vacant["occupant"], vacant["occupant_withheld"])
    assert (404, "snapshot-not-found") == problem(missing)
    assert ["GET /organizations/{code}/positions/{number}"] == [e["endpoint"] for e in log]


def test_e_plan_staff_see_the_position_but_not_its_occupant(
    client: TestClient, world: ProjectionWorld
) -> None:
    """Workforce figures are theirs, people are not: the occupant is withheld and nothing is
    logged; a record owner reads no frame (403)."""
    planning = login(client, world.operators["planning"])
    owner = record_owner(world, "r1")

    held = client.get("/organizations/6480101/positions/P-1", headers=planning).json()
    refused = client.get("/organizations/6480101/positions/P-1", headers=login(client, owner))
    log = client.get("/me/access-log", headers=login(client, owner)).json()

    assert (None, True) == (held["occupant"], held["occupant_withheld"])
    assert ("P-1", "occupied") == (held["number"], held["status"])
    assert (403, "forbidden") == problem(refused)
    assert [] == log
