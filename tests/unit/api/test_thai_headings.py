"""Every table the API draws reads in Thai: no heading is a code name (``snake_case``).

Each read that offers ``format`` is drawn as CSV for callers who may read it (the LAO's HR
officer, an auditor, an e-Plan planner, the LAO's head), in the projection world; the first
row of each CSV is its headings.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from ledger.domain.permissions import NATIONAL, Role, province_scope
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.projection_world import ProjectionWorld, build_projection_world
from tests.unit.api.http_kit import login

CODE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
QUERY = {"fiscal_year": "2562", "cid": None}


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    return build_projection_world(kit)


def _drawn_reads(client: TestClient) -> list[tuple[str, list[str]]]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    found = []
    for path, operations in paths.items():
        params = operations.get("get", {}).get("parameters", [])
        if any(p["name"] == "format" for p in params) and "{" not in path:
            required = [p["name"] for p in params if p.get("required") and p["in"] == "query"]
            found.append((path, required))
    return found


def test_every_drawn_table_has_thai_headings(client: TestClient, world: ProjectionWorld) -> None:
    kit = world.kit
    callers = [
        login(client, kit.hr),
        login(client, kit.operator([Role.AUDITOR], NATIONAL)),
        login(client, kit.operator([Role.EPLAN_PLANNING], province_scope("นครพนม"))),
        login(client, kit.operator([Role.LAO_HEAD], NAKHON_PHANOM_LAO)),
    ]
    record = kit.ledger.aggregate(world.records["r1"])
    values = QUERY | {"cid": str(getattr(record, "cid"))}  # noqa: B009
    untranslated: dict[str, list[str]] = {}
    drawn = set()
    for path, required in _drawn_reads(client):
        params = {name: values[name] for name in required} | {"format": "csv"}
        if path == "/records":
            params["cid"] = values["cid"]
        for headers in callers:
            response = client.get(path, params=params, headers=headers)
            if response.status_code != 200:
                continue
            drawn.add(path)
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            headings = next((row for row in rows if len(row) > 1), [])
            bad = [cell for cell in headings if CODE_NAME.match(cell)]
            if bad:
                untranslated[path] = bad
            break
    assert {} == untranslated, repr(untranslated)
    assert {"/registry", "/projects", "/reports/kpi"} <= drawn
