"""The HR officer's home page on the demo's LAO: the certification status, a returned submission
and its reason, records incomplete for the KPI with a link to each missing section's form, and
retirements coming with Buddhist-era dates; every person named is logged as read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from cli.demo import day as demo_day
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.unit.web.demo_world import (
    RETURN_REASON,
    DemoFiles,
    demo_client,
    demo_settings,
    make_returned,
    operator_key,
)
from tests.unit.web.web_kit import (
    answer,
    log_in,
    page_request,
    server_request,
)


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """The web app over the demo's copy, its day pinned to 15 January 2563."""
    with demo_client(settings, ledger) as test_client:
        yield test_client


def _items(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<li class="{css_class}"[^>]*>(.*?)</li>', html, flags=re.S)


def _cycle_items(html: str, css_class: str, cycle: str) -> list[str]:
    """The items of ``css_class`` about cycle ``cycle`` (their ``data-cycle``)."""
    pattern = rf'<li class="{css_class}"[^>]*data-cycle="{cycle}"[^>]*>(.*?)</li>'
    return re.findall(pattern, html, flags=re.S)


def test_the_home_page_lists_what_the_officer_has_to_do(
    client: TestClient, demo: DemoFiles
) -> None:
    """Incomplete records name what each lacks (linking to its form) and the retirements of
    FY2563-2564 show their days in the Buddhist era; the cycle's state is shown in Thai."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/").text

    assert "เทศบาลตำบลตัวอย่าง" in html
    assert 'data-state="province_verified"' in html
    assert "สถ.จ. ตรวจสอบและรับรองแล้ว" in html
    incomplete = _items(html, "todo-incomplete")
    assert 2 == len(incomplete)
    assert any("นางสาวลองดู สมมุติสุข" in item and "ประวัติการศึกษา" in item for item in incomplete)
    assert any("/new/PersonalDataRecorded" in item for item in incomplete)
    retiring = _items(html, "todo-retiring")
    assert ["30 ก.ย. 2563", "30 ก.ย. 2564", "30 ก.ย. 2564"] == [
        re.search(r'retirement-date">([^<]+)<', item).group(1)  # type: ignore[union-attr]
        for item in retiring
    ]
    assert "นายสมมติ ช่างทดลอง" in retiring[0]
    assert "ปีงบประมาณ 2563" in retiring[0]


def test_a_returned_submission_shows_its_reason_and_the_step_to_take(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The LAO head returned the submission: the reason and the section are on the home page,
    and the submit step links to the certification page."""
    make_returned(ledger, demo)
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/").text

    (returned,) = _cycle_items(html, "todo-returned", "2562")
    assert RETURN_REASON in returned
    assert "วันลา ขาดราชการ มาสาย" in returned
    assert "ผู้บังคับบัญชาส่งข้อมูลกลับแก้ไข" in returned
    (step,) = _cycle_items(html, "todo-step", "2562")
    assert 'href="/app/certification"' in step
    assert 'data-state="draft"' in html


def test_the_demo_as_loaded_has_work_waiting(client: TestClient, demo: DemoFiles) -> None:
    """Without any command after loading: round 2561 returned by the LAO head with its reason
    and the submit step, and the record owner's change request with its proposal."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/").text

    (returned,) = _cycle_items(html, "todo-returned", demo_day.RETURNED_ROUND)
    assert demo_day.RETURN_REASON in returned
    assert "วันลา ขาดราชการ มาสาย" in returned
    (step,) = _cycle_items(html, "todo-step", demo_day.RETURNED_ROUND)
    assert 'href="/app/certification"' in step
    (request,) = _items(html, "todo-change-request")
    assert "นางจำลอง ทดสอบศรี" in request
    assert demo_day.OWNER_PROPOSAL in request
    assert "/new/ChangeRequestResolved" in request


def test_the_people_named_are_logged_as_read(client: TestClient, demo: DemoFiles) -> None:
    """Each record the page names by person is in its access log, as the home page's read."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    html = client.get("/app/").text
    streams = set(re.findall(r'data-stream="([0-9a-f-]{36})"', html))
    log = client.app.state.access_log  # type: ignore[attr-defined]

    entries = log.of_records([UUID(stream) for stream in sorted(streams)])

    assert streams
    assert streams == {str(entry.record) for entry in entries}
    assert {"GET /app/"} == {entry.endpoint for entry in entries}


def test_english_switch_keeps_the_items(client: TestClient, demo: DemoFiles) -> None:
    """In English the headings change, the Buddhist-era dates and the names stay."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    client.cookies.set("lang", "en")

    html = client.get("/app/").text

    assert "Records incomplete for the KPI" in html
    assert "30 Sep B.E. 2563" in html
    assert "(fiscal year B.E. 2563)" in html


def test_another_role_sees_only_its_certification_steps(
    client: TestClient, demo: DemoFiles
) -> None:
    """The province's officer gets the steps waiting for them, no personnel lists."""
    log_in(client, operator_key(demo, "province-nakhonphanom"))

    html = client.get("/app/").text

    assert "todo-incomplete" not in html
    assert "todo-retiring" not in html
    assert 200 == client.get("/app/").status_code


def test_a_day_typed_in_the_buddhist_era_moves_the_page(
    client: TestClient, demo: DemoFiles
) -> None:
    """On 1 October 2564 (typed in Thai digits) the retirements are FY2565-2566's: the demo's
    driver alone; an unreadable day is named beside the box in Thai and English."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    later = client.get("/app/", params={"as_of": "๑/๑๐/๒๕๖๔"}).text
    wrong = client.get("/app/", params={"as_of": "31/02/2563"})

    assert "ปีงบประมาณ 2565–2566" in later
    (retiring,) = _items(later, "todo-retiring")
    assert "นายทดแทน ตัวอย่างดี" in retiring
    assert "30 ก.ย. 2565" in retiring
    assert 200 == wrong.status_code
    assert 'id="home-as-of-error"' in wrong.text
    assert 'lang="en"' in wrong.text


def test_the_owners_request_is_answered_from_the_home_page(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The request's link opens the answer form with the request named; signed (as the agent
    would), ChangeRequestResolved is on the record and the home page no longer lists it."""
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    (item,) = _items(client.get("/app/").text, "todo-change-request")
    link = re.search(r'href="(/app/records/([0-9a-f-]{36})/new/ChangeRequestResolved)"', item)
    assert link is not None
    number = re.search(r"คำขอฉบับที่ (\d+)", item)
    assert number is not None

    form = client.get(link.group(1)).text
    typed = {"request": number.group(1), "outcome": "accepted", "effective": "01/10/2569"}
    review = client.post(link.group(1), data=typed)
    wire, _ = page_request(review.text)
    receipt = client.post("/app/statements", data=answer(server_request(client, wire), wire, hr))

    assert re.search(rf'id="field-request"[^>]*value="{number.group(1)}"', form)
    assert 201 == receipt.status_code, receipt.text
    assert "ChangeRequestResolved" == ledger.stream_events(UUID(link.group(2)))[-1].type
    assert "todo-change-request" not in client.get("/app/").text
