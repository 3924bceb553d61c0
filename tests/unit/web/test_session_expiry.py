"""A session that runs out loses nothing typed: the login page says so and goes back to the
form's page (only a page of this application), where formkeep.js puts the values back."""

from __future__ import annotations

import uuid
from html import unescape

from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.web_kit import ORIGIN, answer, page_request, server_request
from web.deps import safe_next

EXPIRED_TH = "หมดเวลาการเข้าสู่ระบบ กรุณาเข้าสู่ระบบอีกครั้ง แล้วระบบจะพากลับไปที่แบบฟอร์มเดิม"


def _form_page(stream: uuid.UUID) -> str:
    return f"/app/records/{stream}/new/PositionSalaryEntryAdded"


def test_a_forms_post_without_session_goes_to_login_with_next(
    client: TestClient, kit: LedgerKit
) -> None:
    """An expired form POST: 303 to the login page, next = the form's page (its Referer)."""
    page = _form_page(uuid.uuid4())
    response = client.post(
        page,
        data={"effective": "01/04/2562"},
        headers={"Referer": f"{ORIGIN}{page}"},
        follow_redirects=False,
    )
    assert 303 == response.status_code
    location = response.headers["location"]
    assert location.startswith("/app/login?")
    login = client.get(location)
    assert EXPIRED_TH in login.text
    assert f'data-sign-target="/app/login?next={page.replace("/", "%2F")}"' in login.text


def test_an_htmx_post_without_session_moves_the_page_with_next(
    client: TestClient, kit: LedgerKit
) -> None:
    """An htmx POST whose session ran out: HX-Redirect to login, back to HX-Current-URL."""
    page = _form_page(uuid.uuid4())
    response = client.post(
        page,
        data={},
        headers={"HX-Request": "true", "HX-Current-URL": f"{ORIGIN}{page}"},
    )
    target = response.headers["hx-redirect"]
    assert target.startswith("/app/login?next=%2Fapp%2Frecords%2F")
    assert "expired=form" in target


def test_a_post_from_another_origins_page_gets_no_next(client: TestClient, kit: LedgerKit) -> None:
    """A Referer of another origin is never where the login goes back to."""
    response = client.post(
        _form_page(uuid.uuid4()),
        headers={"Referer": "http://evil.example/app/records", "Origin": ORIGIN},
        follow_redirects=False,
    )
    assert "/app/login?expired=form" == response.headers["location"]


def test_a_page_after_expiry_comes_back_to_itself(client: TestClient, kit: LedgerKit) -> None:
    """GET of a page without a session: login with next = that page, and a note saying so."""
    page = f"/app/records/{uuid.uuid4()}"
    response = client.get(page, follow_redirects=False)
    location = response.headers["location"]
    assert location == f"/app/login?next={page.replace('/', '%2F')}"
    assert "ระบบจะพากลับไปที่หน้าเดิม" in client.get(location).text


def test_logging_in_goes_back_to_next(client: TestClient, kit: LedgerKit) -> None:
    """The login page's button posts to /app/login?next=...; success goes there."""
    page = f"/app/records/{uuid.uuid4()}"
    html = client.get("/app/login", params={"next": page, "expired": "form"}).text
    wire, _nonce = page_request(html)
    target = unescape(html.split('data-sign-target="', 1)[1].split('"', 1)[0])
    data = answer(server_request(client, wire), wire, kit.hr.signer)
    response = client.post(target, data=data, headers={"HX-Request": "true"})
    assert (204, page) == (response.status_code, response.headers["hx-redirect"])


def test_next_refuses_other_origins(client: TestClient, kit: LedgerKit) -> None:
    """next to another origin, //evil, a backslash or the login page itself: home instead."""
    for bad in ["//evil.example/app/", "http://evil.example/app/", "/app/..//evil", "/\\evil"]:
        html = client.get("/app/login", params={"next": bad}).text
        wire, _nonce = page_request(html)
        assert 'data-sign-target="/app/login"' in html
        data = answer(server_request(client, wire), wire, kit.hr.signer)
        posted = client.post("/app/login", params={"next": bad}, data=data, follow_redirects=False)
        assert "/app/" == posted.headers["location"]
        client.cookies.clear()


def test_safe_next_keeps_only_pages_of_the_app() -> None:
    """safe_next: a path under /app, never a host, a scheme, //, \\, or the login page."""
    assert "/app/records/x?as_of=1" == safe_next("/app/records/x?as_of=1")
    assert [None] * 7 == [
        safe_next(bad)
        for bad in [
            "//evil.example",
            "/app//evil.example",
            "https://evil.example/app/",
            "/app\\evil",
            "/application",
            "/app/login?next=/app/",
            "/app/x\nSet-Cookie: a=b",
        ]
    ]


def test_the_language_switch_keeps_next(client: TestClient, kit: LedgerKit) -> None:
    """Switching to English on the login page keeps where the login goes back to."""
    html = client.get("/app/login", params={"next": "/app/audit", "expired": "form"}).text
    assert (
        'href="/app/lang/en?next=/app/login%3Fnext%3D%252Fapp%252Faudit%26expired%3Dform"' in html
    )
    english = client.get("/app/lang/en", params={"next": "/app/login?next=%2Fapp%2Faudit"})
    assert 'data-sign-target="/app/login?next=%2Fapp%2Faudit"' in english.text
