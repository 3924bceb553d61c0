"""In Chromium: a session that runs out while a form is filled loses nothing typed, and a
signing agent that is not running is named on the page instead of the browser's error page."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser_kit import Shots, WebDemo, approve_in_agent, check_axe, login
from tests.e2e.web.test_hr_day import find, open_form

TYPED = {
    "#field-effective": "12/01/2569",
    "#field-start": "12/01/2569",
    "#field-end": "13/01/2569",
    "#field-days": "2",
}


def test_an_expired_session_keeps_what_was_typed(
    page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """Session cookie gone, the form sent: the login page says why; logging in again goes
    back to the form with every typed value put back."""
    login(page, web_demo)
    find(page, web_demo, "จำลองกุล", shot)
    open_form(page, "LeaveTaken", shot)
    form_url = page.url
    for field, value in TYPED.items():
        page.locator(field).fill(value)
    page.context.clear_cookies(name="ledger_session")
    page.locator("#review-button").click()
    page.locator("#login-expired").wait_for()
    shot(page, "login-expired")
    check_axe(page)
    expired = page.locator("#login-expired").inner_text()
    approve_in_agent(page, "#login-button")
    page.wait_for_url(form_url)
    page.locator("#entry-form .formkeep-note").wait_for()
    shot(page, "form-restored")
    check_axe(page)

    assert "หมดเวลาการเข้าสู่ระบบ กรุณาเข้าสู่ระบบอีกครั้ง" in expired
    assert TYPED == {field: page.locator(field).input_value() for field in TYPED}


def test_a_missing_agent_is_named_beside_the_button(
    page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """An agent address where nothing listens: no popup, the Thai message beside the button,
    and the button usable again."""
    page.goto(f"{web_demo.base_url}/app/login")
    page.evaluate("document.body.setAttribute('data-agent-url', 'http://127.0.0.1:9')")
    popups: list[Page] = []
    page.on("popup", lambda popup: popups.append(popup))
    page.locator("#login-button").click()
    note = page.locator(".sign-note")
    note.wait_for()
    shot(page, "agent-missing")
    check_axe(page)

    assert "ไม่พบโปรแกรมลงนามบนเครื่องนี้" in note.inner_text()
    assert [] == popups
    assert page.locator("#login-button").is_enabled()


def test_closing_the_agents_window_cancels(page: Page, web_demo: WebDemo, shot: Shots) -> None:
    """The agent's window closed without signing: the page says the signing was cancelled,
    beside the button, which is usable again."""
    page.goto(f"{web_demo.base_url}/app/login")
    with page.expect_popup() as opened:
        page.locator("#login-button").click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.close()
    note = page.locator(".sign-note")
    note.wait_for()
    shot(page, "cancelled")

    assert "ยกเลิกการลงนามแล้ว" in note.inner_text()
    assert page.locator("#login-button").is_enabled()
