"""The session cookie: how it is set, and how a session in use stays alive.

The cookie ``ledger_session`` holds an API token (``api.sessions``), HttpOnly, SameSite=Strict,
Secure when the application's origin is https. A token lives ``session_ttl_seconds`` (15 minutes
by default): an HR officer filling in forms all morning must not be logged out every quarter of
an hour, so the session slides. A page answered with success (2xx) to a request whose token has
less than half its life left gets a fresh token for the same key in its answer. The key's
enrolment is still read on every request (``web.deps``), so a revoked key's session ends at once
however fresh its token; an idle session still dies ``session_ttl_seconds`` after its last page.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from api.sessions import SessionAuthority, SessionError
from ledger.settings import LedgerSettings

SESSION_COOKIE = "ledger_session"


def set_session_cookie(response: Response, token: str, settings: LedgerSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.web_origin.startswith("https://"),
    )


def _sets_session(response: Response) -> bool:
    """The route itself set or cleared the cookie (login, logout): leave it be."""
    return any(
        value.startswith(f"{SESSION_COOKIE}=")
        for name, value in response.headers.items()
        if name == "set-cookie"
    )


async def refresh_session(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """HTTP middleware: slide a page's session (see the module docstring)."""
    response = await call_next(request)
    token = request.cookies.get(SESSION_COOKIE)
    if (
        not token
        or not request.url.path.startswith("/app")
        or not 200 <= response.status_code < 300
    ):
        return response
    if _sets_session(response):
        return response
    settings: LedgerSettings = request.app.state.settings
    sessions: SessionAuthority = request.app.state.sessions
    try:
        key_id, expires_at = sessions.read_token(token)
    except SessionError:
        return response
    if expires_at.timestamp() - time.time() < settings.session_ttl_seconds / 2:
        set_session_cookie(response, sessions.issue_token(key_id).value, settings)
    return response
