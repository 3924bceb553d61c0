"""A record owner's day in Chromium, on the served demo: the teacher of record 103
(``owner-nakhonphanom``, enrolled by her record, docs/personal-data.md "The record owner") logs
in through the agent with her virtual card, reads her own ก.พ.๗ (Thai labels, Buddhist-era
dates) and no one else's, and asks HR for a change through the web form: the agent names her
as เจ้าของประวัติ with no citizen ID and shows what she typed; the stored statement is v2 with
``"cid":null`` and holds neither her citizen ID nor her words (committed). The form works with
the keyboard alone. axe-core on every page; screenshots in var/screenshots/<test>/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from cli.demo import day as demo_day
from cli.demo.loader import demo_cid, record_stream
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.stored import read_signed_state
from tests.browser_kit import (
    DEMO_PIN,
    LedgerLog,
    Shots,
    WebDemo,
    check_axe,
    login,
    serve_demo,
    sign,
)
from tests.demo_template import NAME, DemoFolder
from tests.e2e.web.conftest import logged_in, page_with

OWNER = demo_day.OWNER
OWN = record_stream(demo_day.OWNER_RECORD)
OWN_CID = demo_cid(demo_day.OWNER_RECORD)
OTHER = record_stream(101)  # ตัวอย่าง สมมุติวงศ์, of the same LAO
NOT_READABLE = "ไม่พบประวัตินี้ในส่วนที่ท่านมีสิทธิ์อ่าน"
BE_DATE = re.compile(r"\d{1,2} \S+ 25\d\d")


@pytest.fixture(scope="module")
def owner_demo(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoFolder
) -> Iterator[WebDemo]:
    """The demo served with its agent on the owner's virtual card."""
    where = tmp_path_factory.mktemp("owner-demo")
    with serve_demo(demo_template, where, operator=OWNER) as demo:
        yield demo


@pytest.fixture(scope="module")
def owner_session(browser: Browser, owner_demo: WebDemo) -> dict[str, Any]:
    """The owner logged in once through the agent with her card."""
    return logged_in(browser, owner_demo)


@pytest.fixture
def owner(browser: Browser, owner_session: dict[str, Any]) -> Iterator[Page]:
    """A page of a browser where the owner is logged in."""
    with page_with(browser, owner_session) as page:
        yield page


def stored_statements(demo: WebDemo, position: int) -> list[bytes]:
    """The canonical bytes of each statement the log holds after ``position``, as stored."""
    ledger = Ledger(LedgerSettings(database_url=demo.database_url, name=NAME))
    try:
        found = ledger.recorder.select_notifications(start=position + 1, limit=100)
        return [read_signed_state(notification.state)[0] for notification in found]
    finally:
        ledger.close()


def test_the_owner_logs_in_with_her_card_and_reads_her_kp7(
    page: Page, owner_demo: WebDemo, shot: Shots
) -> None:
    """Her card through the agent logs her in; the header names her as เจ้าของประวัติ with her
    key, never a citizen ID; her menu leads to her own ก.พ.๗, in Thai with Buddhist-era dates,
    with the request the demo left on it."""
    login(page, owner_demo, shot=shot)
    shot(page, "home")
    check_axe(page)
    who = page.locator("#who").inner_text()
    assert "เจ้าของประวัติ" in who
    assert owner_demo.key_id(OWNER) in who
    assert OWN_CID not in page.content()

    page.locator("#nav-own-record").click()
    page.locator("#kp7-heading").wait_for()
    shot(page, "kp7")
    check_axe(page)

    assert f"/app/records/{OWN}" == page.url.removeprefix(owner_demo.base_url)
    assert "นางจำลอง ทดสอบศรี" in page.locator("#kp7-heading").inner_text()
    assert "ตำแหน่งและอัตราเงินเดือน" in page.locator("#section-position_salary").inner_text()
    assert BE_DATE.search(page.locator("#section-position_salary").inner_text())
    assert BE_DATE.search(page.locator(".record-summary").inner_text())
    assert re.search(r"\b(19|20)\d\d\b", page.locator("#kp7-sections").inner_text()) is None
    assert demo_day.OWNER_PROPOSAL in page.locator("#change-requests").inner_text()
    assert 0 == page.locator("#new-entry-link, #erase-link, #upload-form").count()


def test_she_reads_no_one_elses_record(owner: Page, owner_demo: WebDemo, shot: Shots) -> None:
    """Another person's record and a record that does not exist answer alike, the same Thai
    "not found" page (so nothing tells one from the other); the search finds her alone."""
    answers = {}
    for name, stream in {"other": OTHER, "none": uuid.uuid4()}.items():
        response = owner.goto(f"{owner_demo.base_url}/app/records/{stream}")
        assert response is not None
        shot(owner, f"record-{name}")
        check_axe(owner)
        answers[name] = (response.status, owner.locator("main").inner_text())
        assert "th" == owner.locator("html").get_attribute("lang")
    assert answers["other"] == answers["none"]
    assert 1 == answers["other"][1].count(NOT_READABLE)  # once: the alert's heading
    assert "ตัวอย่าง สมมุติวงศ์" not in answers["other"][1]

    owner.goto(f"{owner_demo.base_url}/app/records")
    owner.get_by_label("ค้นหา", exact=True).fill("สมมุติวงศ์")
    owner.locator("#search-button").click()
    owner.locator("#result-count, #search-error").first.wait_for()
    shot(owner, "search-other")
    check_axe(owner)
    results = owner.locator("#search-results").inner_text()
    assert "สมมุติวงศ์" not in results.replace("ผลการค้นหา: สมมุติวงศ์", "")
    assert 0 == owner.locator("#results-table tbody tr").count()
    assert str(OTHER) not in owner.content()

    owner.get_by_label("ค้นหา", exact=True).fill("ทดสอบศรี")
    owner.locator("#search-button").click()
    owner.locator(f"#results-table a[href='/app/records/{OWN}']").wait_for()
    assert 1 == owner.locator("#results-table tbody tr").count()


PROPOSAL = "ขอแก้ไขที่อยู่เป็น ๙๙ หมู่ ๓ ตำบลตัวอย่าง ตามทะเบียนบ้านฉบับใหม่"


def test_she_asks_for_a_change_signed_with_no_citizen_id(
    owner: Page, owner_demo: WebDemo, shot: Shots
) -> None:
    """From her ก.พ.๗: the request form, the review, the agent showing her words in Thai and
    naming her as เจ้าของประวัติ with no citizen ID; the receipt; the request on her record.
    The stored statement is v2, its signer ``"cid":null``, with neither her citizen ID nor
    her words in its bytes (the proposal is committed, its value in the vault)."""
    log = LedgerLog(owner_demo)
    position = log.position()
    owner.goto(f"{owner_demo.base_url}/app/records/{OWN}")
    owner.locator("#change-request-link").click()
    owner.locator("#entry-form").wait_for()
    assert 0 == owner.locator("input[name=effective]").count()  # today, not typed
    assert BE_DATE.search(owner.locator("#effective-today").inner_text())
    offered = owner.locator("#field-section option").evaluate_all("os => os.map(o => o.value)")
    assert "general" in offered
    assert not {"structure", "frame", "documents", "employment"} & set(offered)
    owner.locator("#field-section").select_option("general")
    owner.locator("#field-proposal").fill(PROPOSAL)
    shot(owner, "form")
    check_axe(owner)
    owner.locator("#review-button").click()
    sign(owner, shot=shot, shows=(PROPOSAL, "เจ้าของประวัติ", "ข้อมูลทั่วไป"), hides=(OWN_CID,))

    log.expect_signed(position, ["ChangeRequestedByOwner"], OWNER)
    [stored] = stored_statements(owner_demo, position)
    assert b'"signer":{"cid":null,"key":"' + owner_demo.key_id(OWNER).encode() in stored
    assert stored.endswith(b',"v":2}')
    assert b'"proposal":{"commitment":"' in stored
    text = stored.decode("utf-8")
    assert OWN_CID not in text
    assert PROPOSAL not in text
    assert "ที่อยู่" not in text

    owner.locator("#receipt-record-link").click()
    owner.locator("#change-requests").wait_for()
    shot(owner, "kp7-after")
    check_axe(owner)
    requests = owner.locator("#change-requests li").all_inner_texts()
    assert any(PROPOSAL in item and "รอเจ้าหน้าที่พิจารณา" in item for item in requests)

    owner.locator("#lang-en").click()  # in English, the section's name too
    owner.locator("#lang-th").wait_for()
    english = owner.locator("#change-requests li").all_inner_texts()
    assert any(PROPOSAL in item and "General" in item for item in english)
    assert not any("ข้อมูลทั่วไป" in item for item in english)
    owner.locator("#lang-th").click()


def _tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element ``element_id`` has the focus (fail after ``limit``)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} is not reached with Tab")


def test_the_request_form_works_with_the_keyboard_alone(
    owner: Page, owner_demo: WebDemo, shot: Shots
) -> None:
    """Each field of the form has its label; Tab reaches each in order, typing fills them,
    the arrow keys choose the section, Enter on the button sends it to the review; Tab and
    Enter reach the sign button, and in the agent's window the PIN and Enter sign it."""
    owner.goto(f"{owner_demo.base_url}/app/records/{OWN}/new/ChangeRequestedByOwner")
    owner.locator("#entry-form").wait_for()
    today = owner.locator("#effective-today").inner_text()
    for label, field in {
        "หมวดข้อมูล": "field-section",
        "ข้อเสนอขอแก้ไข": "field-proposal",
    }.items():
        assert field == owner.get_by_label(label).get_attribute("id")

    _tab_to(owner, "field-section")
    owner.keyboard.press("ArrowDown")  # the first section after "not said": ข้อมูลทั่วไป
    owner.keyboard.press("Tab")
    _tab_to(owner, "field-proposal", limit=1)
    owner.keyboard.type("ขอแก้ไขหมู่โลหิตเป็น โอ")
    owner.keyboard.press("Tab")
    _tab_to(owner, "review-button", limit=1)
    shot(owner, "keyboard-form")
    check_axe(owner)
    owner.keyboard.press("Enter")

    owner.locator("#review").wait_for()
    shot(owner, "keyboard-review")
    check_axe(owner)
    review = owner.locator("#review").inner_text()
    assert "ขอแก้ไขหมู่โลหิตเป็น โอ" in review
    assert "ข้อมูลทั่วไป" in review
    assert today in review  # the day she asked, in the Buddhist era
    _tab_to(owner, "sign-button")
    position = LedgerLog(owner_demo).position()
    with owner.expect_popup() as opened:
        owner.keyboard.press("Enter")
    agent = opened.value
    agent.get_by_label("รหัส PIN").wait_for()
    _tab_to(agent, "pin")
    agent.keyboard.type(DEMO_PIN)
    with agent.expect_event("close", timeout=20_000):
        agent.keyboard.press("Enter")  # the PIN's form: its first button, sign
    owner.locator("#receipt").wait_for()
    shot(owner, "keyboard-receipt")
    check_axe(owner)
    LedgerLog(owner_demo).expect_signed(position, ["ChangeRequestedByOwner"], OWNER)
