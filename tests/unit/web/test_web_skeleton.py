"""The web application's frame: the root redirect, the assets, the layout, the language switch."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.web_kit import log_in


def test_root_redirects_to_the_application(client: TestClient, kit: LedgerKit) -> None:
    """``/`` is a 303 to ``/app/``."""
    response = client.get("/", follow_redirects=False)
    assert (303, "/app/") == (response.status_code, response.headers["location"])


def test_api_keeps_its_paths(client: TestClient, kit: LedgerKit) -> None:
    """The API still answers at its own paths beside the pages."""
    assert 200 == client.get("/health").status_code


def test_htmx_and_the_style_sheet_are_served(client: TestClient, kit: LedgerKit) -> None:
    """The assets come from the package, not a CDN."""
    htmx = client.get("/static/htmx.min.js")
    assert (200, True) == (htmx.status_code, "htmx" in htmx.text)
    assert 200 == client.get("/static/app.css").status_code
    assert "ledger-agent" in client.get("/static/signing.js").text


def test_the_login_page_is_thai_with_the_layout(client: TestClient, kit: LedgerKit) -> None:
    """The login page is Thai, with the skip link, main landmark and live region."""
    html = client.get("/app/login").text
    assert '<html lang="th">' in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert 'aria-live="polite"' in html
    assert "เข้าสู่ระบบด้วยบัตร" in html


def test_the_language_switch_sets_its_cookie(client: TestClient, kit: LedgerKit) -> None:
    """English by the ``lang`` cookie; the switch goes back only to a page of the app."""
    switched = client.get("/app/lang/en?next=/app/login", follow_redirects=False)
    assert (303, "/app/login") == (switched.status_code, switched.headers["location"])
    html = client.get("/app/login").text
    assert '<html lang="en">' in html
    assert "Log in with your card" in html
    away = client.get("/app/lang/th?next=//evil.example/", follow_redirects=False)
    assert "/app/" == away.headers["location"]


def test_home_needs_a_session(client: TestClient, kit: LedgerKit) -> None:
    """Without a session the home page redirects to the login page."""
    response = client.get("/app/", follow_redirects=False)
    assert (303, "/app/login") == (response.status_code, response.headers["location"])


def test_home_after_login_names_the_role_not_the_citizen_id(
    client: TestClient, kit: LedgerKit
) -> None:
    """Logged in, the header shows the role in Thai and the scope, never a citizen ID."""
    log_in(client, kit.hr.signer)
    html = client.get("/app/").text
    assert "งานที่ต้องทำ" in html
    assert "นักทรัพยากรบุคคล" in html
    assert "นครพนม" in html
    assert kit.hr.cid not in html


def test_htmx_swaps_the_pages_refusals_in(client: TestClient) -> None:
    """The layout tells htmx to swap 4xx answers (our Thai refusals beside their fields, 403
    and stale pages) into the page, as htmx 2 does not by default, and to keep 5xx out."""
    page = client.get("/app/login").text
    config = json.loads(
        html.unescape(re.search(r'name="htmx-config" content=\'([^\']+)\'', page)[1])
    )

    def handling(status: int) -> dict[str, object]:
        rules = config["responseHandling"]
        return next(rule for rule in rules if re.match(rule["code"], str(status)))

    assert [True, True, True, True] == [handling(s)["swap"] for s in (200, 403, 409, 422)]
    assert (False, True) == (handling(500)["swap"], handling(503)["error"])
    assert handling(204)["swap"] is False
