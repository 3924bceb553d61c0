"""Certificates in the browser: issue one from the ก.พ.๗ page, print it, and let anyone check it.

* ``GET /app/records/{stream}/certificates/new`` (HR officer of the LAO holding the record):
  the kind (หนังสือรับรองเงินเดือน / หนังสือรับรองการเป็นบุคลากร), the day it is as of (Buddhist
  era, Thai digits accepted; today by default) and what it is for (a record unknown or outside
  the officer's share: the ก.พ.๗ page's 404; a role that may not issue certificates: 403);
* ``POST`` the same: the facts are read from the record (``web.certificates.certified_data``),
  never typed, then the review of what will be signed with "ลงนามด้วยบัตร": the agent signs
  the ``CertificateIssued`` statement, ``/app/statements`` submits it and answers the receipt
  with the verification code and links to the PDF and the verification page;
* ``GET /app/certificates/{code}.pdf``: the certificate as a Thai official letter, printed by
  ``web.pdf`` (header, body with the salary in digits and words, signature block naming the
  issuing officer's role, the verification code and a QR code of the verification page); for
  readers of the record only (the read matrix, scope and access log as the ก.พ.๗ page): a
  certificate of a record outside the caller's share is the 404 of a code that does not exist;
* ``GET /app/verify`` (no login): a box to type the code (``?code=``: spaces, dashes, capitals
  and Thai digits forgiven) that goes to ``/app/verify/{code}``; a code that is not 64 hex digits
  is named beside the box (400), as it is when typed straight into the address;
* ``GET /app/verify/{code}`` (no login): the verification page, the same answer as the API's
  ``GET /verify/{certificate_code}`` (``api.routes.verify``) in Thai and English, with a box to
  check the name printed on the paper, which POSTs (``POST /app/verify/{code}``: the name
  stays out of the URL, the history and the server's log; ``?name=`` still answers). Unknown
  code: the code box again, a 404 naming it. Name tries are counted as the API counts them
  (``api.name_checks``): past the limit the page is a 429 with Retry-After, the certificate's
  facts and, by the name box, the rule ``certificate.name_checks`` in Thai and English
  (``#verify-name-refusal``), no answer.

Stable ids: ``#certificate-form``, ``#certificate-kind-salary``, ``#certificate-kind-employment``,
``#certificate-as-of``, ``#certificate-purpose``, ``#certificate-review``, ``#sign-button``,
``#certificate-receipt``, ``#certificate-code``, ``#certificate-pdf-link``,
``#certificate-verify-link``, ``#verify-result``, ``#verify-status``, ``#verify-name-form``,
``#verify-code-form``, ``#verify-code`` (label "รหัสตรวจสอบ"), ``#verify-code-error``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.deps import LedgerDep, ReportsDep
from api.name_checks import NameChecksExceededError, admit_name_check
from api.routes.registry import RECORD_KINDS, require_record
from api.routes.verify import erasure_out, name_matches, verification
from api.sessions import Session
from ledger.domain.certificates import CertificateIssuedData, CertificateKind
from ledger.domain.dates import DateInputError, parse_human_date, thai_today
from ledger.domain.event_labels import ROLE_LABELS
from ledger.domain.field_labels import value_label
from ledger.domain.personnel import PersonnelRecord
from ledger.errors import StreamNotFoundError
from projections.views.registry_rows import Erasure
from web.certificates import (
    CERTIFICATE_TYPE,
    NotCertifiableError,
    baht_text,
    certified_data,
    qr_svg,
)
from web.deps import OptionalSessionDep, WebDep, WebReaderDep, render, require_same_origin
from web.drafts import draft_statement, issue_request, may_sign
from web.errors import RecordNotReadableError, error_page, require_readable
from web.rendering import THAI_MONTHS
from web.routes.printing import pdf_response

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

CODE = re.compile(r"^[0-9a-f]{64}$")
_TYPED_NOISE = re.compile(r"[\s\-]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
KINDS = tuple(CertificateKind)
KIND_EN = {
    CertificateKind.SALARY: "Salary certificate",
    CertificateKind.EMPLOYMENT: "Employment certificate",
}


def _refused(request: Request) -> Response:
    """A role that may not sign certificates: 403, whatever the record."""
    return error_page(
        request,
        403,
        "บทบาทของท่านออกหนังสือรับรองไม่ได้",
        "None of your roles may issue certificates",
        rule="forbidden",
    )


def _record(
    request: Request, ledger: LedgerDep, reader: WebReaderDep, stream: UUID
) -> PersonnelRecord | Response:
    """The record, if the caller may sign certificates (else the 403 page) and reads it (else
    the ก.พ.๗ page's 404, ``web.errors.not_readable_page``: unknown, outside the caller's
    share or no personnel record alike)."""
    if not may_sign(reader.session.enrolment, CERTIFICATE_TYPE):
        return _refused(request)
    require_readable(reader, ledger, stream)
    record = ledger.aggregate(stream)
    if not isinstance(record, PersonnelRecord):
        raise RecordNotReadableError
    return record


def _form(
    request: Request, reader: WebReaderDep, stream: UUID, values: dict[str, str],
    errors: dict[str, Any], status_code: int = 200,
) -> Response:  # fmt: skip
    context = {
        "stream": str(stream),
        "values": values,
        "errors": errors,
        "kinds": [
            (kind.value, value_label("CertificateKind", kind.value), KIND_EN[kind])
            for kind in KINDS
        ],
    }
    return render(
        request, "certificate_form.html", context, status_code=status_code, session=reader.session
    )


@router.get("/app/records/{stream}/certificates/new")
def certificate_form(
    request: Request, stream: UUID, ledger: LedgerDep, reader: WebReaderDep
) -> Response:
    found = _record(request, ledger, reader, stream)
    if isinstance(found, Response):
        return found
    today = thai_today()
    values = {"kind": "salary", "as_of": f"{today.day}/{today.month}/{today.year + 543}"}
    return _form(request, reader, stream, values, {})


@router.post("/app/records/{stream}/certificates/new")
def certificate_review(
    request: Request,
    stream: UUID,
    web: WebDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    reader: WebReaderDep,
    kind: Annotated[str, Form(max_length=20)] = "",
    as_of: Annotated[str, Form(max_length=40)] = "",
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    found = _record(request, ledger, reader, stream)
    if isinstance(found, Response):
        return found
    values = {"kind": kind, "as_of": as_of, "purpose": purpose}
    errors: dict[str, Any] = {}
    if kind not in {k.value for k in KINDS}:
        errors["kind"] = _problem("certificate.kind", "เลือกประเภทหนังสือรับรอง", "choose a kind")
    if not purpose.strip():
        errors["purpose"] = _problem(
            "text.empty", "ระบุว่าใช้หนังสือรับรองเพื่อการใด", "say what the certificate is for"
        )
    try:
        day = parse_human_date(as_of)
    except DateInputError as error:
        errors["as_of"] = {"rule": error.rule_id, "th": error.th, "en": error.en}
    if errors:
        return _form(request, reader, stream, values, errors, 422)
    try:
        data = certified_data(found, stream, CertificateKind(kind), day, purpose.strip())
        CertificateIssuedData.model_validate(data)
    except NotCertifiableError as refused:
        violation = refused.violation
        errors["as_of"] = {"rule": violation.id, "th": violation.th, "en": violation.en}
    except ValidationError as invalid:
        message = invalid.errors()[0]["msg"]
        errors["purpose"] = {"rule": "data.invalid", "th": f"ข้อความไม่ถูกต้อง: {message}",
                             "en": message}  # fmt: skip
    if errors:
        return _form(request, reader, stream, values, errors, 422)
    made = draft_statement(
        ledger, uuid.uuid4(), CERTIFICATE_TYPE, data, thai_today(), reader.session.enrolment
    )
    statement = made.statement
    origin = request.app.state.settings.web_origin
    wire, nonce = issue_request(web.request_key, web.nonces, origin, made)
    person = reports.kp7(stream, valid_on=day, health=False).as_json()["record"]
    reader.logged([stream], RECORD_KINDS)
    context = {
        "stream": str(stream),
        "statement": statement,
        "data": data,
        "person": person,
        "kind_th": value_label("CertificateKind", kind),
        "day": day,
        "wire": wire,
        "nonce": nonce,
        "values": values,
    }
    return render(request, "certificate_review.html", context, session=reader.session)


def _problem(rule: str, th: str, en: str) -> dict[str, str]:
    return {"rule": rule, "th": th, "en": en}


@router.get("/app/certificates/{code}.pdf")
def certificate_pdf(
    request: Request, code: str, ledger: LedgerDep, reports: ReportsDep, reader: WebReaderDep
) -> Response:
    reader.require(*RECORD_KINDS)  # a role that reads no records: 403, before any lookup
    check = reports.certificate(code) if CODE.fullmatch(code) else None
    if check is None:
        return _unknown(request)
    try:
        require_record(reader, ledger, UUID(check.record))
    except StreamNotFoundError:  # a record outside the share: as a code that does not exist
        return _unknown(request)
    if check.erasure is not None:  # nothing of her is kept to print (told only within the share)
        return _erased(request, check.erasure)
    reader.logged([UUID(check.record)], RECORD_KINDS)
    verify_url = f"{request.app.state.settings.web_origin}/app/verify/{code}"
    roles = [ROLE_LABELS[role].th for role in check.signer_roles if role in ROLE_LABELS]
    context = {
        "check": check,
        "kind_th": value_label("CertificateKind", check.kind) or check.kind,
        "salary_words": baht_text(check.salary) if check.salary is not None else "",
        "verify_url": verify_url,
        "qr": qr_svg(verify_url),
        "signer_role": roles[0] if roles else "",
        "issued": {
            "day": check.issued_on.day,
            "month": THAI_MONTHS[check.issued_on.month - 1],
            "year": check.issued_on.year + 543,
        },
        "printed_at": datetime.now(UTC),
    }
    name = f"certificate-{check.as_of.isoformat()}-{code[:8]}.pdf"
    return pdf_response(request, "print_certificate.html", context, name)


@router.get("/app/verify")
def verify_form(
    request: Request,
    session: OptionalSessionDep,
    code: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The box to type a code; a well-formed one goes to its verification page."""
    if code is None or not code.strip():
        return render(request, "verify_form.html", {"code": "", "error": None}, session=session)
    typed = _TYPED_NOISE.sub("", code).translate(_THAI_DIGITS).lower()
    if CODE.fullmatch(typed):
        return RedirectResponse(f"/app/verify/{typed}", status_code=303)
    return _box_refusal(request, code, session, 400, _MALFORMED)


_MALFORMED = {
    "rule": "certificate.code_format",
    "th": "รหัสตรวจสอบต้องเป็นตัวเลขและอักษร a-f รวม 64 ตัว ตามที่พิมพ์ท้ายหนังสือรับรอง",
    "en": "the verification code is 64 digits and letters a-f, as printed at the foot",
}
_NO_SUCH_CODE = {
    "rule": "certificate.unknown",
    "th": "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้",
    "en": "No certificate has this verification code",
}


def _box_refusal(
    request: Request, code: str, session: Session | None, status: int, error: dict[str, str]
) -> Response:
    """The code box again with the code as typed and why it found nothing beside it."""
    context = {"code": code, "error": error}
    return render(request, "verify_form.html", context, status_code=status, session=session)


@router.get("/app/verify/{code}")
def verify_page(
    request: Request,
    code: str,
    reports: ReportsDep,
    session: OptionalSessionDep,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The certificate's page (``?name=`` still answers, for links made before the name box
    posted)."""
    return _verify(request, code, reports, session, name)


@router.post("/app/verify/{code}")
def verify_name(
    request: Request,
    code: str,
    reports: ReportsDep,
    session: OptionalSessionDep,
    name: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """The name box's check: the name in the body, never in the URL or the history."""
    return _verify(request, code, reports, session, name)


def _verify(
    request: Request, code: str, reports: ReportsDep, session: Session | None, name: str | None
) -> Response:
    if not CODE.fullmatch(code):
        return _box_refusal(request, code[:200], session, 400, _MALFORMED)
    check = reports.certificate(code)
    if check is None:
        return _box_refusal(request, code, session, 404, _NO_SUCH_CODE)
    given = name.strip() if name and name.strip() else None
    refused = _name_refusal(request, code) if given is not None else None
    answer = verification(check, None)
    context = {
        "v": answer,
        "name": given or "",
        "name_matches": None
        if given is None or refused or check.erasure
        else name_matches(check, given),
        "name_refusal": None if refused is None else refused.violations[0],
        "salary": None if answer.salary is None else Decimal(answer.salary),
    }
    if refused is None:
        return render(request, "verify.html", context, session=session)
    headers = {"Retry-After": refused.retry_after}
    return render(
        request, "verify.html", context, status_code=429, session=session, headers=headers
    )


def _name_refusal(request: Request, code: str) -> NameChecksExceededError | None:
    """None when this name try is within the limits (``api.name_checks``: counted), else why
    not."""
    try:
        admit_name_check(request, code)
    except NameChecksExceededError as refused:
        return refused
    return None


def _erased(request: Request, erasure: Erasure) -> Response:
    """The reprint of an erased person's certificate: 410, naming ``person.erased``."""
    told = erasure_out(erasure)
    return error_page(
        request,
        410,
        f"พิมพ์หนังสือรับรองนี้ไม่ได้: {told.th}",
        f"This certificate cannot be printed: {told.en}",
        rule="person.erased",
    )


def _unknown(request: Request) -> Response:
    return error_page(
        request,
        404,
        "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้",
        "No certificate has this verification code",
        rule=_NO_SUCH_CODE["rule"],
    )
