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
from web.drafts import draft_statement


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
    """The owner's request is on her own record, which she is enrolled by, signed with no
    citizen ID; round 2561 is back in draft with the head's reason, 2560 submitted, and 2562
    is still the latest."""
    stream = record_stream(demo_day.OWNER_RECORD)
    record = ledger.aggregate(stream)
    [request] = [e for e in ledger.stream_events(stream) if e.type == "ChangeRequestedByOwner"]
    signer = json.loads(request.statement)["signer"]
    enrolment = ledger.enrolment_for(signer["key"])
    assert None is signer["cid"]
    assert enrolment is not None
    assert (None, stream) == (enrolment.cid, enrolment.record)
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


def test_the_owner_logs_in_and_reads_only_her_own_record(
    client: TestClient, demo: DemoFiles
) -> None:
    """The demo's record owner, enrolled by record 103, logs in with her key: she reads that
    record and no other (another's is the 404 page, as for a record outside a scope). Her
    menu and home page link to her record and to the change request form; her record lists
    her request, waiting for HR."""
    log_in(client, operator_key(demo, demo_day.OWNER))
    stream = record_stream(demo_day.OWNER_RECORD)

    own = client.get(f"/app/records/{stream}")
    other = client.get(f"/app/records/{record_stream(101)}")
    home = client.get("/app/").text

    assert 200 == own.status_code, own.text
    assert 404 == other.status_code
    assert f'href="/app/records/{stream}" id="nav-own-record"' in home
    assert f'href="/app/records/{stream}/new/ChangeRequestedByOwner"' in home
    assert 'id="change-request-link"' in own.text
    assert demo_day.OWNER_PROPOSAL in own.text
    assert "รอเจ้าหน้าที่พิจารณา" in own.text
    assert 'id="change-request-link"' not in other.text


def test_the_owners_draft_names_no_citizen_id_and_would_be_admitted(ledger: Ledger) -> None:
    """The web application's draft for the owner's key is v2 with a null signer cid, and the
    ledger's dry run takes it (her own record, her key enrolled by it)."""
    stream = record_stream(demo_day.OWNER_RECORD)
    [request] = [e for e in ledger.stream_events(stream) if e.type == "ChangeRequestedByOwner"]
    enrolment = ledger.enrolment_for(json.loads(request.statement)["signer"]["key"])
    assert enrolment is not None
    data = {"section": "general", "proposal": "ขอแก้ไขที่อยู่ตามทะเบียนบ้านใหม่"}

    made = draft_statement(ledger, stream, "ChangeRequestedByOwner", data, thai_today(), enrolment)

    assert (2, None) == (made.statement.v, made.statement.signer.cid)
    assert b'"signer":{"cid":null,' in made.statement.canonical_bytes()
    ledger.check_draft(made.statement, made.disclosures_json())


def test_the_owners_form_asks_no_date_and_her_requests_follow_the_language(
    client: TestClient, demo: DemoFiles
) -> None:
    """Her request form shows today (Buddhist era) instead of an effective date to type and
    offers only her ก.พ.๗'s sections; on the English switch her record names the section of
    her request in English."""
    log_in(client, operator_key(demo, demo_day.OWNER))
    stream = record_stream(demo_day.OWNER_RECORD)

    form = client.get(f"/app/records/{stream}/new/ChangeRequestedByOwner").text
    assert 'name="effective"' not in form
    assert f"{thai_today().year + 543}</span>" in form
    assert 'value="general"' in form
    for section in ("structure", "frame", "documents", "employment"):
        assert f'value="{section}"' not in form

    client.cookies.set("lang", "en")
    english = client.get(f"/app/records/{stream}").text
    requests = english[english.index('id="change-requests"') :]
    assert "ข้อมูลทั่วไป" not in requests.split("</section>")[0]
    assert "General" in requests.split("</section>")[0]
