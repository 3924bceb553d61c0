"""Errors on the pages: a page in Thai and English, never problem JSON or a traceback.

The API's handlers (``api.errors``) stay for every path outside ``/app``; for ``/app/...`` the
same errors become an error page with the API's status and its Thai and English titles. A page
that needs a session and has none redirects to the login page (303; an htmx request gets
``HX-Redirect`` so the whole page moves). A POST from another origin is a 403 page. A body
over its size limit, which ``api.limits.BodySizeLimit`` refuses before any route sees it, is
the page ``too_large_page`` draws (413, Thai and English, the rule and the field).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from api.access import Reader
from api.errors import (
    handle_http_error,
    handle_known_error,
    handle_unexpected_error,
    handle_validation_error,
    problem_kind,
)
from api.limits import BODY_TOO_LARGE, RefusalPage
from api.routes.registry import require_live_record, require_record
from api.sessions import Session, SessionError
from ledger.admission_rules import NOT_FOUND
from ledger.application import Ledger
from ledger.errors import StreamNotFoundError
from ledger.violations import Violation
from web.deps import (
    LOGIN_PATH,
    CrossSiteRequestError,
    LoginRequiredError,
    is_htmx,
    optional_session,
    render,
    safe_next,
)
from web.own_erasure import OwnRecordErasedError, refuse_own_erased

logger = logging.getLogger("web")

Handler = Callable[[Request, Exception], Awaitable[Response]]

PAGES = "/app"


def _on_pages(request: Request) -> bool:
    return _on_pages_path(request.url.path)


def error_page(
    request: Request,
    status: int,
    title_th: str,
    title_en: str,
    detail: str = "",
    *,
    rule: str = "",
) -> Response:
    """The error page: Thai (with ``rule``, the id of the rule refused, when there is one), the
    English title, ``detail`` and status on the English switch only; the logged-in header
    (who, menu, logout) whenever the request has a live session, so a 403 never looks like
    being logged out."""
    logger.info("%s %s page refused %d", request.method, request.url.path, status)
    context = {
        "status": status,
        "title_th": title_th,
        "title_en": title_en,
        "detail": detail,
        "rule": rule,
    }
    return render(request, "error.html", context, status_code=status, session=_session_of(request))


def too_large_page(field: str) -> RefusalPage:
    """The page refusing a body over its limit on the pages: the rule, ``field`` ("file": an
    upload, whose limit is the document's, what the upload block announces; else "body"), and
    a way back to the page the form was on (its ``Referer``, when it is one of ours)."""

    def page(scope: Scope, limit: int) -> bytes:
        request = Request(scope)
        settings = request.app.state.settings
        shown = settings.max_document_bytes if field == "file" else limit
        violation = Violation(BODY_TOO_LARGE, field, {"limit": f"{shown:,}"})
        logger.info("%s %s page refused 413", request.method, request.url.path)
        context = {
            "violations": [violation],
            "upload": field == "file",
            "limit_mb": shown // (1024 * 1024),
            "back": _our_page(request.headers.get("referer", ""), settings.web_origin),
        }
        session = _session_of(request)
        page = render(request, "too_large.html", context, status_code=413, session=session)
        return bytes(page.body)

    return page


def _session_of(request: Request) -> Session | None:
    """The logged-in session (for the menu), read from the cookie as the pages read it."""
    ledger = getattr(request.app.state, "ledger", None)
    sessions = getattr(request.app.state, "sessions", None)
    if ledger is None or sessions is None:
        return None
    try:
        return optional_session(request, ledger, sessions)
    except Exception:  # an error page (a 500 too) must draw, with or without its menu
        logger.info("%s %s no session for the error page's menu", request.method, request.url.path)
        return None


def _our_page(referer: str, web_origin: str) -> str | None:
    """The path of ``referer`` when it is a page of this application, else None."""
    parts = urlsplit(referer)
    if f"{parts.scheme}://{parts.netloc}" != web_origin.rstrip("/"):
        return None
    if not _on_pages_path(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _on_pages_path(path: str) -> bool:
    return path == PAGES or path.startswith(PAGES + "/")


class RecordNotReadableError(Exception):
    """A page's record is unknown or outside the caller's share."""


NOT_READABLE = (
    "ไม่พบประวัตินี้ในส่วนที่ท่านมีสิทธิ์อ่าน",
    "No such record within what you may read",
)


def not_readable_page(request: Request) -> Response:
    """The one answer of every page about a record one may not read, whether it exists or
    not: 404 naming the rule ``stream.not_found``, as the API answers (``api.access``), same
    words for both, so the pages reveal no record's existence outside one's share (a record
    owner opening another's record, an LAO's officer another LAO's). A role that may not read
    records at all is refused before any record is looked up (403)."""
    return error_page(request, 404, *NOT_READABLE, rule=NOT_FOUND.id)


def require_readable(reader: Reader, ledger: Ledger, stream: UUID, *, live: bool = False) -> None:
    """``api.routes.registry.require_record`` on a page: a record unknown or outside the
    caller's share is ``RecordNotReadableError`` (the page ``not_readable_page`` draws); a
    role that reads no records, the 403 of ``ForbiddenError``. ``live``: for what adds to the
    record, an erased person's is refused 410 ``person.erased`` (``require_live_record``)."""
    try:
        (require_live_record if live else require_record)(reader, ledger, stream)
    except StreamNotFoundError:
        refuse_own_erased(reader, ledger, stream)  # her own record erased: she is told so
        raise RecordNotReadableError from None


async def _not_readable(request: Request, error: Exception) -> Response:
    return not_readable_page(request)


async def _own_erased(request: Request, error: Exception) -> Response:
    """A record owner's page of her own erased record (``web.own_erasure``): 410, the day and
    the legal basis of the erasure, nothing else of the record."""
    erasure = error.erasure if isinstance(error, OwnRecordErasedError) else None
    logger.info("%s %s own record erased", request.method, request.url.path)
    context = {"erasure": erasure}
    session = _session_of(request)
    return render(request, "owner_erased.html", context, status_code=410, session=session)


def login_target(request: Request) -> str:
    """Where a request without a live session is sent: the login page, with ``next`` the page
    to come back to once logged in. A page asked for directly comes back to itself; a form's
    POST (and any htmx request) to the page it was sent from (``HX-Current-URL`` or
    ``Referer``, only when one of ours), where ``web/static/formkeep.js`` puts back what was
    typed; ``expired=form`` has the login page say so. Home needs no ``next``."""
    settings = request.app.state.settings
    posted = request.method not in {"GET", "HEAD"}
    if posted or is_htmx(request):
        seen = request.headers.get("hx-current-url") or request.headers.get("referer", "")
        back = _our_page(seen, settings.web_origin)
    else:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = safe_next(_without_personal_terms(back))
    if back is None or back == "/app/":
        return LOGIN_PATH + ("?expired=form" if posted else "")
    return LOGIN_PATH + "?" + urlencode({"next": back} | ({"expired": "form"} if posted else {}))


PERSONAL_TERMS = frozenset({"q", "name"})


def _without_personal_terms(target: str | None) -> str | None:
    """``target`` without a search's words (a name or citizen ID typed into ``q`` or
    ``name``): the login page's address is written in access logs, which never hold one."""
    if target is None or "?" not in target:
        return target
    path, query = target.split("?", 1)
    kept = [(key, value) for key, value in parse_qsl(query) if key not in PERSONAL_TERMS]
    return path + (f"?{urlencode(kept)}" if kept else "")


def login_redirect(request: Request) -> Response:
    target = login_target(request)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _login_required(request: Request, error: Exception) -> Response:
    return login_redirect(request)


async def _cross_site(request: Request, error: Exception) -> Response:
    return error_page(
        request,
        403,
        "คำขอนี้ไม่ได้มาจากหน้าของระบบ จึงไม่ดำเนินการ (ตรวจส่วนหัว Origin)",
        "This request did not come from the application's own pages, so it was refused "
        "(the Origin header)",
    )


def _known_on_pages(api_handler: Handler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        if not _on_pages(request):
            return await api_handler(request, error)
        if isinstance(error, SessionError):
            return login_redirect(request)
        kind = problem_kind(error)
        return error_page(
            request,
            kind.status,
            kind.title_th or kind.title,
            kind.title,
            kind.detail or "",
            rule=_rule_of(error, kind.slug),
        )

    return handle


def _rule_of(error: Exception, slug: str) -> str:
    """The id of the rule an error breaks (its first violation's, its ``rule_id``), else its
    kind's slug (``forbidden``, ``not-found``): what the Thai page names beside its message."""
    violations = getattr(error, "violations", None)
    if violations:
        first = violations[0]
        if isinstance(first, Violation):
            return first.id
    rule_id = getattr(error, "rule_id", None)
    return rule_id if isinstance(rule_id, str) and rule_id else slug


async def _validation_on_pages(request: Request, error: Exception) -> Response:
    if not _on_pages(request):
        return await handle_validation_error(request, error)
    return error_page(request, 400, "คำขอไม่ถูกต้องตามรูปแบบ", "Malformed request")


async def _http_on_pages(request: Request, error: Exception) -> Response:
    if not _on_pages(request) or not isinstance(error, StarletteHTTPException):
        return await handle_http_error(request, error)
    status = error.status_code
    if status == 404:
        return error_page(request, 404, "ไม่พบหน้านี้", "Page not found")
    if status == 405:
        return error_page(request, 405, "ใช้วิธีนี้กับหน้านี้ไม่ได้", "Method not allowed")
    phrase = HTTPStatus(status).phrase
    return error_page(request, status, phrase, phrase)


async def _unexpected_on_pages(request: Request, error: Exception) -> Response:
    if not _on_pages(request):
        return await handle_unexpected_error(request, error)
    return error_page(request, 500, "ระบบขัดข้อง กรุณาลองใหม่", "The ledger failed unexpectedly")


def install_page_errors(app: FastAPI) -> None:
    """Register after ``api.errors.install_error_handlers``: these replace its handlers and hand
    everything outside ``/app`` back to them."""
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(CrossSiteRequestError, _cross_site)
    app.add_exception_handler(RecordNotReadableError, _not_readable)
    app.add_exception_handler(OwnRecordErasedError, _own_erased)
    known = _known_on_pages(handle_known_error)
    for error_class in list(app.exception_handlers):
        if isinstance(error_class, type) and app.exception_handlers[error_class] is (
            handle_known_error
        ):
            app.add_exception_handler(error_class, known)
    app.add_exception_handler(RequestValidationError, _validation_on_pages)
    app.add_exception_handler(StarletteHTTPException, _http_on_pages)
    app.add_exception_handler(Exception, _unexpected_on_pages)
