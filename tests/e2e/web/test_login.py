"""Logging in with the card through the signing agent, in Chromium, on the served demo."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser_kit import Shots, WebDemo, check_axe, login


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
