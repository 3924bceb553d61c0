"""The rest of the HR officer's day in Chromium: a scanned order uploaded and bound to a
ก.พ.๗ by its hash, and the LAO's data submitted for certification; each signed on the card
through the agent, then in the log signed by the officer's key, and ``ledger audit verify``
passes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from playwright.sync_api import Page
from typer.testing import CliRunner

from cli.main import app as ledger_cli
from tests.browser_kit import HR_OFFICER, LedgerLog, Shots, WebDemo, check_axe, sign
from tests.e2e.web.test_hr_day import find

SCANNED_ORDER = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
"""A one-page PDF standing in for a scanned order (made up: no person in it)."""


def test_upload_a_scanned_order(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots, tmp_path: Path
) -> None:
    """A PDF uploaded from the ก.พ.๗ page is kept by its hash, bound by a signed
    DocumentScanned entry, and served back from the page's link as it was uploaded."""
    scan = tmp_path / "order.pdf"
    scan.write_bytes(SCANNED_ORDER)
    digest = hashlib.sha256(SCANNED_ORDER).hexdigest()
    path = find(hr_page, web_demo, "ช่างทดลอง", shot)
    position = ledger_log.position()
    hr_page.locator("#document-kind").select_option("order")
    hr_page.locator("#document-file").set_input_files(scan)
    hr_page.locator("#upload-button").click()
    hr_page.locator("#entry-form").wait_for()
    assert digest == hr_page.locator("#field-sha256").input_value()
    hr_page.locator("#field-title").fill("คำสั่งแต่งตั้ง")
    hr_page.locator("#field-effective").fill("01/10/2568")  # a scan has no date of its own
    shot(hr_page, "form")
    check_axe(hr_page)
    hr_page.locator("#review-button").click()
    sign(hr_page, shot=shot)

    ledger_log.expect_signed(position, ["DocumentScanned"], HR_OFFICER)
    hr_page.goto(f"{web_demo.base_url}{path}")
    shot(hr_page, "kp7-after")
    check_axe(hr_page)
    link = hr_page.locator("#attachments a.attached-document").first
    served = hr_page.request.get(f"{web_demo.base_url}{link.get_attribute('href')}")
    assert (200, SCANNED_ORDER) == (served.status, served.body())


def test_a_file_over_the_limit_is_refused_in_thai(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots, tmp_path: Path
) -> None:
    """A scan over 10 MB: the page says so beside the field in Thai and sends nothing; sent
    anyway (the check bypassed), the answer is the Thai page naming the rule, never JSON."""
    big = tmp_path / "big.pdf"
    big.write_bytes(SCANNED_ORDER + b"\0" * (11 * 1024 * 1024))
    find(hr_page, web_demo, "ช่างทดลอง", shot)
    record_url = hr_page.url
    position = ledger_log.position()
    hr_page.locator("#document-kind").select_option("order")
    hr_page.locator("#document-file").set_input_files(big)
    hr_page.locator("#upload-button").click()

    error = hr_page.locator("#document-file-error")
    error.wait_for()
    shot(hr_page, "too-large-in-the-browser")
    assert "เกินขนาดสูงสุด 10 MB" in error.inner_text()
    assert record_url == hr_page.url
    assert "true" == hr_page.locator("#document-file").get_attribute("aria-invalid")
    check_axe(hr_page)

    hr_page.evaluate("document.getElementById('upload-form').submit()")  # no check: sent
    hr_page.locator("#too-large").wait_for()
    shot(hr_page, "too-large-page")
    assert "http.body_too_large" in hr_page.locator("#too-large").inner_text()
    assert "ไฟล์ใหญ่เกินกำหนด" == hr_page.locator("#error-heading").inner_text()
    check_axe(hr_page)
    hr_page.locator("#too-large-back").click()
    hr_page.locator("#documents-upload").wait_for()
    assert position == ledger_log.position()


def test_submit_for_certification(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    """The demo's certified cycle made stale by a later change (the system's process), the
    officer submits the snapshot the ledger computes from the home page's link."""
    marked = CliRunner().invoke(
        ledger_cli,
        ["process", "certifications", "--system-key", str(web_demo.keys_dir / "system.key"),
         "--database-url", web_demo.database_url, "--name", "demo"],
    )  # fmt: skip
    assert 0 == marked.exit_code, marked.output
    position = ledger_log.position()
    hr_page.goto(f"{web_demo.base_url}/app/")
    hr_page.locator("#certification-link").click()
    hr_page.locator("#snapshot").wait_for()
    shot(hr_page, "certification")
    check_axe(hr_page)
    hr_page.locator("#draft-button").click()
    sign(hr_page, shot=shot, review="#certify-review", receipt="#certify-receipt")

    ledger_log.expect_signed(position, ["LaoDataSubmitted"], HR_OFFICER)
    hr_page.goto(f"{web_demo.base_url}/app/certification")
    shot(hr_page, "certification-after")
    check_axe(hr_page)
    assert "submitted" == hr_page.locator("#cycles [data-cycle='2562']").get_attribute("data-state")
