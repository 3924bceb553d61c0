"""Logging in with the card through the signing agent, in Chromium, on the served demo."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.browser_kit import DEMO_PIN, Shots, WebDemo, check_axe, login


def test_the_hr_officer_logs_in_through_the_agent(
    page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """The login button opens the agent's popup; the PIN there logs in: the home page, in Thai,
    with the session cookie HttpOnly and SameSite=Strict."""
    login(page, web_demo, shot=shot)
    shot(page, "home")
    check_axe(page)

    assert "th" == page.locator("html").get_attribute("lang")
    assert page.locator("#worklist").is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "ledger_session")
    assert (True, "Strict") == (cookie["httpOnly"], cookie["sameSite"])


def test_a_page_without_a_session_goes_to_the_login_page(page: Page, web_demo: WebDemo) -> None:
    """The home page asked without logging in shows the login page."""
    page.goto(f"{web_demo.base_url}/")

    assert page.url.startswith(f"{web_demo.base_url}/app/login")


def test_the_language_switch_shows_the_pages_in_english_and_back(
    hr_page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """English from the switch: the page's lang, a menu without a Thai word, axe-clean; Thai
    again from the same switch."""
    hr_page.goto(f"{web_demo.base_url}/app/")
    hr_page.locator("#lang-en").click()
    hr_page.locator("#lang-th").wait_for()
    shot(hr_page, "home-en")
    check_axe(hr_page)

    assert "en" == hr_page.locator("html").get_attribute("lang")
    assert re.search("[\u0e00-\u0e7f]", hr_page.locator("nav").first.inner_text()) is None
    hr_page.locator("#lang-th").click()
    hr_page.locator("#lang-en").wait_for()
    assert "th" == hr_page.locator("html").get_attribute("lang")


def test_a_wrong_pin_is_refused_then_the_right_one_logs_in(
    page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """A mistyped PIN: the agent says how many tries are left and asks again, in the same
    window; the right PIN then logs in."""
    page.goto(f"{web_demo.base_url}/app/login")
    with page.expect_popup() as opened:
        page.locator("#login-button").click()
    popup = opened.value
    popup.get_by_label("รหัส PIN").fill("000000")
    popup.get_by_role("button", name="ลงนามด้วยบัตร").click()
    popup.get_by_text("รหัส PIN ไม่ถูกต้อง").wait_for()
    shot(popup, "wrong-pin")
    check_axe(popup)

    assert "เหลือโอกาสอีก 2 ครั้ง" in popup.locator("main").inner_text()
    popup.get_by_label("รหัส PIN").fill(DEMO_PIN)
    with popup.expect_event("close"):
        popup.get_by_role("button", name="ลงนามด้วยบัตร").click()
    page.wait_for_url(f"{web_demo.base_url}/app/")
