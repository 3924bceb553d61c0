"""An HR officer's day in Chromium, in Thai, on the served demo: find a person by Thai name, add
a salary entry, record a leave, correct an entry, retire a person; each signed on the card
through the agent. After each step the event is in the log, signed by the officer's key, and
``ledger audit verify`` passes; every page visited is axe-clean and photographed."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser_kit import HR_OFFICER, LedgerLog, Shots, WebDemo, check_axe, sign

ISSUER = "นายกเทศมนตรีตำบลตัวอย่าง"


def find(page: Page, demo: WebDemo, name: str, shot: Shots) -> str:
    """Search for ``name`` from the navigation, open the one person found: the ก.พ.๗ page's
    path."""
    page.goto(f"{demo.base_url}/app/")
    page.get_by_role("link", name="ค้นหาบุคคล").first.click()
    page.get_by_label("ค้นหา", exact=True).fill(name)
    page.locator("#search-button").click()
    page.locator("#results-table").wait_for()
    assert page.locator("#results-table .lao-code").count() > 0  # the LAO by name, code small
    shot(page, "search")
    check_axe(page)
    page.locator("#results-table tbody a").first.click()
    page.locator("#kp7-heading").wait_for()
    shot(page, "kp7")
    check_axe(page)
    return page.url.removeprefix(demo.base_url).split("?")[0]


def open_form(page: Page, event_type: str, shot: Shots) -> None:
    """From the ก.พ.๗ page: add an entry, choose ``event_type``, its form."""
    page.locator("#new-entry-link").click()
    page.locator("#new-entry-types").wait_for()
    shot(page, "entry-types")
    check_axe(page)
    page.locator(f"#new-{event_type}").click()
    page.locator("#entry-form").wait_for()


def review(page: Page, shot: Shots) -> None:
    """The filled form photographed and checked, then sent for review."""
    shot(page, "form")
    check_axe(page)
    page.locator("#review-button").click()


def test_find_a_person_by_thai_name(hr_page: Page, web_demo: WebDemo, shot: Shots) -> None:
    """A last name typed in Thai finds the one person; the ก.พ.๗ page opens with Thai
    sections and Buddhist-era dates."""
    find(hr_page, web_demo, "สมมุติวงศ์", shot)

    assert "ตัวอย่าง สมมุติวงศ์" in hr_page.locator("#kp7-heading").inner_text()
    assert "ตำแหน่งและอัตราเงินเดือน" in hr_page.locator("#section-position_salary").inner_text()
    assert "1 เม.ย. 2562" in hr_page.locator("#section-employment").inner_text()
    assert "เทศบาล" in hr_page.locator("#kp7-lao").inner_text()  # the LAO's registered name
    assert 1 == hr_page.locator("#kp7-lao .lao-code").count()


def test_add_a_salary_entry(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """A salary entry typed in BE with Thai digits is signed on the card and recorded."""
    find(hr_page, web_demo, "สมมุติวงศ์", shot)
    open_form(hr_page, "PositionSalaryEntryAdded", shot)
    position = ledger_log.position()
    for field, value in {
        "effective": "01/04/2569",
        "movement-type": "เลื่อนขั้นเงินเดือน",
        "position-no": "00-0302-001",
        "position-title": "นักทรัพยากรบุคคล",
        "level": "ชำนาญการ",
        "salary": "๒๔,๕๐๐.๐๐",
        "order-number": "45/2569",
        "order-date": "๑๕/๐๓/๒๕๖๙",
        "order-issuer": ISSUER,
    }.items():
        hr_page.locator(f"#field-{field}").fill(value)
    review(hr_page, shot)
    sign(hr_page, shot=shot, shows=("อัตราเงินเดือน (บาท)", "24,500.00", "15 มี.ค. 2569"))

    ledger_log.expect_signed(position, ["PositionSalaryEntryAdded"], HR_OFFICER)
    hr_page.locator("#receipt-record-link").click()
    shot(hr_page, "kp7-after")
    check_axe(hr_page)
    assert "24,500.00" in hr_page.locator("#section-position_salary").inner_text()


def test_record_a_leave(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """A sick leave of two days in BE dates is signed on the card and recorded."""
    find(hr_page, web_demo, "จำลองกุล", shot)
    open_form(hr_page, "LeaveTaken", shot)
    position = ledger_log.position()
    hr_page.locator("#field-effective").fill("12/01/2569")
    hr_page.locator("#field-leave-type").select_option("sick")
    hr_page.locator("#field-start").fill("12/01/2569")
    hr_page.locator("#field-end").fill("13/01/2569")
    hr_page.locator("#field-days").fill("2")
    review(hr_page, shot)
    sign(hr_page, shot=shot, shows=("ลาป่วย", "12 ม.ค. 2569", "13 ม.ค. 2569"))

    ledger_log.expect_signed(position, ["LeaveTaken"], HR_OFFICER)
    hr_page.locator("#receipt-record-link").click()
    shot(hr_page, "kp7-after")
    check_axe(hr_page)
    assert "12 ม.ค. 2569" in hr_page.locator("#section-leave").inner_text()


def test_correct_an_entry(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """A salary entry corrected from its own link, with a reason, is recorded as a correction
    and the ก.พ.๗ page shows the new amount."""
    find(hr_page, web_demo, "ทดสอบศรี", shot)
    position = ledger_log.position()
    hr_page.locator("#section-position_salary a.correct-link").first.click()
    hr_page.locator("#entry-form").wait_for()
    hr_page.locator("#field-replacement-salary").fill("41,720.00")
    hr_page.locator("#field-reason").fill("พิมพ์อัตราเงินเดือนผิด")
    review(hr_page, shot)
    sign(hr_page, shot=shot, shows=("อัตราเงินเดือน (บาท)", "41,720.00", "5,600.00", "25 มี.ค. 2562"))

    ledger_log.expect_signed(position, ["EntryCorrected"], HR_OFFICER)
    hr_page.locator("#receipt-record-link").click()
    shot(hr_page, "kp7-after")
    check_axe(hr_page)
    assert "41,720.00" in hr_page.locator("#section-position_salary").inner_text()


def test_retire_a_person(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """The employment page offers retirement with this person's last day; the retirement on
    that day is signed on the card and the status becomes retired."""
    path = find(hr_page, web_demo, "ตัวอย่างยิ่ง", shot)
    hr_page.goto(f"{web_demo.base_url}{path}/employment")
    shot(hr_page, "employment")
    check_axe(hr_page)
    assert "30/09/2564" in hr_page.locator("#transition-Retired").inner_text()
    position = ledger_log.position()
    hr_page.locator("#start-Retired").click()
    hr_page.locator("#entry-form").wait_for()
    for field, value in {
        "effective": "01/10/2564",
        "last-day": "30/09/2564",
        "order-number": "88/2564",
        "order-date": "01/09/2564",
        "order-issuer": ISSUER,
    }.items():
        hr_page.locator(f"#field-{field}").fill(value)
    review(hr_page, shot)
    sign(hr_page, shot=shot, shows=("เกษียณอายุราชการ", "30 ก.ย. 2564"))

    ledger_log.expect_signed(position, ["Retired"], HR_OFFICER)
    hr_page.goto(f"{web_demo.base_url}{path}/employment")
    shot(hr_page, "employment-after")
    check_axe(hr_page)
    assert "เกษียณ" in hr_page.locator("#employment-status").inner_text()
