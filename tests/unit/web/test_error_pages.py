"""Error pages and shortcuts by role: a shortcut only to a page the role may open, every error
page with the logged-in header when there is a session, English only on the English switch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ledger.domain.permissions import Role
from tests.ledger_kit import TAK_LAO, LedgerKit
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import log_in


def test_finance_is_offered_no_search_shortcut(client: TestClient, kit: LedgerKit) -> None:
    """e-Plan finance reads no personal data: its home offers no ค้นหาบุคคล, but e-Plan."""
    log_in(client, kit.operator([Role.EPLAN_FINANCE], TAK_LAO).signer)
    home = client.get("/app/").text
    assert 'href="/app/records"' not in home
    assert 'id="shortcut-eplan"' in home


def test_hr_is_offered_the_search_shortcut(client: TestClient, kit: LedgerKit) -> None:
    """The HR officer, who may search, is offered the search on the home page."""
    log_in(client, kit.hr.signer)
    assert 'id="shortcut-records"' in client.get("/app/").text


def test_a_403_page_keeps_the_logged_in_header_in_thai(client: TestClient, kit: LedgerKit) -> None:
    """Finance opening the search: 403 in Thai with the rule id, the menu and logout, no
    login link and no English."""
    log_in(client, kit.operator([Role.EPLAN_FINANCE], TAK_LAO).signer)
    response = client.get("/app/records")
    html = response.text
    assert 403 == response.status_code
    assert 'id="logout-button"' in html
    assert 'id="who"' in html
    assert 'href="/app/login"' not in html
    assert "บทบาทหรือขอบเขตไม่มีสิทธิ์" in html
    assert '<code id="error-rule">forbidden</code>' in html
    assert 1 == html.split("<main")[1].count("บทบาทหรือขอบเขตไม่มีสิทธิ์")  # once, the heading
    assert "Forbidden by role or scope" not in html
    assert "HTTP 403" not in html
    assert [] == page_problems(html)


def test_the_english_switch_shows_the_english(client: TestClient, kit: LedgerKit) -> None:
    """On the English switch the same 403 says it in English, with the status."""
    log_in(client, kit.operator([Role.EPLAN_FINANCE], TAK_LAO).signer)
    client.cookies.set("lang", "en")
    html = client.get("/app/records").text
    assert "Forbidden by role or scope" in html
    assert "HTTP 403" in html


def test_a_404_page_keeps_the_header_and_thai(client: TestClient, kit: LedgerKit) -> None:
    """An unknown page when logged in: 404 in Thai, the logged-in header, no English words."""
    log_in(client, kit.hr.signer)
    response = client.get("/app/no-such-page")
    assert 404 == response.status_code
    assert 'id="logout-button"' in response.text
    assert "ไม่พบหน้านี้" in response.text
    assert "Page not found" not in response.text


def test_an_error_page_without_session_offers_login(client: TestClient, kit: LedgerKit) -> None:
    """Without a session the error page's header offers the login page, as before."""
    html = client.get("/app/no-such-page").text
    assert 'href="/app/login"' in html
    assert 'id="logout-button"' not in html
