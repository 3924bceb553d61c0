"""The signing agent in Chromium: a popup opened by another origin, the PIN typed, the answer
posted back by ``postMessage`` to that origin only; its pages axe-clean under its own CSP.

The agent app (on a virtual card in process) and a tiny opener page (standing in for the web
application) are served by uvicorn on threads of this process, on free loopback ports.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import nacl.signing
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ledger.commitments import Disclosure
from ledger.sign_requests import SignRequest, b64decode
from ledger.signing import verify_signature
from tests.browser_kit import Shots, check_axe, free_port, launch_chromium
from tests.unit.agent.agent_kit import (
    NAME_CHANGE,
    PIN,
    World,
    make_world,
    statement_payload,
    v2_payload,
)

OPENER_PAGE = """<!doctype html>
<html lang="th"><head><meta charset="utf-8"><title>ระบบทะเบียน (ทดสอบ)</title></head>
<body><main>
<h1>ระบบทะเบียน (ทดสอบ)</h1>
<form id="carry" method="post" action="{agent}/sign" target="ledger-agent">
<input type="hidden" name="request" value="{wire}"></form>
<button id="sign" type="button">ลงนามด้วยบัตร</button>
</main>
<script>
window.answers = [];
window.addEventListener("message", function (event) {{
  window.answers.push({{origin: event.origin, data: event.data}});
}});
document.getElementById("sign").addEventListener("click", function () {{
  window.open("", "ledger-agent", "popup,width=720,height=820");
  document.getElementById("carry").submit();
}});
</script></body></html>"""


@dataclass
class Served:
    """The agent and the opener, each on its port; ``wire`` is the request the opener carries."""

    agent_url: str
    opener_url: str
    world: World
    wire: str = ""


def _serve(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    return server, thread


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    agent_port, opener_port = free_port(), free_port()
    opener_url = f"http://127.0.0.1:{opener_port}"
    world = make_world(port=agent_port, origins=(opener_url,))
    state = Served(f"http://127.0.0.1:{agent_port}", opener_url, world)

    def opener(request: Request) -> HTMLResponse:
        return HTMLResponse(OPENER_PAGE.format(agent=state.agent_url, wire=state.wire))

    servers = [
        _serve(world.client.app, agent_port),
        _serve(Starlette(routes=[Route("/", opener)]), opener_port),
    ]
    yield state
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def opener(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="th-TH", viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


def _open_popup(served: Served, opener: Page, wire: str) -> Page:
    served.wire = wire
    opener.goto(served.opener_url + "/")
    with opener.expect_popup() as popup_info:
        opener.get_by_role("button", name="ลงนามด้วยบัตร").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    return popup


def _answers(opener: Page, count: int = 1) -> list[dict[str, Any]]:
    opener.wait_for_function(f"window.answers.length >= {count}", timeout=10_000)
    answers: list[dict[str, Any]] = opener.evaluate("window.answers")
    return answers


def test_a_statement_signed_in_the_popup_reaches_only_its_origin(
    served: Served, opener: Page, shots: Shots
) -> None:
    """The popup shows the statement in Thai, axe-clean; the PIN signs; the opener receives a
    signature that verifies, from the agent's origin; the popup closes itself."""
    world = served.world
    payload = statement_payload(world.key_id)
    request = SignRequest.new("statement", payload, served.opener_url)
    before = world.state.signatures

    popup = _open_popup(served, opener, request.to_wire(world.request_key))
    shots(popup, "sign-page")
    check_axe(popup)
    assert "1 ต.ค. 2569" in popup.content()
    popup.get_by_label("รหัส PIN").fill(PIN)
    with popup.expect_event("close"):
        popup.keyboard.press("Enter")
    answers = _answers(opener)

    assert [served.agent_url] == [answer["origin"] for answer in answers]
    message = answers[0]["data"]
    assert ("signed", request.nonce) == (message["outcome"], message["nonce"])
    assert verify_signature(world.public_key, payload, b64decode(message["signature"]))
    assert before + 1 == world.state.signatures


def test_a_wrong_pin_then_cancel_in_the_browser(served: Served, opener: Page, shots: Shots) -> None:
    """A wrong PIN shows the tries left (axe-clean); cancel answers "cancelled", signing nothing."""
    world = served.world
    before = world.state.signatures
    request = SignRequest.login(served.opener_url)

    popup = _open_popup(served, opener, request.to_wire(world.request_key))
    popup.get_by_label("รหัส PIN").fill("000000")
    popup.get_by_role("button", name="ลงนามด้วยบัตร").click()
    popup.wait_for_load_state()
    shots(popup, "wrong-pin")
    check_axe(popup)
    assert "เหลือโอกาสอีก 2 ครั้ง" in popup.content()
    with popup.expect_event("close"):
        popup.get_by_role("button", name="ยกเลิก").click()
    answers = _answers(opener)

    assert "cancelled" == answers[0]["data"]["outcome"]
    assert before == world.state.signatures
    world.state.pin_tries = 3  # the module's card, for the tests after this one


def test_a_forged_request_is_refused_in_the_popup(
    served: Served, opener: Page, shots: Shots
) -> None:
    """A request signed by a key the agent does not trust: a refusal page, axe-clean, no answer."""
    stranger = nacl.signing.SigningKey.generate()
    wire = SignRequest.login(served.opener_url).to_wire(stranger)

    popup = _open_popup(served, opener, wire)
    shots(popup, "refused")
    check_axe(popup)

    assert "ไม่ลงนาม" in popup.title()
    assert "ไม่ได้ลงนามโดยเซิร์ฟเวอร์ที่เครื่องนี้เชื่อถือ" in popup.content()
    assert [] == opener.evaluate("window.answers")


def test_a_statement_for_another_key_tells_the_opener_and_stays_open(
    served: Served, opener: Page, shots: Shots
) -> None:
    """A trusted request the card cannot sign: the reason stays on screen, the opener hears
    "cancelled" (so its page stops waiting), and nothing is signed."""
    world = served.world
    before = world.state.signatures
    request = SignRequest.new("statement", statement_payload("0123456789abcdef"), served.opener_url)

    popup = _open_popup(served, opener, request.to_wire(world.request_key))
    answers = _answers(opener)
    shots(popup, "another-key")
    check_axe(popup)

    assert not popup.is_closed()
    assert "0123456789abcdef" in popup.content()
    assert ("cancelled", request.nonce) == (
        answers[0]["data"]["outcome"],
        answers[0]["data"]["nonce"],
    )
    assert before == world.state.signatures


def test_a_v2_statement_shows_its_values_and_a_wrong_disclosure_is_refused(
    served: Served, opener: Page, shots: Shots
) -> None:
    """A v2 statement's popup shows the disclosed name, never a commitment in the data, and is
    axe-clean; the same statement with one disclosure changed (a forged request the trusted
    key signed) is refused on screen naming the rule, the opener hears "cancelled", nothing
    is signed."""
    world = served.world
    payload, disclosures = v2_payload(world.key_id)
    request = SignRequest.new("statement", payload, served.opener_url, disclosures=disclosures)

    popup = _open_popup(served, opener, request.to_wire(world.request_key))
    shots(popup, "v2-sign-page")
    check_axe(popup)
    data = popup.locator("table.fields").inner_text()
    assert NAME_CHANGE["first_name"] in data
    assert "commitment" not in data
    popup.close()

    before = world.state.signatures
    wrong = {**disclosures, "last_name": Disclosure("ปลอมทดสอบ", bytes(32))}
    forged = SignRequest.new("statement", payload, served.opener_url, disclosures=wrong)
    popup = _open_popup(served, opener, forged.to_wire(world.request_key))
    answers = _answers(opener)
    shots(popup, "v2-refused")
    check_axe(popup)

    assert "personal.disclosure_wrong" in popup.content()
    assert "ปลอมทดสอบ" not in popup.content()
    assert ("cancelled", forged.nonce) == (
        answers[0]["data"]["outcome"],
        answers[0]["data"]["nonce"],
    )
    assert before == world.state.signatures
