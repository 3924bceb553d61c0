"""What the pages depend on: the web state, the caller's session from its cookie, the reader,
the same-origin check on every POST, and rendering a page with the layout's context.

* ``get_web_session``: the ``ledger_session`` cookie holds an API token (``api.sessions``); it
  is read exactly as ``api.deps.get_session`` reads a bearer token, and the key's enrolment is
  read on every request, so revoking a key ends its web session at once. No cookie, or a token
  that is forged, expired or of a revoked key: ``LoginRequiredError``, which ``web.errors`` turns
  into a 303 to ``/app/login`` (an htmx request gets ``HX-Redirect`` instead).
* ``get_web_reader``: the caller as ``api.access.Reader``, so a page applies the read matrix,
  the scope and the access log exactly as the API's endpoint does.
* ``require_same_origin``: every POST must carry ``Origin`` (or, failing that, ``Referer``)
  of ``settings.web_origin``; anything else is ``CrossSiteRequestError`` (a 403 page in Thai and
  English). With the cookie ``SameSite=Strict`` this is the second lock on the door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.access import Reader
from api.deps import AccessLogDep, LedgerDep, SessionsDep
from api.sessions import Session, SessionError
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import Role
from ledger.domain.reading import DataKind, kinds_readable, only_own_record
from ledger.errors import LedgerError
from web.labels import role_label, scope_label
from web.rendering import request_lang
from web.request_key import NonceBook, RequestKey
from web.session_cookie import SESSION_COOKIE

LANG_COOKIE = "lang"
LOGIN_PATH = "/app/login"


class LoginRequiredError(Exception):
    """A page needs a session and the request has none that is live."""


class CrossSiteRequestError(Exception):
    """A POST that did not come from the application's own pages (CSRF)."""


@dataclass(slots=True)
class WebState:
    """What one web app holds beside the API's adapters (``app.state.web``)."""

    templates: Jinja2Templates
    request_key: RequestKey
    nonces: NonceBook
    extra: dict[str, Any] = field(default_factory=dict)


def get_web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


WebDep = Annotated[WebState, Depends(get_web)]


def optional_session(request: Request, ledger: LedgerDep, sessions: SessionsDep) -> Session | None:
    """The caller's live session from the cookie, or ``None`` (no cookie, or not live)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        key_id, expires_at = sessions.read_token(token)
        enrolment = ledger.active_enrolment(key_id)
    except (SessionError, LedgerError):
        return None
    return Session(key_id=key_id, enrolment=enrolment, expires_at=expires_at)


OptionalSessionDep = Annotated[Session | None, Depends(optional_session)]


def get_web_session(session: OptionalSessionDep) -> Session:
    """The caller's session, or ``LoginRequiredError`` (a redirect to the login page)."""
    if session is None:
        raise LoginRequiredError
    return session


WebSessionDep = Annotated[Session, Depends(get_web_session)]


def get_web_reader(request: Request, session: WebSessionDep, log: AccessLogDep) -> Reader:
    """The caller as a reader of this page (its method and route template, as in the log)."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return Reader(session=session, endpoint=f"{request.method} {path}", log=log)


WebReaderDep = Annotated[Reader, Depends(get_web_reader)]


def same_origin(request: Request) -> bool:
    """Whether the request says it came from the application's own origin."""
    expected = request.app.state.settings.web_origin
    origin = request.headers.get("origin")
    if origin is not None:
        return bool(origin == expected)
    referer = request.headers.get("referer")
    return referer is not None and (referer == expected or referer.startswith(expected + "/"))


def require_same_origin(request: Request) -> None:
    """A router dependency: every unsafe method must come from ``web_origin``."""
    if request.method not in {"GET", "HEAD", "OPTIONS"} and not same_origin(request):
        raise CrossSiteRequestError


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a page of this application to go back to after logging in, else
    None: a same-origin path under ``/app`` only (no scheme, no host, no ``//`` or ``\\``
    that a browser would read as another origin, no control characters), never the login or
    logout page itself."""
    if not target or len(target) > 2000:
        return None
    if not (target == "/app" or target.startswith("/app/")):
        return None
    if (
        "//" in target
        or "\\" in target
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
    ):
        return None
    path = target.split("?", 1)[0].rstrip("/")
    if path in {LOGIN_PATH, "/app/logout"}:
        return None
    return target


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def who(enrolment: Enrolment, lao_name: str | None = None) -> dict[str, str | bool]:
    """How the header names the caller: key id, roles and scope (an LAO by ``lao_name``),
    never a citizen ID (and whether the menu offers the audit pages; a record owner enrolled
    by her record, the link to it: ``own_record``)."""
    owner = enrolment.record is not None and Role.RECORD_OWNER in enrolment.roles
    return {
        "own_record": str(enrolment.record) if owner else "",
        "key_id": enrolment.key_id,
        "roles_th": ", ".join(role_label(role, "th") for role in sorted(enrolment.roles)),
        "roles_en": ", ".join(role_label(role, "en") for role in sorted(enrolment.roles)),
        "scope_th": scope_label(enrolment.scope, "th", lao_name),
        "scope_en": scope_label(enrolment.scope, "en", lao_name),
        "audits": DataKind.AUDIT in kinds_readable(enrolment.roles),
        "finds_people": DataKind.PERSONAL in kinds_readable(enrolment.roles),
        "eplan": DataKind.EPLAN in kinds_readable(enrolment.roles),
        "dashboards": DataKind.PERSONNEL in kinds_readable(enrolment.roles)
        and not only_own_record(enrolment.roles),
    }


def _lao_name(request: Request, session: Session | None, status_code: int) -> str | None:
    """The registered name of an LAO-scoped caller's LAO for the page header, read from the
    organizations registry (not for a 5xx page, where the database may be what failed). Read
    for an htmx answer too: a page drawn whole for htmx (a search posted by htmx to the whole
    page) has the header, which must name the LAO as every other page does."""
    if session is None or status_code >= 500:
        return None
    scope = session.enrolment.scope
    reports = getattr(request.app.state, "reports", None)
    if scope.level != "lao" or scope.lao is None or reports is None:
        return None
    names: dict[str, str] = reports.lao_names([scope.lao])
    return names.get(scope.lao)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    session: Session | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page (or an htmx fragment) with what the layout needs: language, the ledger's name,
    who is logged in, the agent's address for ``signing.js``."""
    web = get_web(request)
    settings = request.app.state.settings
    ledger = getattr(request.app.state, "ledger", None)
    lao_name = _lao_name(request, session, status_code)
    full: dict[str, Any] = {
        "lang": request_lang(request),
        "ledger_name": ledger.name if ledger is not None else settings.name,
        "user": None if session is None else who(session.enrolment, lao_name),
        "agent_url": settings.agent_url,
        "agent_origin": settings.agent_url.rstrip("/"),
        "web_origin": settings.web_origin,
        "htmx": is_htmx(request),
        "path": request.url.path,
        # The language switch comes back here, query and all (the login page's ``next``).
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    full.update(context or {})
    return web.templates.TemplateResponse(
        request, template, full, status_code=status_code, headers=headers
    )
