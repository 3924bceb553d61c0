"""Logging in with the card: the server's checks of the agent's answer, the session cookie, the
same-origin rule on POSTs, and pages that need a session."""

from __future__ import annotations

import time
from pathlib import Path

import nacl.signing
from fastapi.testclient import TestClient

from api.sessions import SessionAuthority
from ledger.sign_requests import SignRequest, login_payload, new_request_nonce
from ledger.signing import SoftwareSigner
from tests.ledger_kit import LedgerKit
from tests.unit.api.http_kit import revoke
from tests.unit.web.web_kit import (
    ORIGIN,
    SESSION_SECRET,
    answer,
    log_in,
    page_request,
    server_request,
)
from web.app import create_web_app


def _login_page_answer(client: TestClient, signer: SoftwareSigner) -> dict[str, str]:
    wire, _nonce = page_request(client.get("/app/login").text)
    return answer(server_request(client, wire), wire, signer)


def _own_key_request(client: TestClient, origin: str, expires_at: int) -> tuple[SignRequest, str]:
    nonce = new_request_nonce()
    request = SignRequest("login", login_payload(origin, nonce), origin, nonce, expires_at)
    return request, client.app.state.web.request_key.wire(request)  # type: ignore[attr-defined]


def test_login_issues_a_strict_http_only_cookie(client: TestClient, kit: LedgerKit) -> None:
    """The agent's good answer gives a session cookie: HttpOnly, SameSite=Strict, to /app/."""
    response = log_in(client, kit.hr.signer)
    cookie = response.headers["set-cookie"]
    assert "/app/" == response.headers["location"]
    assert cookie.startswith("ledger_session=v1.")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # the test origin is http


def test_an_htmx_login_moves_the_page(client: TestClient, kit: LedgerKit) -> None:
    """Asked by signing.js (HX-Request), success is HX-Redirect to the home page."""
    data = _login_page_answer(client, kit.hr.signer)
    response = client.post("/app/login", data=data, headers={"HX-Request": "true"})
    assert (204, "/app/") == (response.status_code, response.headers["hx-redirect"])


def test_another_servers_request_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """A request signed by a key that is not this app's request key is refused."""
    nonce = new_request_nonce()
    request = SignRequest(
        "login", login_payload(ORIGIN, nonce), ORIGIN, nonce, int(time.time()) + 60
    )
    wire = request.to_wire(nacl.signing.SigningKey.generate())
    response = client.post("/app/login", data=answer(request, wire, kit.hr.signer))
    assert 403 == response.status_code
    assert "ไม่ได้ลงนามโดยเซิร์ฟเวอร์" in response.text
    assert "ledger_session" not in response.headers.get("set-cookie", "")


def test_an_expired_request_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """The app's own request past its expiry is refused."""
    request, wire = _own_key_request(client, ORIGIN, int(time.time()) - 1)
    response = client.post("/app/login", data=answer(request, wire, kit.hr.signer))
    assert 403 == response.status_code
    assert "หมดอายุ" in response.text


def test_a_replayed_answer_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """An answer is good once: its nonce is spent by the first login."""
    data = _login_page_answer(client, kit.hr.signer)
    assert 303 == client.post("/app/login", data=data, follow_redirects=False).status_code
    replayed = client.post("/app/login", data=data, follow_redirects=False)
    assert 403 == replayed.status_code
    assert "ใช้ไปแล้ว" in replayed.text


def test_a_request_the_app_never_issued_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """A well-signed request whose nonce this app did not issue is refused (one-time nonces)."""
    request, wire = _own_key_request(client, ORIGIN, int(time.time()) + 60)
    response = client.post("/app/login", data=answer(request, wire, kit.hr.signer))
    assert 403 == response.status_code


def test_a_request_for_another_origin_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """A login request naming another origin is refused."""
    request, wire = _own_key_request(client, "http://evil.example", int(time.time()) + 60)
    response = client.post("/app/login", data=answer(request, wire, kit.hr.signer))
    assert 403 == response.status_code
    assert "ไม่ใช่คำขอเข้าสู่ระบบของเว็บไซต์นี้" in response.text


def test_an_unenrolled_key_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """A card whose key the ledger never enrolled cannot log in."""
    response = client.post("/app/login", data=_login_page_answer(client, SoftwareSigner.generate()))
    assert 403 == response.status_code
    assert "ไม่ได้ลงทะเบียน" in response.text


def test_a_revoked_key_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """A revoked key cannot log in."""
    revoke(kit, kit.hr)
    response = client.post("/app/login", data=_login_page_answer(client, kit.hr.signer))
    assert 403 == response.status_code
    assert "ถูกเพิกถอน" in response.text


def test_a_bad_signature_is_refused(client: TestClient, kit: LedgerKit) -> None:
    """Another key's signature under the HR officer's key id is refused."""
    data = _login_page_answer(client, SoftwareSigner.generate())
    data["key_id"] = kit.hr.signer.key_id
    response = client.post("/app/login", data=data)
    assert 403 == response.status_code
    assert "ลายมือชื่อไม่ถูกต้อง" in response.text


def test_garbage_is_refused_without_a_server_error(client: TestClient, kit: LedgerKit) -> None:
    """An unreadable request or signature is a refusal page, never a 5xx."""
    data = _login_page_answer(client, kit.hr.signer)
    assert 403 == client.post("/app/login", data={"request": "x.y"}).status_code
    assert 403 == client.post("/app/login", data={**data, "signature": "!!"}).status_code
    assert 400 == client.post("/app/login", data={}).status_code


def test_a_post_without_origin_is_refused(kit: LedgerKit) -> None:
    """A POST with neither Origin nor Referer of the app is a 403 page in Thai and English."""
    app = create_web_app(kit.ledger.settings, kit.ledger)
    with TestClient(app, base_url=ORIGIN) as bare:
        data = _login_page_answer(bare, kit.hr.signer)
        refused = bare.post("/app/login", data=data)
        foreign = bare.post("/app/login", data=data, headers={"Origin": "http://evil.example"})
        referred = bare.post(
            "/app/login", data=data, headers={"Referer": f"{ORIGIN}/app/login"},
            follow_redirects=False,
        )  # fmt: skip
    assert (403, 403) == (refused.status_code, foreign.status_code)
    assert "ไม่ได้มาจากหน้าของระบบ" in refused.text
    assert '<html lang="th">' in refused.text
    assert 303 == referred.status_code


def test_pages_need_a_session_and_logout_ends_it(client: TestClient, kit: LedgerKit) -> None:
    """Home redirects to login without a session, shows with one, and again not after logout."""
    assert 303 == client.get("/app/", follow_redirects=False).status_code
    log_in(client, kit.hr.signer)
    assert 200 == client.get("/app/", follow_redirects=False).status_code
    out = client.post("/app/logout", follow_redirects=False)
    assert (303, "/app/login") == (out.status_code, out.headers["location"])
    assert 303 == client.get("/app/", follow_redirects=False).status_code


def test_revoking_a_key_ends_its_web_session(client: TestClient, kit: LedgerKit) -> None:
    """The enrolment is read on every page: a revoked key's session is over at once."""
    log_in(client, kit.hr.signer)
    revoke(kit, kit.hr)
    response = client.get("/app/", follow_redirects=False)
    assert (303, "/app/login") == (response.status_code, response.headers["location"])


def test_an_htmx_request_without_session_gets_hx_redirect(
    client: TestClient, kit: LedgerKit
) -> None:
    """A partial update whose session expired moves the whole page to the login page."""
    response = client.get("/app/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert "/app/login" == response.headers["hx-redirect"]


def test_a_forged_cookie_is_no_session(client: TestClient, kit: LedgerKit) -> None:
    """A cookie the app did not issue is the same as none."""
    client.cookies.set("ledger_session", "v1.0123456789abcdef.9999999999." + "A" * 43)
    assert 303 == client.get("/app/", follow_redirects=False).status_code


def test_a_request_one_worker_issued_is_answered_through_another_once(
    client: TestClient, kit: LedgerKit, tmp_path: Path
) -> None:
    """Two server processes of one deployment (same database, session secret and request key):
    the login page comes from one, the agent's answer reaches the other and logs in, and the
    same answer replayed at the first is refused (the nonce is spent for both)."""
    key_file = tmp_path / "request.key"
    key_file.write_text(bytes(nacl.signing.SigningKey.generate()).hex(), encoding="ascii")
    settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"web_request_key_file": key_file}
    )
    first, second = create_web_app(settings, kit.ledger), create_web_app(settings, kit.ledger)
    with (
        TestClient(first, base_url=ORIGIN, headers={"Origin": ORIGIN}) as one,
        TestClient(second, base_url=ORIGIN, headers={"Origin": ORIGIN}) as other,
    ):
        data = _login_page_answer(one, kit.hr.signer)

        logged_in = other.post("/app/login", data=data, follow_redirects=False)
        replayed = one.post("/app/login", data=data, follow_redirects=False)

    assert 303 == logged_in.status_code
    assert 403 == replayed.status_code


def _token_issued_ago(key_id: str, seconds: float) -> str:
    authority = SessionAuthority(
        SESSION_SECRET.encode(), token_ttl_seconds=900, clock=lambda: time.time() - seconds
    )
    return authority.issue_token(key_id).value


def test_a_session_in_use_slides(client: TestClient, kit: LedgerKit) -> None:
    """A page asked in the second half of a token's life answers with a fresh token; in the
    first half the cookie is left alone."""
    client.cookies.set("ledger_session", _token_issued_ago(kit.hr.signer.key_id, 600))
    old = client.get("/app/")
    assert 200 == old.status_code
    assert old.headers.get("set-cookie", "").startswith("ledger_session=v1.")
    assert "HttpOnly" in old.headers["set-cookie"]
    client.cookies.set("ledger_session", _token_issued_ago(kit.hr.signer.key_id, 60))
    assert "set-cookie" not in client.get("/app/").headers


def test_logout_is_not_undone_by_the_slide(client: TestClient, kit: LedgerKit) -> None:
    """Logging out late in a session clears the cookie; no fresh token follows."""
    client.cookies.set("ledger_session", _token_issued_ago(kit.hr.signer.key_id, 600))
    out = client.post("/app/logout", follow_redirects=False)
    (cookie,) = out.headers.get_list("set-cookie")
    assert cookie.startswith('ledger_session=""')
