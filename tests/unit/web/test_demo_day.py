"""The demo as ``make demo`` leaves it has something on each operator's pages: located e-Plan
projects for the map (lines and points in Tak), the record owner enrolled for her own record,
the Nakhon Phanom LAO's latest cycle still 2562 (the dashboards and the system's process read
it) beside the earlier rounds ``cli.demo.day`` leaves open, and retirements and a budget in the
years the pages show by default today."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.demo import day as demo_day
from cli.demo.loader import demo_cid, record_stream
from ledger.application import Ledger
from ledger.domain.certification import CertificationCycle, certification_stream_id
from ledger.domain.dates import thai_today
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.rules import fiscal_year
from ledger.settings import LedgerSettings
from tests.unit.web.demo_world import (
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    operator_key,
)
from tests.unit.web.web_kit import log_in


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """The web app over the demo's copy."""
    with demo_client(settings, ledger, day=None) as test_client:
        yield test_client


def test_the_map_has_located_tak_projects(client: TestClient, demo: DemoFiles) -> None:
    """The planner's GeoJSON holds the engineer's located projects: roads as lines, buildings
    as points, every one inside Tak's bounds."""
    log_in(client, operator_key(demo, "planning-tak"))

    response = client.get("/app/eplan/projects.geojson")

    assert 200 == response.status_code, response.text
    features = json.loads(response.content)["features"]
    kinds = {feature["geometry"]["type"] for feature in features}
    assert {"LineString", "Point"} == kinds
    assert len(features) > 60
    points = [
        point
        for feature in features
        for point in (
            [feature["geometry"]["coordinates"]]
            if feature["geometry"]["type"] == "Point"
            else feature["geometry"]["coordinates"]
        )
    ]
    assert all(98.0 < lon < 99.5 and 15.8 < lat < 17.5 for lon, lat in points)


def test_the_owner_and_the_rounds_are_as_the_day_says(ledger: Ledger) -> None:
    """The owner's request is on her own record, signed with her citizen ID; round 2561 is
    back in draft with the head's reason, 2560 submitted, and 2562 is still the latest."""
    record = ledger.aggregate(record_stream(demo_day.OWNER_RECORD))
    returned = ledger.aggregate(certification_stream_id(LAO, demo_day.RETURNED_ROUND))
    waiting = ledger.aggregate(certification_stream_id(LAO, demo_day.HEAD_ROUND))

    assert isinstance(record, PersonnelRecord)
    assert demo_cid(demo_day.OWNER_RECORD) == record.cid
    assert [demo_day.OWNER_PROPOSAL] == [r.proposal for r in record.change_requests.values()]
    assert isinstance(returned, CertificationCycle)
    assert ("draft", demo_day.RETURN_REASON) == (returned.state, returned.returns[-1][2])
    assert isinstance(waiting, CertificationCycle)
    assert "submitted" == waiting.state
    assert max(demo_day.HEAD_ROUND, demo_day.RETURNED_ROUND) < "2562"


def test_the_days_of_today_have_retirements_and_a_budget(
    client: TestClient, demo: DemoFiles
) -> None:
    """On a day of FY2570 the home page lists the two staff retiring in FY2570-2571, and the
    Section 35 dashboard of the year the demo was loaded in has the LAO's budget."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    home = client.get("/app/", params={"as_of": "4/12/2569"}).text
    section35 = client.get("/app/dashboards/section35").text

    assert "ปีงบประมาณ 2570–2571" in home
    assert "นางทดลองใจ สมมติพร" in home
    assert "นายลองใจ ทดสอบพงษ์" in home
    assert "30 ก.ย. 2571" in home
    assert f"{Decimal(demo_day.BUDGET):,.2f}" in section35
    assert f"ปีงบประมาณ {fiscal_year(thai_today())}" in section35
