"""A certification cycle in Chromium, each step by its own operator on their own card: the HR
officer submits, the LAO head certifies, the province returns with a reason (a return without
one is refused beside the field first), the officer reads the reason on the home page and
submits again, the head certifies again, the province certifies, DLA accepts. Each step is
signed through the signing agent on that operator's virtual card, and then is in the log signed
by that operator's key; ``ledger audit verify`` passes; every page is axe-clean and
photographed; the province's warning letter for an overdue LAO is a PDF.

This module serves its own copy of the demo (the package's belongs to the HR officer's tests,
with their own history) and starts the agent on one address for each operator in turn, one card at a
time, as the PC of each of them would run it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from typer.testing import CliRunner

from cli.demo.loader import NAKHON_PHANOM
from cli.main import app as ledger_cli
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from tests.browser_kit import (
    HR_OFFICER,
    LEDGER,
    LedgerLog,
    Shots,
    WebDemo,
    approve_in_agent,
    check_axe,
    environment,
    free_port,
    running,
    serve_web,
    sign,
)
from tests.demo_template import DemoFolder, copy_template
from tests.e2e.web.conftest import CONTEXT

LAO = str(NAKHON_PHANOM.lao)
CYCLE_PATH = f"/app/certify/{LAO}/2562"
HEAD, PROVINCE, DLA = "head-nakhonphanom", "province-nakhonphanom", "admin"
REASON = "เงินเดือนครูไม่ตรงกับคำสั่งเลื่อนขั้น กรุณาตรวจสอบ"


class CertifyDemo:
    """A copy of the session's demo served as the web application with its agent's address
    fixed, and the agent started on that address with one operator's card at a time."""

    def __init__(self, template: DemoFolder, where: Path) -> None:
        self.where = where
        self.copy = copy_template(template, where)
        self.port, self.agent_port = free_port(), free_port()
        base_url, agent_url = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.agent_port}"
        self.demo = WebDemo(base_url, self.copy.database_url, self.copy.keys, agent_url)

    @contextmanager
    def serving(self) -> Iterator[None]:
        log = self.where / "demo.log"
        with serve_web(self.copy, self.port, log, agent_url=self.demo.agent_url):
            yield

    @contextmanager
    def agent(self, operator: str) -> Iterator[None]:
        """The signing agent on ``operator``'s virtual card until the block ends."""
        demo = self.demo
        command = [*LEDGER, "agent", "--port", str(self.agent_port), "--origin", demo.base_url,
                   "--trust-key", bytes(demo.request_key.verify_key).hex(),
                   "--virtual-card", str(demo.keys_dir / f"{operator}.card.json")]  # fmt: skip
        log = self.where / f"agent-{operator}.log"
        with running(command, environment(), log, f"{demo.agent_url}/"):
            yield


@pytest.fixture(scope="module")
def certify_demo(
    demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CertifyDemo]:
    """This module's served copy of the demo (its cycle 2562 verified by the province, then a
    record changed: the system's process marks it stale, so the officer may submit again)."""
    served = CertifyDemo(demo_template, tmp_path_factory.mktemp("certify-demo"))
    with served.serving():
        demo = served.demo
        marked = CliRunner().invoke(
            ledger_cli,
            ["process", "certifications", "--system-key", str(demo.keys_dir / "system.key"),
             "--database-url", demo.database_url, "--name", "demo"],
        )  # fmt: skip
        assert 0 == marked.exit_code, marked.output
        yield served


@contextmanager
def as_operator(
    browser: Browser, served: CertifyDemo, operator: str, shot: Shots
) -> Iterator[Page]:
    """A fresh browser where ``operator`` logs in with their card (the agent on it): the page,
    on the operator's home (the HR officer's to-do list, a certifier's worklist)."""
    with served.agent(operator):
        context = browser.new_context(**CONTEXT)  # type: ignore[arg-type]
        page = context.new_page()
        try:
            page.goto(f"{served.demo.base_url}/app/login")
            check_axe(page)
            approve_in_agent(page, "#login-button")
            page.wait_for_url(f"{served.demo.base_url}/app/**")
            page.locator("#worklist-heading, #certify-heading").first.wait_for()
            shot(page, f"home-{operator}")
            check_axe(page)
            yield page
        finally:
            context.close()


def submit(page: Page, served: CertifyDemo, shot: Shots) -> None:
    """The HR officer submits the snapshot from the home page's link."""
    page.locator("#certification-link").click()
    page.locator("#snapshot").wait_for()
    check_axe(page)
    page.locator("#draft-button").click()
    sign(page, shot=shot, review="#certify-review", receipt="#certify-receipt")
    cycle = page.locator("#cycles tr[data-cycle='2562']")  # refreshed with the receipt
    assert "submitted" == cycle.get_attribute("data-state")


def open_cycle(page: Page, shot: Shots, name: str) -> None:
    """From the worklist, cycle 2562 waiting (the demo's earlier rounds wait there too); its
    page photographed and checked."""
    page.locator(f"tr.work-item[data-lao='{LAO}'][data-cycle='2562'] a.open-cycle").click()
    page.locator("#cycle-records").wait_for()
    shot(page, name)
    check_axe(page)


def step(page: Page, action: str, shot: Shots) -> None:
    """Review the step ``action`` and sign it through the agent."""
    before = page.locator("#cycle-state").get_attribute("data-state")
    page.locator(f"#step-button-{action}").click()
    sign(page, shot=shot, review="#step-review", receipt="#step-receipt")
    state = page.locator("#cycle-state")  # the state above the receipt is the new one
    assert 1 == state.count()
    assert before != state.get_attribute("data-state")


def last_data(served: CertifyDemo) -> dict[str, object]:
    """The data of the cycle's latest event, as signed."""
    ledger = Ledger(LedgerLog(served.demo).settings)
    try:
        event = ledger.stream_events(certification_stream_id(LAO, "2562"))[-1]
    finally:
        ledger.close()
    data: dict[str, object] = json.loads(event.statement)["data"]
    return data


def test_a_cycle_returned_by_the_province_and_certified_up_to_dla(
    browser: Browser, certify_demo: CertifyDemo, shot: Shots
) -> None:
    """Submit, certify, return with a reason, resubmit, certify, verify, accept: each by its
    operator's card, each in the log under that operator's key; the officer reads the reason."""
    served = certify_demo
    log = LedgerLog(served.demo)

    with as_operator(browser, served, HR_OFFICER, shot) as page:
        position = log.position()
        submit(page, served, shot)
        log.expect_signed(position, ["LaoDataSubmitted"], HR_OFFICER)

    with as_operator(browser, served, HEAD, shot) as page:
        assert page.url.endswith("/app/certify")
        open_cycle(page, shot, "head-cycle")
        position = log.position()
        step(page, "lao-certify", shot)
        log.expect_signed(position, ["LaoDataCertified"], HEAD)

    with as_operator(browser, served, PROVINCE, shot) as page:
        open_cycle(page, shot, "province-cycle")
        page.locator("#step-button-province-return").click()
        page.locator("#reason-error-province-return").wait_for()
        shot(page, "return-refused")
        check_axe(page)
        page.locator("#section-province-return-position_salary").check()
        page.locator("#reason-province-return").fill(REASON)
        position = log.position()
        step(page, "province-return", shot)
        log.expect_signed(position, ["ProvinceVerificationReturned"], PROVINCE)
        assert {"sections": ["position_salary"], "reason": REASON} == last_data(served)
        page.goto(f"{served.demo.base_url}/app/certify")  # the LAO is late again: its letter
        letter = page.locator(
            f"tr.overdue-row[data-lao='{LAO}'][data-cycle='2562'] a.warning-letter"
        )
        pdf = page.request.get(f"{served.demo.base_url}{letter.get_attribute('href')}")
        assert (200, "application/pdf") == (pdf.status, pdf.headers["content-type"])
        shot(page, "worklist-after-return")
        check_axe(page)

    with as_operator(browser, served, HR_OFFICER, shot) as page:
        returned = page.locator("#todo-returned li[data-cycle='2562'] .returned-reason")
        assert REASON == returned.inner_text()
        position = log.position()
        submit(page, served, shot)
        log.expect_signed(position, ["LaoDataSubmitted"], HR_OFFICER)

    with as_operator(browser, served, HEAD, shot) as page:
        open_cycle(page, shot, "head-cycle-again")
        position = log.position()
        step(page, "lao-certify", shot)
        log.expect_signed(position, ["LaoDataCertified"], HEAD)

    with as_operator(browser, served, PROVINCE, shot) as page:
        open_cycle(page, shot, "province-cycle-again")
        position = log.position()
        step(page, "province-certify", shot)
        log.expect_signed(position, ["ProvinceCertified"], PROVINCE)

    with as_operator(browser, served, DLA, shot) as page:
        open_cycle(page, shot, "dla-cycle")
        position = log.position()
        step(page, "dla-accept", shot)
        log.expect_signed(position, ["DlaAccepted"], DLA)
        page.goto(f"{served.demo.base_url}{CYCLE_PATH}")
        shot(page, "accepted")
        assert "dla_accepted" == page.locator("#cycle-state").get_attribute("data-state")
