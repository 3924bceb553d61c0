"""The browser tests' fixtures: one served demo (a copy of the session's) with its signing
agent and one Chromium for the whole package (stopped when its last test is done), the HR
officer logged in once, a fresh browser page per test, and the test's screenshot folder. See
tests/browser_kit.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser_kit import LedgerLog, Shots, WebDemo, launch_chromium, login, serve_demo
from tests.demo_template import DemoFolder

CONTEXT: dict[str, Any] = {"locale": "th-TH", "viewport": {"width": 1280, "height": 900}}
"""A browser as on an HR officer's PC: Thai first, a laptop's screen."""


@pytest.fixture(scope="package")
def web_demo(
    demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebDemo]:
    """A copy of the session's demo served as the web application, and its agent, for the
    whole package."""
    with serve_demo(demo_template, tmp_path_factory.mktemp("web-demo")) as demo:
        yield demo


@pytest.fixture(scope="package")
def ledger_log(web_demo: WebDemo) -> LedgerLog:
    return LedgerLog(web_demo)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the package's tests."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = browser.new_context(**CONTEXT)
    page = context.new_page()
    yield page
    context.close()


def logged_in(browser: Browser, demo: WebDemo) -> dict[str, Any]:
    """The agent's card holder logged in once to ``demo``: the browser's storage (the session
    cookie), for pages that start logged in (``page_with``)."""
    context = browser.new_context(**CONTEXT)
    page = context.new_page()
    login(page, demo)
    state: dict[str, Any] = dict(context.storage_state())
    context.close()
    return state


@contextmanager
def page_with(browser: Browser, state: dict[str, Any]) -> Iterator[Page]:
    """A page of a fresh browser context holding ``state`` (``logged_in``'s)."""
    context = browser.new_context(storage_state=state, **CONTEXT)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


@pytest.fixture(scope="package")
def hr_session(browser: Browser, web_demo: WebDemo) -> dict[str, Any]:
    """The demo HR officer logged in once through the agent, for every test that starts
    logged in."""
    return logged_in(browser, web_demo)


@pytest.fixture
def hr_page(browser: Browser, hr_session: dict[str, Any]) -> Iterator[Page]:
    """A page of a browser where the demo HR officer is logged in."""
    with page_with(browser, hr_session) as page:
        yield page


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    """``shot(page, name)``: a full-page screenshot into var/screenshots/<test name>/."""
    return Shots(request.node.name)
