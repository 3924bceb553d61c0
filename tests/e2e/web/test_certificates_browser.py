"""A salary certificate in Chromium, on the served demo: issued from the ก.พ.๗ page and signed
on the card through the agent, printed as a PDF whose text reads back in Thai intact, verified by
its code on the public page without login (axe-clean, no name shown, the printed name checked),
then made stale by a later salary line signed the same way; past the name tries' limit the
name box shows the refusal (rule certificate.name_checks) and no answer. Every page and the
PDF's first page are photographed into var/screenshots/<test>/."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from api.name_checks import PER_CODE
from tests.browser_kit import HR_OFFICER, LedgerLog, Shots, WebDemo, check_axe, sign
from tests.e2e.web.conftest import CONTEXT
from tests.e2e.web.test_hr_day import ISSUER, find, open_form, review
from tests.unit.web.pdf_kit import pdf_text, screenshot

PERSON = "นางทดลอง จำลองกุล"


def _verify_page(browser: Browser, demo: WebDemo, code: str, shot: Shots, name: str) -> Page:
    """The verification page in a browser with no login, photographed and checked by axe."""
    page = browser.new_context(**CONTEXT).new_page()  # type: ignore[arg-type]
    page.goto(f"{demo.base_url}/app/verify/{code}")
    page.locator("#verify-status").wait_for()
    shot(page, name)
    check_axe(page)
    return page


def test_certificate_issued_printed_verified_then_stale(
    hr_page: Page, browser: Browser, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """Issued, printed with the Thai name and salary intact, verified as current without
    login, then stale once a later salary line is signed."""
    find(hr_page, web_demo, "จำลองกุล", shot)
    position = ledger_log.position()
    hr_page.locator("#certificate-link").click()
    hr_page.locator("#certificate-form").wait_for()
    hr_page.locator("#certificate-kind-salary").check()
    hr_page.locator("#certificate-purpose").fill("การขอสินเชื่อ")
    shot(hr_page, "certificate-form")
    check_axe(hr_page)
    hr_page.locator("#certificate-next").click()
    sign(hr_page, shot=shot, review="#certificate-review", receipt="#certificate-receipt")
    ledger_log.expect_signed(position, ["CertificateIssued"], HR_OFFICER)
    code = hr_page.locator("#certificate-code").inner_text().strip()

    printed = hr_page.request.get(f"{web_demo.base_url}/app/certificates/{code}.pdf")
    assert 200 == printed.status
    text = pdf_text(printed.body())
    screenshot(printed.body(), shot.folder.name, "certificate-pdf")
    assert PERSON in text
    assert "33,000.00" in text
    assert "หนังสือรับรองเงินเดือน" in text

    public = _verify_page(browser, web_demo, code, shot, "verify-current")
    assert "current" == public.locator("#verify-status").get_attribute("data-status")
    assert "จำลองกุล" not in public.locator("main").inner_text()
    public.locator("#verify-name").fill(PERSON)
    public.locator("#verify-name-button").click()
    public.locator("#verify-name-result").wait_for()
    shot(public, "verify-name")
    assert "true" == public.locator("#verify-name-result").get_attribute("data-matches")
    assert public.url.endswith(f"/app/verify/{code}")  # the name was posted, not put in the URL

    find(hr_page, web_demo, "จำลองกุล", shot)
    open_form(hr_page, "PositionSalaryEntryAdded", shot)
    for field, value in {
        "effective": "01/10/2569",
        "movement-type": "เลื่อนขั้นเงินเดือน",
        "position-no": "00-0403-001",
        "position-title": "นักวิชาการเงินและบัญชี",
        "level": "ชำนาญการ",
        "salary": "๓๔,๕๐๐.๐๐",
        "order-number": "61/2569",
        "order-date": "๒๐/๐๙/๒๕๖๙",
        "order-issuer": ISSUER,
    }.items():
        hr_page.locator(f"#field-{field}").fill(value)
    position = ledger_log.position()
    review(hr_page, shot)
    sign(hr_page, shot=shot)
    ledger_log.expect_signed(position, ["PositionSalaryEntryAdded"], HR_OFFICER)

    stale = _verify_page(browser, web_demo, code, shot, "verify-stale")
    assert "stale" == stale.locator("#verify-status").get_attribute("data-status")
    assert 1 == stale.locator("#verify-status [data-field='salary']").count()

    for _ in range(PER_CODE - 1):  # one try was the printed name above: the limit's last ones
        stale.locator("#verify-name").fill("นายเดา ชื่อผิด")
        stale.locator("#verify-name-button").click()
        stale.locator("#verify-name-result").wait_for()
    stale.locator("#verify-name").fill(PERSON)
    stale.locator("#verify-name-button").click()
    stale.locator("#verify-name-refusal").wait_for()
    shot(stale, "verify-name-refused")
    check_axe(stale)
    assert "certificate.name_checks" in stale.locator("#verify-name-refusal").inner_text()
    assert 0 == stale.locator("#verify-name-result").count()  # no answer about the name
    assert "จำลองกุล" not in stale.locator("#verify-result").inner_text()
