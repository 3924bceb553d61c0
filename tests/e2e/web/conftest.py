"""The browser tests' fixtures: one served demo, one signing agent and one Chromium for the
whole package (stopped when its last test is done), a fresh browser page per test, and the
test's screenshot folder. See tests/browser_kit.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nacl.signing
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser_kit import LedgerLog, Shots, WebDemo, free_port, launch_chromium, serve_demo


@pytest.fixture(scope="package")
def request_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web application's request key (a hex Ed25519 seed), which the agent trusts."""
    path = tmp_path_factory.mktemp("request-key") / "request.key"
    path.write_text(bytes(nacl.signing.SigningKey.generate()).hex() + "\n", encoding="ascii")
    return path


@pytest.fixture(scope="package")
def agent_url() -> str:
    """Where the signing agent listens (chosen first: the web application is told it)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="package")
def web_demo(
    tmp_path_factory: pytest.TempPathFactory, agent_url: str, request_key_file: Path
) -> Iterator[WebDemo]:
    """The demo ledger served as the web application for the whole package."""
    with serve_demo(tmp_path_factory.mktemp("web-demo"), agent_url, request_key_file) as demo:
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
    """A fresh browser context (no cookies) and page, Thai first as an HR officer's PC is."""
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    """``shot(page, name)``: a full-page screenshot into var/screenshots/<test name>/."""
    return Shots(request.node.name)
