"""POST ``/app/statements``: the agent's signature of a statement the application drafted.

``signing.js`` posts what the agent answered (``request``: the wire the review page carried,
``key_id``, ``signature`` in base64url; ``nonce`` and ``public_key`` are ignored: the request
and the registry say them). The server checks, in order: the request is its own (signed by its
request key, not expired), a statement request for ``settings.web_origin``; its nonce was issued
and is spent now (a replayed answer is refused); the signature reads, the statement's bytes
parse (``ledger.statement.read_statement``) and it is signed for the logged-in operator's key.
Then it is submitted through the ledger's application service, exactly as ``POST /statements``
does, a v2 statement with the disclosures its request carried (signed by the request key, so
the page could not change them; checked against the statement's commitments first), and the
answer is (a page shown again reads the disclosed values, never a commitment):

* ``#receipt`` (201): บันทึกแล้ว, the event's hash, a link back to the ก.พ.๗ page;
* the record moved on meanwhile (stale version or broken chain, 409): ``#stale-notice`` and a
  fresh review of the same data at the new head, to sign again;
* the data breaks a rule (422): the form again with what was signed filled in and each rule's
  Thai and English message beside its field (``web.forms.place_violations``), ``#refusal``
  above it;
* anything else the ledger refuses (a role or scope, a revoked key: 403/401/400; a record
  erased since its review: 410, told only to a signer whose scope covers the record, others
  the 404 ``stream.not_found`` of a stream that does not exist, as ``POST /statements``
  answers, ``api.access.erasure_as_signer_sees``), or a request that is not ours, expired or
  replayed:
  ``#refusal`` naming why in Thai and English, and the rule broken when there is one
  (``#refusal-rule``: ``person.erased``), as the other refusals name theirs.

The body is never logged (it holds the statement: names and citizen IDs).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from api.access import erasure_as_signer_sees
from api.deps import LedgerDep, ReportsDep
from api.errors import problem_kind
from api.routes.documents import get_documents
from ledger.application import Ledger
from ledger.commitments import V1, check_statement, reveal_data
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.errors import (
    BrokenChainError,
    InvalidDataError,
    LedgerError,
    StaleVersionError,
)
from ledger.sign_requests import MAX_WIRE_CHARS, SignRequest, SignRequestError, b64decode
from ledger.statement import SignedStatement, Statement, read_statement
from ledger.vault_keys import ErasedError
from ledger.violations import Violation
from web.certificates import CERTIFICATE_TYPE, submit_certificate
from web.changes import changed_entry, entry_heading
from web.deps import WebDep, WebReaderDep, WebSessionDep, render, require_same_origin
from web.drafts import form_for
from web.eplan import form_action, is_eplan, statement_extra
from web.forms import Form as EntryForm
from web.forms import build_form, form_values, place_violations
from web.person import record_person
from web.routes.documents import unkept_document
from web.routes.entry_forms import form_names, show_form, show_review

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


class RefusedError(Exception):
    """A signed answer or statement the page will not submit: why, in Thai and English."""

    def __init__(self, th: str, en: str, status: int = 403, rule: str | None = None) -> None:
        super().__init__(en)
        self.th, self.en, self.status, self.rule = th, en, status, rule

    @classmethod
    def of(cls, error: LedgerError) -> RefusedError:
        """The ledger's refusal as the page shows it: a rule's own Thai and English message and
        id (``person.erased`` for a record erased since the review), else the problem's title."""
        kind = problem_kind(error)
        violations = getattr(error, "violations", ())
        if violations:
            first = violations[0]
            return cls(first.th, first.en, kind.status, first.id)
        return cls(kind.title_th or kind.title, str(error), kind.status)


NOT_UPLOADED = RefusedError(
    "ไฟล์ที่รายการนี้อ้างถึงยังไม่ได้อัปโหลด กรุณาอัปโหลดไฟล์ที่หน้าทะเบียนประวัติก่อน",
    "the file this entry names has not been uploaded: upload it on the record's page first",
    status=422,
)


def _refusal(request: Request, session: WebSessionDep, refused: RefusedError) -> Response:
    context = {"refusal_th": refused.th, "refusal_en": refused.en, "refusal_rule": refused.rule}
    return render(request, "refusal.html", context, status_code=refused.status, session=session)


def signed_answer(
    request: Request, web: WebDep, session: WebSessionDep, wire: str, key_id: str, signature: str
) -> SignedStatement:
    """The statement the agent signed, if the request is this application's own statement
    request for its origin, its nonce unspent (spent now), and the signature the logged-in
    operator's (``RefusedError`` otherwise). Shared by every page that takes a signed answer
    (entries here, the certification submission in ``web.routes.certification``)."""
    return answered_request(request, web, session, wire, key_id, signature)[0]


def answered_request(
    request: Request, web: WebDep, session: WebSessionDep, wire: str, key_id: str, signature: str
) -> tuple[SignedStatement, SignRequest]:
    """``signed_answer`` and the sign request it answers, whose disclosures (a v2
    statement's) the request key signed: what is submitted beside the statement."""
    try:
        sign_request = web.request_key.read(wire)
    except SignRequestError as error:
        raise RefusedError(error.thai, error.reason) from None
    origin = request.app.state.settings.web_origin
    if sign_request.kind != "statement" or sign_request.origin != origin:
        raise RefusedError(
            "คำขอนี้ไม่ใช่คำขอลงนามรายการของเว็บไซต์นี้",
            "this is not a statement sign request of this site",
        )
    if not web.nonces.spend(sign_request.nonce):
        raise RefusedError(
            "คำขอลงนามนี้ใช้ไปแล้วหรือหมดอายุ กรุณาตรวจและลงนามใหม่",
            "this sign request was already used or has expired; review and sign again",
        )
    try:
        signed = read_statement(sign_request.payload, b64decode(signature), strict=True)
    except (ValueError, LedgerError):
        raise RefusedError("อ่านลายมือชื่อไม่ได้", "the signature cannot be read", status=400) from None
    signer = signed.statement.signer.key
    if signer != session.key_id or (key_id and key_id != session.key_id):
        raise RefusedError(
            "รายการนี้ต้องลงนามด้วยบัตรของผู้ที่เข้าสู่ระบบอยู่",
            "the statement must be signed with the logged-in operator's card",
        )
    return signed, sign_request


def revealed(signed: SignedStatement, asked: SignRequest) -> Statement:
    """The signed statement with the values its request disclosed (v1: as signed): what the
    page shows again and checks; ``RefusedError`` naming the rule when they do not match."""
    statement = signed.statement
    disclosures = asked.disclosures or {}
    problems = check_statement(statement, disclosures) if statement.v == 2 else []
    if statement.v == 1 and disclosures:
        problems = [Violation(V1, "disclosures")]
    if problems:
        first = problems[0]
        raise RefusedError(
            f"{first.th} ({first.id}: {first.field})",
            f"{first.en} ({first.id}: {first.field})",
            422,
        )
    return statement.model_copy(update={"data": reveal_data(statement.data, disclosures)})


@router.post("/app/statements")
def submit_signed(
    request: Request,
    web: WebDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
    request_wire: Annotated[str, Form(alias="request", max_length=MAX_WIRE_CHARS)],
    signature: Annotated[str, Form(max_length=200)] = "",
    key_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        signed, asked = answered_request(request, web, session, request_wire, key_id, signature)
        statement = revealed(signed, asked)
    except RefusedError as refused:
        return _refusal(request, session, refused)
    if unkept_document(statement, get_documents(request)) is not None:
        return _refusal(request, session, NOT_UPLOADED)
    if statement.type == CERTIFICATE_TYPE:  # a certificate has its own review and receipt
        return submit_certificate(request, ledger, session, signed)
    try:
        receipt = ledger.submit(signed.canonical, signed.signature, asked.disclosures_json())
    except (StaleVersionError, BrokenChainError):
        form, action = _form_for(ledger, statement)
        values = form_values(form, statement.data, statement.effective)
        response = show_review(
            request, web, ledger, session, stream=statement.stream, form=form, action=action,
            values=values, data=statement.data, effective=statement.effective, stale=True,
            extra=_page_extra(statement, form, ledger, reports, reader),
        )  # fmt: skip
        if response.status_code == 200:  # else the dry run refused it at the new head
            response.status_code = 409
        return response
    except InvalidDataError as error:
        form, action = _form_for(ledger, statement)
        values = form_values(form, statement.data, statement.effective)
        extra = _page_extra(statement, form, ledger, reports, reader)
        return show_form(
            request, session, stream=statement.stream, form=form, action=action, values=values,
            errors=place_violations(form_names(form), error.violations), status_code=422,
            extra={**extra, "refused": True},
        )  # fmt: skip
    except ErasedError as erased:  # the erasure only to whoever may see the record
        pair = (signed.canonical, signed.signature)
        told = erasure_as_signer_sees(ledger, [pair], erased, [asked.disclosures_json()])
        return _refusal(request, session, RefusedError.of(told))
    except LedgerError as error:
        return _refusal(request, session, RefusedError.of(error))
    name = EVENT_LABELS.get(statement.type, Label(statement.type, statement.type))
    context = {"receipt": receipt, "stream": str(statement.stream), "event_name": name}
    context |= statement_extra(statement)
    return render(request, "receipt.html", context, status_code=201, session=session)


def _page_extra(
    statement: Statement,
    form: EntryForm,
    ledger: Ledger,
    reports: ReportsDep,
    reader: WebReaderDep,
) -> dict[str, Any]:
    """What the form or review shows besides the form: an e-Plan page's (``web.eplan``); for
    a ก.พ.๗ entry, whose record it is and, for a correction or a void, which entry."""
    if is_eplan(statement.type):
        return statement_extra(statement)
    extra: dict[str, Any] = {"person": record_person(reports, reader, ledger, statement.stream)}
    entry = changed_entry(ledger, statement.stream, form)
    if entry is not None:
        extra |= {"entry": entry, "heading": entry_heading(ledger, statement.stream, entry)}
    return extra


def _form_for(ledger: Ledger, statement: Statement) -> tuple[EntryForm, str]:
    """The form the statement was filled from and where it posts: an e-Plan form
    (``web.eplan``) or a ก.พ.๗ entry's (``web.drafts.form_for``)."""
    if is_eplan(statement.type):
        action = form_action(statement.type, statement.stream, statement.data)
        return build_form(statement.type), action
    return form_for(ledger, statement)
