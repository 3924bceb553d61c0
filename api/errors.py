"""Errors to HTTP, in one table: every rejection becomes RFC 9457 problem details.

The ledger raises ``LedgerError`` subclasses and the session layer ``SessionError`` subclasses;
routes never catch them. ``PROBLEMS`` says which status, problem type and title each one gets;
the handlers installed by ``install_error_handlers`` look the raised class up there (nearest base
class first) and answer ``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail`` (the error's own message, which names the stream, key or field but never echoes the
submitted personal data).

Request validation (a body that is not JSON, lacks a field, holds bad base64; a path parameter
that is not a UUID) is answered 400 ``malformed-request``, not FastAPI's default 422: the request
could not be read at all. 422 is kept for one meaning: the ledger read the signed statement and
its data fails the event type's rules (``invalid-data``). A malformed request names its rules
and places in Thai and English like any refusal (``api.request_problems``); so do an unknown
path (404 ``not-found``) and a method the path does not take (405 ``method-not-allowed``):
every 4xx carries ``title_th``.

PDPA: statements carry citizen IDs and names, so nothing here logs a request body, a problem's
detail or an exception message; a rejection is logged by problem type, method and path only.
An unexpected exception answers a bare 500 problem; the server logs its traceback.

The database going away (a PostgreSQL restart or failover, the pool unable to connect, SQLite
locked for too long) is no bug and no fault of the request: the drivers' connection errors
answer 503 ``database-unavailable`` with Retry-After, a fixed detail (a driver's message names
hosts, never what a client needs), and no rule. The pool replaces broken connections by itself,
so the same process serves again once the database is back (tests/integration/
test_postgres_restart.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.name_checks import NameChecksExceededError
from api.paging import PageRangeError
from api.request_problems import METHOD_NOT_ALLOWED, NOT_FOUND, describe, request_violations
from api.schemas import Problem, ProblemItem
from api.sessions import (
    ChallengeError,
    MissingTokenError,
    SessionError,
    SessionSignatureError,
    TokenError,
)
from ledger.documents import DocumentNotFoundError, DocumentTooLargeError, DocumentTypeError
from ledger.domain.search import QueryError
from ledger.errors import (
    AlreadyInitialisedError,
    BadSignatureError,
    BrokenChainError,
    ContentionError,
    ForbiddenError,
    InvalidDataError,
    LedgerError,
    MalformedStatementError,
    NotInitialisedError,
    RevokedKeyError,
    SnapshotNotFoundError,
    StaleVersionError,
    StreamNotFoundError,
    UnknownCertificateError,
    UnknownEventTypeError,
    UnknownKeyError,
    UnknownRuleError,
    VaultNeededError,
)
from ledger.vault_identity import KeyStoreMismatchError
from ledger.vault_keys import ErasedError
from ledger.violations import Violation
from projections.transparency.errors import (
    AwaitingCheckpointError,
    LeafNotFoundError,
    NoCheckpointError,
    ProjectionError,
    ProofRangeError,
)
from replay.errors import ReplayError, ScopeError

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "urn:thai-lgov-ledger:problem:"
"""Problem types are this prefix and a slug: ``urn:thai-lgov-ledger:problem:stale-version``."""

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """How one kind of error looks over HTTP."""

    status: int
    slug: str
    title: str
    title_th: str | None = None
    retry_after: str | None = None
    """Seconds a client should wait before sending again (the ``Retry-After`` header)."""
    detail: str | None = None
    """A fixed detail instead of the error's own message."""

    @property
    def type(self) -> str:
        return PROBLEM_TYPE_BASE + self.slug


DATABASE_UNAVAILABLE = ProblemKind(
    503,
    "database-unavailable",
    "Database unavailable",
    "ฐานข้อมูลไม่พร้อมใช้งานชั่วคราว กรุณาส่งใหม่ภายหลัง",
    retry_after="2",
    detail="the ledger cannot reach its database just now; send the request again shortly "
    "(a statement sent twice is recorded once)",
)
"""The database is down or unreachable: the request is fine, send it again (Retry-After)."""

PROBLEMS: Mapping[type[Exception], ProblemKind] = {
    MalformedStatementError: ProblemKind(
        400, "malformed-statement", "Malformed statement", "อ่านข้อความที่ลงนามไม่ได้"
    ),
    StaleVersionError: ProblemKind(
        409, "stale-version", "Stale stream version", "รุ่นของรายการไม่ตรงกับปัจจุบัน"
    ),
    BrokenChainError: ProblemKind(
        409, "broken-chain", "Broken hash chain", "ค่าแฮชก่อนหน้าไม่ตรงกับรายการล่าสุด"
    ),
    ContentionError: ProblemKind(
        409,
        "contention",
        "Lost the race to other writers",
        "มีผู้บันทึกพร้อมกัน กรุณาส่งใหม่",
        retry_after="1",
    ),
    UnknownKeyError: ProblemKind(401, "unknown-key", "Unknown signing key", "ไม่รู้จักกุญแจที่ลงนาม"),
    RevokedKeyError: ProblemKind(401, "revoked-key", "Revoked signing key", "กุญแจถูกเพิกถอนแล้ว"),
    BadSignatureError: ProblemKind(401, "bad-signature", "Bad signature", "ลายมือชื่อไม่ถูกต้อง"),
    ForbiddenError: ProblemKind(
        403, "forbidden", "Forbidden by role or scope", "บทบาทหรือขอบเขตไม่มีสิทธิ์"
    ),
    InvalidDataError: ProblemKind(
        422, "invalid-data", "Invalid statement data", "ข้อมูลไม่ผ่านการตรวจสอบ"
    ),
    StreamNotFoundError: ProblemKind(404, "stream-not-found", "Stream not found", "ไม่พบรายการ"),
    ErasedError: ProblemKind(
        410,
        "person-erased",
        "The person's data was erased on request",
        "ข้อมูลส่วนบุคคลนี้ถูกลบตามคำขอแล้ว",
    ),
    UnknownRuleError: ProblemKind(404, "unknown-rule", "No such rule", "ไม่มีกฎนี้"),
    NameChecksExceededError: ProblemKind(
        429,
        "too-many-name-checks",
        "Too many name checks",
        "ตรวจชื่อบ่อยเกินไป กรุณาลองใหม่ภายหลัง",
        detail="too many name checks of this certificate or from this address: try again later",
    ),
    UnknownCertificateError: ProblemKind(
        404,
        "unknown-certificate",
        "No certificate has this verification code",
        "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้",
    ),
    UnknownEventTypeError: ProblemKind(
        404, "unknown-event-type", "No such event type", "ไม่มีรายการประเภทนี้"
    ),
    SnapshotNotFoundError: ProblemKind(
        404, "snapshot-not-found", "Snapshot not found", "ไม่พบข้อมูลที่เสนอรับรอง"
    ),
    DocumentTooLargeError: ProblemKind(
        413, "document-too-large", "Document too large", "ไฟล์ใหญ่เกินกำหนด"
    ),
    DocumentTypeError: ProblemKind(
        415, "unsupported-document-type", "Not a JPEG, PNG or PDF", "ชนิดไฟล์ไม่รองรับ"
    ),
    DocumentNotFoundError: ProblemKind(
        404, "document-not-found", "Document not found", "ไม่พบเอกสาร"
    ),
    QueryError: ProblemKind(400, "bad-query", "Bad query", "คำค้นหาไม่ถูกต้อง"),
    PageRangeError: ProblemKind(
        400, "page-out-of-range", "Page out of range", "ช่วงของหน้าที่ขอไม่ถูกต้อง"
    ),
    # Only an operator running `ledger init` can cure it, and it is no fault of the client.
    NotInitialisedError: ProblemKind(
        503, "not-initialised", "Ledger not initialised", "ยังไม่ได้ตั้งต้นบัญชีรายการ"
    ),
    AlreadyInitialisedError: ProblemKind(
        409, "already-initialised", "Ledger already initialised", "ตั้งต้นบัญชีรายการไปแล้ว"
    ),
    # The server runs without the vault its v2 records need: no fault of the client.
    VaultNeededError: ProblemKind(
        503, "vault-needed", "Personal-data vault not configured", "ยังไม่ได้ตั้งห้องเก็บข้อมูลส่วนบุคคล"
    ),
    # The vault opened with another key store than its own: the server's settings, not the
    # client's request, and never "erased" (ledger.vault_identity).
    KeyStoreMismatchError: ProblemKind(
        503,
        "vault-key-store-mismatch",
        "Personal-data vault opened with the wrong key store",
        "เปิดห้องเก็บข้อมูลส่วนบุคคลด้วยที่เก็บกุญแจที่ไม่ใช่ของบัญชีนี้",
    ),
    # A deliberate rejection the table does not name yet is still the client's request refused.
    LedgerError: ProblemKind(400, "rejected", "Rejected by the ledger", "บัญชีรายการไม่รับ"),
    MissingTokenError: ProblemKind(
        401, "missing-token", "Bearer token required", "ต้องเข้าสู่ระบบก่อน (ไม่มีโทเคน)"
    ),
    TokenError: ProblemKind(
        401, "invalid-token", "Invalid or expired bearer token", "โทเคนไม่ถูกต้องหรือหมดอายุ"
    ),
    ChallengeError: ProblemKind(
        401,
        "invalid-challenge",
        "Invalid or expired session challenge",
        "รหัสท้าทายไม่ถูกต้องหรือหมดอายุ",
    ),
    SessionSignatureError: ProblemKind(
        401, "bad-session-signature", "Bad session signature", "ลายมือชื่อเข้าสู่ระบบไม่ถูกต้อง"
    ),
    SessionError: ProblemKind(401, "session-refused", "Session refused", "ไม่อนุญาตให้เข้าสู่ระบบ"),
    AwaitingCheckpointError: ProblemKind(
        404,
        "awaiting-checkpoint",
        "Not in a signed checkpoint yet",
        "ยังไม่อยู่ในจุดตรวจที่ลงนามแล้ว",
    ),
    LeafNotFoundError: ProblemKind(
        404, "leaf-not-found", "Not in the transparency log yet", "ยังไม่อยู่ในบันทึกโปร่งใส"
    ),
    ProofRangeError: ProblemKind(404, "no-such-proof", "No such proof", "ไม่มีหลักฐานการพิสูจน์นี้"),
    NoCheckpointError: ProblemKind(
        404, "no-checkpoint", "No checkpoint yet", "ยังไม่มีจุดตรวจสอบ (checkpoint)"
    ),
    ProjectionError: ProblemKind(
        503, "log-unavailable", "Transparency log unavailable", "บันทึกโปร่งใสไม่พร้อมใช้งาน"
    ),
    ScopeError: ProblemKind(404, "nothing-to-bundle", "Nothing to bundle", "ไม่มีข้อมูลให้ส่งออก"),
    ReplayError: ProblemKind(
        503, "bundle-unavailable", "Audit bundle unavailable", "ส่งออกชุดตรวจสอบไม่ได้ขณะนี้"
    ),
    StoreOperationalError: DATABASE_UNAVAILABLE,
    StoreInterfaceError: DATABASE_UNAVAILABLE,
    psycopg.OperationalError: DATABASE_UNAVAILABLE,  # psycopg_pool.PoolTimeout is one
}
"""Every error class the API answers on purpose, and its problem kind."""

MALFORMED_REQUEST = ProblemKind(
    400, "malformed-request", "Malformed request", "คำขอไม่ถูกต้องตามรูปแบบ"
)
INTERNAL_ERROR = ProblemKind(500, "internal-error", "Internal error", "ระบบขัดข้อง")
NOT_FOUND_PATH = ProblemKind(404, "not-found", "Not found", "ไม่พบที่อยู่นี้")
METHOD_REFUSED = ProblemKind(405, "method-not-allowed", "Method not allowed", "ที่อยู่นี้ไม่รับวิธีเรียกนี้")
HTTP_REFUSED = ProblemKind(400, "request-refused", "Request refused", "ไม่รับคำขอนี้")
"""Any other status Starlette itself answers (its own title is the status's phrase)."""


def problem_kind(error: Exception) -> ProblemKind:
    """The table's entry for the error's class or its nearest listed base class."""
    for cls in type(error).__mro__:
        kind = PROBLEMS.get(cls)
        if kind is not None:
            return kind
    raise LookupError(f"{type(error).__name__} has no entry in api.errors.PROBLEMS")


def problem_response(
    kind_type: str,
    title: str,
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    *,
    title_th: str | None = None,
    violations: Sequence[Violation] = (),
) -> JSONResponse:
    body = Problem(
        type=kind_type,
        title=title,
        status=status,
        detail=detail,
        title_th=title_th,
        rule=violations[0].id if violations else None,
        errors=[ProblemItem(**violation.as_json()) for violation in violations] or None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _headers(kind: ProblemKind, error: Exception) -> dict[str, str]:
    # RFC 9110: a 401 names the scheme that would succeed; RFC 6750 adds the token error.
    retry_after = getattr(error, "retry_after", None) or kind.retry_after
    if retry_after is not None:
        return {"Retry-After": str(retry_after)}
    if kind.status != 401:
        return {}
    if isinstance(error, TokenError) and not isinstance(error, MissingTokenError):
        return {"WWW-Authenticate": 'Bearer realm="ledger", error="invalid_token"'}
    return {"WWW-Authenticate": 'Bearer realm="ledger"'}


def _log_rejection(request: Request, kind_type: str, status: int) -> None:
    # Never the detail or the body: they may hold citizen IDs and names (PDPA).
    logger.info("%s %s rejected %d %s", request.method, request.url.path, status, kind_type)


async def handle_known_error(request: Request, error: Exception) -> JSONResponse:
    """A ledger or session error: look it up in the table."""
    kind = problem_kind(error)
    _log_rejection(request, kind.type, kind.status)
    return problem_response(
        kind.type,
        kind.title,
        kind.status,
        kind.detail or str(error),
        _headers(kind, error),
        title_th=kind.title_th,
        violations=getattr(error, "violations", ()),
    )


async def handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    """A request FastAPI could not read into its model: 400, naming each field and problem."""
    if not isinstance(error, RequestValidationError):  # registered for that class only
        raise error
    kind = MALFORMED_REQUEST
    _log_rejection(request, kind.type, kind.status)
    violations = request_violations(error.errors())
    detail = describe(violations) or "the request could not be read / อ่านคำขอไม่ได้"
    return problem_response(
        kind.type, kind.title, kind.status, detail, title_th=kind.title_th, violations=violations
    )


async def handle_http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) as problem details too, with their
    Thai title and rule."""
    if not isinstance(error, StarletteHTTPException):  # registered for that class only
        raise error
    headers = getattr(error, "headers", None)
    violations: list[Violation] = []
    if error.status_code == 404:
        kind = NOT_FOUND_PATH
        violations.append(Violation(NOT_FOUND, "path"))
    elif error.status_code == 405:
        kind = METHOD_REFUSED
        allowed = (headers or {}).get("Allow", "-")
        details = {"method": request.method, "allowed": allowed}
        violations.append(Violation(METHOD_NOT_ALLOWED, "method", details))
    else:
        kind = HTTP_REFUSED
    phrase = HTTPStatus(error.status_code).phrase
    detail = violations[0].en if violations else phrase
    return problem_response(
        kind.type,
        kind.title if violations else phrase,
        error.status_code,
        detail,
        headers,
        title_th=kind.title_th,
        violations=violations,
    )


async def handle_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    """A bug: 500 in problem details, saying nothing of the error (the server logs its trace)."""
    kind = INTERNAL_ERROR
    return problem_response(
        kind.type,
        kind.title,
        kind.status,
        "the ledger failed unexpectedly",
        title_th=kind.title_th,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: the one place where errors become HTTP."""
    app.add_exception_handler(LedgerError, handle_known_error)
    app.add_exception_handler(SessionError, handle_known_error)
    app.add_exception_handler(ProjectionError, handle_known_error)
    app.add_exception_handler(ReplayError, handle_known_error)
    app.add_exception_handler(ErasedError, handle_known_error)
    for database_error in (StoreOperationalError, StoreInterfaceError, psycopg.OperationalError):
        app.add_exception_handler(database_error, handle_known_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    # Starlette answers with this handler, then re-raises so the server logs the traceback.
    app.add_exception_handler(Exception, handle_unexpected_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring problem details for the given statuses."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}
