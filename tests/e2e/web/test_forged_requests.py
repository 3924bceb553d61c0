"""Forged sign requests carried into the agent's popup from the application's own page (as a
script injected into it could): another server's key, a tampered body, an expired request,
another origin, a replayed nonce. The real agent refuses each with its Thai message, signs
nothing, asks no PIN, answers the opener nothing; nothing reaches the log."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import nacl.signing
import pytest
from playwright.sync_api import Page

from ledger.sign_requests import SignRequest, login_payload, new_request_nonce
from tests.browser_kit import LedgerLog, Shots, WebDemo, approve_in_agent, check_axe

Forge = Callable[[WebDemo], str]


def another_servers_key(demo: WebDemo) -> str:
    return SignRequest.login(demo.base_url).to_wire(nacl.signing.SigningKey.generate())


def tampered(demo: WebDemo) -> str:
    """The application's genuine request with its body swapped (another nonce), its signature
    kept."""
    signature = SignRequest.login(demo.base_url).to_wire(demo.request_key).split(".")[1]
    body = SignRequest.login(demo.base_url).body()
    return base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii") + "." + signature


def expired(demo: WebDemo) -> str:
    nonce = new_request_nonce()
    payload = login_payload(demo.base_url, nonce)
    request = SignRequest("login", payload, demo.base_url, nonce, int(time.time()) - 5)
    return request.to_wire(demo.request_key)


def another_origin(demo: WebDemo) -> str:
    return SignRequest.login("http://ledger.example.invalid").to_wire(demo.request_key)


FORGERIES: dict[str, tuple[Forge, str]] = {
    "another-key": (another_servers_key, "ไม่ได้ลงนามโดยเซิร์ฟเวอร์ที่เครื่องนี้เชื่อถือ"),
    "tampered": (tampered, "ไม่ได้ลงนามโดยเซิร์ฟเวอร์ที่เครื่องนี้เชื่อถือ"),
    "expired": (expired, "คำขอลงนามหมดอายุแล้ว"),
    "another-origin": (
        another_origin,
        "เว็บไซต์ http://ledger.example.invalid ไม่อยู่ในรายการที่เครื่องนี้อนุญาตให้ขอลงนาม",
    ),
}


def carry(page: Page, demo: WebDemo, wire: str) -> Page:
    """From the application's login page, have its button carry ``wire`` to the agent (the
    page's own script, signing.js, opens the popup); record any answer the page receives.
    The agent's popup, loaded."""
    page.goto(f"{demo.base_url}/app/login")
    page.evaluate(
        """wire => {
            window.answers = [];
            window.addEventListener("message", event => window.answers.push(event.data));
            document.getElementById("login-button").setAttribute("data-sign-wire", wire);
        }""",
        wire,
    )
    with page.expect_popup() as opened:
        page.locator("#login-button").click()
    popup = opened.value
    popup.wait_for_load_state()
    return popup


def assert_refused(page: Page, popup: Page, thai: str, shot: Shots) -> None:
    """The agent's refusal page: its Thai message, no PIN asked, axe-clean; no answer."""
    popup.get_by_role("heading", name="ไม่ลงนาม").wait_for()
    shot(popup, "agent-refusal")
    check_axe(popup)
    assert thai in popup.locator("main").inner_text()
    assert 0 == popup.get_by_label("รหัส PIN").count()
    page.wait_for_timeout(500)
    assert [] == page.evaluate("window.answers")


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_request_is_refused_by_the_agent(
    page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots, forgery: str
) -> None:
    """The agent shows its Thai refusal and signs nothing; the log is unchanged."""
    forge, thai = FORGERIES[forgery]
    position = ledger_log.position()

    popup = carry(page, web_demo, forge(web_demo))

    assert_refused(page, popup, thai, shot)
    assert [] == ledger_log.since(position)


def test_a_replayed_request_is_refused_by_the_agent(
    page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """The login request the officer just signed, carried again: refused as a replay."""
    page.goto(f"{web_demo.base_url}/app/login")
    used = page.locator("#login-button").get_attribute("data-sign-wire")
    assert used is not None
    approve_in_agent(page, "#login-button")
    page.wait_for_url(f"{web_demo.base_url}/app/")

    popup = carry(page, web_demo, used)

    assert_refused(page, popup, "คำขอลงนามนี้ถูกใช้ไปแล้ว (ส่งซ้ำ)", shot)
