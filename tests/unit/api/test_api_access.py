"""Reads limited by role and logged (PDPA): the read matrix over HTTP and the access log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.domain.permissions import Role
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.projection_world import ProjectionWorld, build_projection_world, record_owner
from tests.unit.api.http_kit import login, problem


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    """The projection world on the API's ledger."""
    return build_projection_world(kit)


def test_an_eplan_key_reads_no_record(client: TestClient, world: ProjectionWorld) -> None:
    """An e-Plan finance key of the same LAO is refused a person's record (403 naming the kind)."""
    finance = world.kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO)
    headers = login(client, finance)

    response = client.get(f"/registry/{world.records['r1']}", headers=headers)

    assert (403, "forbidden") == problem(response)
    assert "personal" in response.json()["detail"]


def test_an_owner_reads_their_own_record_and_no_other(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A record owner reads their own record; a colleague's is 404, as if it did not exist."""
    headers = login(client, record_owner(world, "r1"))

    own = client.get(f"/registry/{world.records['r1']}", headers=headers)
    colleague = client.get(f"/registry/{world.records['r2']}", headers=headers)

    assert 200 == own.status_code
    assert (404, "stream-not-found") == problem(colleague)


def test_the_owner_sees_who_read_their_record(client: TestClient, world: ProjectionWorld) -> None:
    """An HR officer's read of a record is in its owner's access log: who, which endpoint,
    which kinds; reading one's own log is not itself a read of personal data."""
    hr = login(client, world.kit.hr)
    client.get(f"/registry/{world.records['r1']}", headers=hr)
    client.get(f"/registry/{world.records['r2']}", headers=hr)
    owner = login(client, record_owner(world, "r1"))

    log = client.get("/me/access-log", headers=owner).json()

    assert [(world.kit.hr.cid, "GET /registry/{stream_id}")] == [
        (entry["reader_cid"], entry["endpoint"]) for entry in log
    ]
    assert ["personal", "salary"] == log[0]["kinds"]
