"""LAOs and positions by their natural keys over HTTP: the DLA code and the position number."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from ledger.domain.positions import position_stream_id
from projections.personal import WITHHELD
from tests import domain_data as d
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
    assert (WITHHELD, WITHHELD) == (held["holder"], held["holder_since"])
    assert str(world.records["r1"]) not in str(held)
    assert (403, "forbidden") == problem(refused)
    assert [] == log


def positions_csv(
    client: TestClient, headers: dict[str, str], lang: str = "th"
) -> list[dict[str, str]]:
    found = client.get("/positions", params={"format": "csv", "lang": lang}, headers=headers)
    assert 200 == found.status_code
    return list(csv.DictReader(io.StringIO(found.content.decode("utf-8-sig"))))


def test_the_positions_report_withholds_holders_from_roles_that_do_not_read_them(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A finance officer sees which positions are occupied, not who holds them nor since when:
    a holder's record id is the person's key elsewhere (in JSON and in the CSV alike)."""
    finance = login(client, world.operators["finance"])
    r1 = str(world.records["r1"])

    rows = client.get("/positions", headers=finance).json()
    lines = positions_csv(client, finance)

    held = next(row for row in rows if row["number"] == "P-1")
    line = next(line for line in lines if line["เลขที่ตำแหน่ง"] == "P-1")
    assert ("occupied", WITHHELD, WITHHELD) == (
        held["status"],
        held["holder"],
        held["holder_since"],
    )
    assert (WITHHELD, WITHHELD) == (line["ผู้ครองตำแหน่ง"], line["ครองตั้งแต่"])
    assert r1 not in str(rows)
    assert r1 not in str(lines)
    vacant = next(row for row in rows if row["number"] == "P-2")
    assert (None, None) == (vacant["holder"], vacant["holder_since"])


def test_an_unnamed_holder_reads_as_the_pages_say_it(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The HR officer reads P-1's holder by name, and a holder whose record has no name yet as
    ``(ยังไม่มีชื่อ)`` (``(no name yet)`` in English), never as a record id."""
    kit = world.kit
    unnamed = kit.open_record()
    assigned = {"record": str(unnamed), "order": d.order("45/2562")}
    kit.emit(kit.hr, position_stream_id("6480101", "P-4"), "PositionHolderAssigned", assigned)
    hr = login(client, kit.hr)

    thai = {line["เลขที่ตำแหน่ง"]: line for line in positions_csv(client, hr)}
    english = {line["Position no."]: line for line in positions_csv(client, hr, "en")}

    assert "นายหนึ่ง ทดสอบ" == thai["P-1"]["ผู้ครองตำแหน่ง"]
    assert ("(ยังไม่มีชื่อ)", "(no name yet)") == (
        thai["P-4"]["ผู้ครองตำแหน่ง"],
        english["P-4"]["Holder"],
    )
    assert str(unnamed) not in str(thai["P-4"])
