"""A citizen ID searched for in the browser never enters an address: not the page's URL, not
the history, not any request's URL (the search POSTs, ``web.routes.records``), with script (as
one types, the button, the Enter key) and without; the back button leaves the search; each page
stays axe-clean. (PDPA: addresses are kept by browsers, proxies and servers' logs.)"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page

from cli.demo.loader import demo_cid
from tests.browser_kit import Shots, WebDemo, check_axe
from tests.e2e.web.conftest import CONTEXT

OWNER = 103
"""นางจำลอง ทดสอบศรี, the demo's teacher whose owner asks for a change."""


def _watched(page: Page) -> list[str]:
    """Every URL the page navigates to or requests from now on."""
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_a_citizen_id_search_leaves_no_trace_in_addresses(
    hr_page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """Found as one types, by Enter and by the button: no navigation or request names the
    citizen ID, and back goes to the page before the search."""
    cid = demo_cid(OWNER)
    page = hr_page
    page.goto(f"{web_demo.base_url}/app/")
    seen = _watched(page)
    page.get_by_role("link", name="ค้นหาบุคคล").first.click()
    page.locator("#search-form").wait_for()

    page.get_by_label("ค้นหา", exact=True).fill(cid)  # the live search, as one types
    page.locator("#results-table").wait_for()
    typed = page.locator("#results-table tbody").inner_text()
    page.get_by_label("ค้นหา", exact=True).press("Enter")  # the keyboard
    page.wait_for_load_state("networkidle")
    page.locator("#search-button").click()
    page.wait_for_load_state("networkidle")
    shot(page, "found")
    check_axe(page)
    page.go_back()
    page.wait_for_load_state()

    assert "จำลอง" in typed
    assert f"{web_demo.base_url}/app/" == page.url  # back leaves the search page
    assert [] == [url for url in seen if cid in url or "q=" in url]


def test_without_script_the_search_posts_the_whole_page(
    browser: Browser, hr_session: dict[str, Any], web_demo: WebDemo, shot: Shots
) -> None:
    """Without script the form posts the whole page: its address is ``/app/records``."""
    cid = demo_cid(OWNER)
    context = browser.new_context(
        storage_state=hr_session,  # type: ignore[arg-type]
        java_script_enabled=False,
        **CONTEXT,
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{web_demo.base_url}/app/records")
        seen = _watched(page)
        page.get_by_label("ค้นหา", exact=True).fill(cid)
        page.locator("#search-button").click()
        page.locator("#results-table").wait_for()
        shot(page, "found-without-script")  # (axe-core needs script: checked above)
        url = page.url
        found = page.locator("#results-table tbody").inner_text()
    finally:
        context.close()

    assert f"{web_demo.base_url}/app/records" == url
    assert "จำลอง" in found
    assert [] == [each for each in seen if cid in each]
