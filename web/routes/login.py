"""Logging in with the card through the signing agent, logging out, and the language switch.

GET ``/app/login`` issues a login ``SignRequest`` (its nonce remembered by the app's
``NonceBook``) and shows the button that has ``signing.js`` carry it to the agent. The agent's
answer is POSTed to ``/app/login`` (fields ``request``, ``key_id``, ``signature``), and the
server checks, in this order: the request is its own (signed by its request key, not expired),
a login, for ``settings.web_origin``; its nonce is one it issued and not yet spent; the key is
enrolled and not revoked; the signature verifies over ``request.signed_message()`` under the
enrolled public key. Then the key gets an API token (``SessionAuthority.issue_token``) in the
``ledger_session`` cookie: HttpOnly, SameSite=Strict, Secure when the origin is https. The
answer to a successful login is ``HX-Redirect: /app/`` (a 303 when not asked by htmx/fetch).

Stable ids for browser tests: ``#login-button`` (the sign button), ``#login-result`` (where the
outcome is swapped in), ``#status`` (the layout's live region), ``#logout-button``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import nacl.exceptions
import nacl.signing
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, SessionsDep
from ledger.errors import LedgerError
from ledger.sign_requests import SignRequest, SignRequestError, b64decode
from web.deps import (
    LANG_COOKIE,
    OptionalSessionDep,
    WebDep,
    is_htmx,
    render,
    require_same_origin,
    safe_next,
)
from web.rendering import LANGS
from web.session_cookie import SESSION_COOKIE, set_session_cookie

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


class LoginRefusedError(Exception):
    def __init__(self, th: str, en: str, status: int = 403) -> None:
        super().__init__(en)
        self.th, self.en, self.status = th, en, status


@router.get("/app/login")
def login_page(
    request: Request,
    web: WebDep,
    session: OptionalSessionDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    expired: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The login page; ``next`` (only a page of ours, ``safe_next``) is where a successful login
    goes, ``expired=form`` says a form's session ran out (``web.errors.login_target``)."""
    settings = request.app.state.settings
    sign_request = SignRequest.login(settings.web_origin)
    web.nonces.issue(sign_request)
    back = safe_next(next)
    target = "/app/login" + (f"?{urlencode({'next': back})}" if back else "")
    return render(
        request,
        "login.html",
        {
            "wire": web.request_key.wire(sign_request),
            "nonce": sign_request.nonce,
            "next": back,
            "sign_target": target,
            "expired": expired == "form",
        },
        session=session,
    )


@router.post("/app/login")
def login(
    request: Request,
    web: WebDep,
    ledger: LedgerDep,
    sessions: SessionsDep,
    request_wire: Annotated[str, Form(alias="request", max_length=70_000)],
    key_id: Annotated[str, Form(max_length=64)] = "",
    signature: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    try:
        checked_key = _check_login(request, web, ledger, request_wire, key_id, signature)
    except LoginRefusedError as refusal:
        return render(
            request,
            "login_result.html",
            {"refusal_th": refusal.th, "refusal_en": refusal.en},
            status_code=refusal.status,
        )
    token = sessions.issue_token(checked_key)
    home = safe_next(next) or "/app/"
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": home})
    else:
        response = RedirectResponse(home, status_code=303)
    set_session_cookie(response, token.value, request.app.state.settings)
    return response


def _check_login(
    request: Request, web: WebDep, ledger: LedgerDep, wire: str, key_id: str, signature: str
) -> str:
    try:
        sign_request = web.request_key.read(wire)
    except SignRequestError as error:
        raise LoginRefusedError(error.thai, error.reason) from None
    origin = request.app.state.settings.web_origin
    if sign_request.kind != "login" or sign_request.origin != origin:
        raise LoginRefusedError(
            "คำขอนี้ไม่ใช่คำขอเข้าสู่ระบบของเว็บไซต์นี้", "this is not a login request for this site"
        )
    if not web.nonces.spend(sign_request.nonce):
        raise LoginRefusedError(
            "คำขอเข้าสู่ระบบนี้ใช้ไปแล้ว กรุณาเริ่มใหม่",
            "this login request has already been used; start again",
        )
    try:
        enrolment = ledger.active_enrolment(key_id)
    except LedgerError:
        raise LoginRefusedError(
            "บัตรนี้ไม่ได้ลงทะเบียนไว้ หรือถูกเพิกถอนแล้ว",
            "the card's key is not enrolled, or it has been revoked",
        ) from None
    try:
        raw = b64decode(signature)
        nacl.signing.VerifyKey(enrolment.public_key).verify(sign_request.signed_message(), raw)
    except (ValueError, TypeError, nacl.exceptions.BadSignatureError):
        raise LoginRefusedError(
            "ลายมือชื่อไม่ถูกต้องสำหรับกุญแจที่ลงทะเบียนไว้",
            "the signature does not verify under the enrolled key",
        ) from None
    return enrolment.key_id


@router.post("/app/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/app/lang/{lang}")
def switch_language(lang: str, next: str = "/app/") -> Response:
    """Sets the ``lang`` cookie and goes back (only to a page of this application)."""
    target = next if next.startswith("/app") and "//" not in next and "\\" not in next else "/app/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86_400, path="/", samesite="lax")
    return response
