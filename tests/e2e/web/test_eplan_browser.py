"""The Tak finance officer's e-Plan work in Chromium, in Thai, on a demo of its own whose agent
holds the finance officer's card: the e-Plan home, the province's status table, a plan, a
budgeted project taken through a contract, a payment beyond the contract refused in the form
before any signature, the payment within it and the completion; each signed on the card, in
the log signed by the officer's key, ``ledger audit verify`` passing; every page axe-clean and
photographed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser_kit import LedgerLog, Shots, WebDemo, check_axe, login, serve_demo, sign
from tests.demo_template import DemoFolder

FINANCE = "finance-tak"
BUDGETED_LAO = """() => {
  for (const row of document.querySelectorAll('#status-table tbody tr')) {
    const budgeted = row.querySelectorAll('td')[6].textContent.trim();
    if (budgeted && budgeted !== '0') {
      return row.querySelector('[id^="last-update-"]').id.slice('last-update-'.length);
    }
  }
  return null;
}"""
"""The first LAO of the status table with budget-approved projects (its DLA code)."""


@pytest.fixture(scope="module")
def finance_demo(
    demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebDemo]:
    """A copy of the session's demo served, with its agent on the Tak finance officer's card."""
    folder = tmp_path_factory.mktemp("eplan-demo")
    with serve_demo(demo_template, folder, operator=FINANCE) as demo:
        yield demo


def _form(page: Page, action: str, shot: Shots, fields: dict[str, str]) -> None:
    """From the project's page: open ``action``'s form, fill it, photograph, check, review."""
    page.locator(f"#action-{action}").click()
    page.locator("#entry-form").wait_for()
    for name, value in fields.items():
        page.locator(f"#field-{name}").fill(value)
    shot(page, f"form-{action}")
    check_axe(page)
    page.locator("#review-button").click()


def test_finance_officer_takes_a_project_to_completion(
    page: Page, finance_demo: WebDemo, shot: Shots
) -> None:
    """Contract, a refused over-contract payment (beside the amount, no signature asked, the
    log unchanged), the payment, the completion: the project page shows it done."""
    log = LedgerLog(finance_demo)
    base = finance_demo.base_url
    login(page, finance_demo, shot=shot)
    page.locator("#nav-eplan").click()
    page.locator("#plans-table").wait_for()
    shot(page, "eplan-home")
    check_axe(page)
    page.goto(f"{base}/app/eplan/status?province=ตาก&fiscal_year=2560")
    page.locator("#status-table").wait_for()
    shot(page, "status")
    check_axe(page)
    assert "ทำแล้ว" in page.locator("#status-table").inner_text()
    lao = page.evaluate(BUDGETED_LAO)
    page.goto(f"{base}/app/eplan")
    page.locator(f"#plans-table a[data-lao='{lao}']").first.click()
    page.locator("#plan-heading").wait_for()
    shot(page, "plan")
    check_axe(page)
    page.locator("tr:has-text('อนุมัติงบประมาณแล้ว') a").first.click()
    page.locator("#project-heading").wait_for()
    shot(page, "project-budgeted")
    check_axe(page)

    start = log.position()
    _form(page, "ContractSigned", shot, {
        "effective": "01/12/2559", "contract-no": "7/2560", "party": "หจก.ตากก่อสร้าง",
        "amount": "40,000.00", "signed-on": "01/12/2559",
    })  # fmt: skip
    sign(page, shot=shot)
    page.locator("#receipt-back-link").click()
    page.locator("#project-heading").wait_for()
    before_refusal = log.position()
    _form(page, "DisbursementMade", shot, {
        "effective": "01/03/2560", "amount": "45,000.00", "paid-on": "01/03/2560",
    })  # fmt: skip
    page.locator("#refusal").wait_for()
    shot(page, "over-contract-refused")
    check_axe(page)
    message = page.locator("#error-amount").inner_text()
    assert 0 == page.locator("#sign-button").count()
    assert before_refusal == log.position()
    page.locator("#field-amount").fill("40,000.00")
    page.locator("#review-button").click()
    sign(page, shot=shot)
    page.locator("#receipt-back-link").click()
    page.locator("#project-heading").wait_for()
    _form(page, "ProjectCompleted", shot, {"effective": "31/03/2560", "completed-on": "31/03/2560"})
    sign(page, shot=shot)
    page.locator("#receipt-back-link").click()
    page.locator("#project-heading").wait_for()
    shot(page, "project-completed")
    check_axe(page)

    assert "เกินวงเงินตามสัญญา" in message
    assert "ดำเนินการแล้วเสร็จ" in page.locator("#project-status").inner_text()
    assert re.search(r"40,000\.00", page.locator("#total-disbursed").inner_text())
    log.expect_signed(start, ["ContractSigned", "DisbursementMade", "ProjectCompleted"], FINANCE)
