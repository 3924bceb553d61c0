"""ส่งข้อมูลเพื่อรับรอง: the LAO's HR officer submits its data for certification from the browser.

* GET ``/app/certification``: the LAO's cycles and their states; for the cycle that may be
  submitted (draft or stale), the snapshot the ledger computes now (``web.certify``): the log
  position, the root, the record count and every record it covers, by name, with what each
  lacks for the KPI and a link to its ก.พ.๗ page (the names read are logged);
* POST ``/app/certification`` (``cycle``, ``position``): drafts ``LaoDataSubmitted`` naming the
  snapshot at that position (the one shown) and answers the review with the sign button, whose
  ``SignRequest`` the application signed (``web.request_key``, one-time nonce);
* POST ``/app/certification/signed``: the agent's answer (``signing.js`` posts ``request``,
  ``key_id``, ``signature``). The server checks the request is its own statement request for
  its origin, spends the nonce, reads the signed statement and requires it to be signed by the
  logged-in key, to be a ``LaoDataSubmitted`` of one of the LAO's cycles; then submits it through
  the ledger's application service. The answer is the receipt (201), or the refusal with each
  rule's Thai and English message (the cycle moved on meanwhile: 409, sign a fresh review).

Only an LAO's HR officer (the role that signs ``LaoDataSubmitted``, in an LAO's scope) has this
page; anyone else gets a 403 page. The body of a POST is never logged.

Stable element ids for the browser tests (helper h4):

* ``#certification-heading``; ``#cycles`` (the table of cycles), each row ``data-cycle`` and
  ``data-state``; ``#nothing-to-submit`` when no cycle may be submitted;
* ``#snapshot`` (the block), ``#snapshot-cycle``, ``#snapshot-position``, ``#snapshot-root``
  (the full hash), ``#snapshot-count``, ``#snapshot-records`` (the table: a row per record,
  ``data-stream``, a link to its ก.พ.๗ page, ``.record-missing`` for what it lacks);
* ``#certify-form`` with ``#draft-button`` (check and review), ``#certify-area`` (what the
  review and the outcome replace);
* the review: ``#certify-review``, ``#review-table``, ``#sign-button`` (``data-sign-wire``,
  ``data-sign-nonce``, target ``/app/certification/signed``, result ``#certify-area``);
* the outcome: ``#certify-receipt`` (``ส่งข้อมูลแล้ว``, ``#receipt-hash``, ``#home-link``) or
  ``#certify-refusal`` (``.refusal-rule`` per rule broken).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.errors import problem_kind
from api.sessions import Session
from ledger.domain.permissions import Role
from ledger.domain.reading import DataKind
from ledger.errors import (
    BrokenChainError,
    ForbiddenError,
    LedgerError,
    StaleVersionError,
)
from ledger.sign_requests import SignRequest
from ledger.statement import SignedStatement
from projections.reports.facade import Reports
from projections.reports.scope import ReadScope
from projections.reports.worklist import STATE_TH
from web.certify import SUBMITTABLE, cycles_of, draft_submission, open_cycle, submission
from web.deps import WebDep, WebReaderDep, WebSessionDep, render, require_same_origin
from web.routes.home import TodayDep
from web.routes.statements import RefusedError, signed_answer

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

SUBMIT = "LaoDataSubmitted"


MOVED_ON = RefusedError(
    "รอบการรับรองนี้มีรายการใหม่ก่อนการลงนามของท่าน กรุณาเปิดหน้านี้ใหม่ ตรวจสอบ และลงนามอีกครั้ง",
    "the cycle moved on before your signature arrived: reload this page, review and sign again",
    status=409,
)


def _officer_scope(session: Session) -> ReadScope:
    """The LAO of an HR officer's session (a 403 page for anyone else)."""
    enrolment = session.enrolment
    if Role.LAO_HR_OFFICER not in enrolment.roles or enrolment.scope.level != "lao":
        raise ForbiddenError(SUBMIT, "only an LAO's HR officer submits its data")
    return ReadScope.within(enrolment.scope)


@router.get("/app/certification")
def certification_page(
    request: Request,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    ledger: LedgerDep,
) -> Response:
    scope = _officer_scope(session)
    reader.require(DataKind.PERSONAL, DataKind.PERSONNEL)
    cycles = cycles_of(reports, scope)
    chosen = open_cycle(cycles)
    shown = None if chosen is None else submission(ledger, reports, scope, chosen, None)
    if shown is not None:
        reader.logged([record.stream for record in shown.records], (DataKind.PERSONAL,))
    context = {"cycles": cycles, "shown": shown, "state_th": STATE_TH}
    return render(request, "certification.html", context, session=session)


@router.post("/app/certification")
def draft_certification(
    request: Request,
    web: WebDep,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    ledger: LedgerDep,
    day: TodayDep,
    cycle: Annotated[str, Form(max_length=20)],
    position: Annotated[int, Form(ge=1, le=2**62)],
) -> Response:
    scope = _officer_scope(session)
    reader.require(DataKind.PERSONAL, DataKind.PERSONNEL)
    found = next((row for row in cycles_of(reports, scope) if row.cycle == cycle), None)
    if found is None or found.state not in SUBMITTABLE:
        refused = RefusedError(
            f"รอบ {cycle} ไม่อยู่ในสถานะที่ส่งข้อมูลได้ (ต้องเป็นรอบที่อยู่ระหว่างบันทึกหรือข้อมูลเปลี่ยนหลังการรับรอง)",
            f"cycle {cycle} cannot be submitted now (it must be in draft or stale)",
            status=409,
        )
        return _refusal(request, session, refused)
    chosen = submission(ledger, reports, scope, found, position)
    statement = draft_submission(ledger, chosen, session.enrolment, day)
    sign_request = SignRequest.new(
        "statement", statement.canonical_bytes(), request.app.state.settings.web_origin
    )
    web.nonces.issue(sign_request)
    context = {
        "shown": chosen,
        "statement": statement,
        "wire": web.request_key.wire(sign_request),
        "nonce": sign_request.nonce,
    }
    return render(request, "certification_review.html", context, session=session)


@router.post("/app/certification/signed")
def submit_certification(
    request: Request,
    web: WebDep,
    session: WebSessionDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    request_wire: Annotated[str, Form(alias="request", max_length=70_000)],
    signature: Annotated[str, Form(max_length=200)] = "",
    key_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        scope = _officer_scope(session)
        signed = signed_answer(request, web, session, request_wire, key_id, signature)
        _require_own_cycle(signed, reports, scope)
        receipt = ledger.submit(signed.canonical, signed.signature)
    except RefusedError as refused:
        return _refusal(request, session, refused)
    except (StaleVersionError, BrokenChainError):
        return _refusal(request, session, MOVED_ON)
    except LedgerError as error:
        kind = problem_kind(error)
        known = RefusedError(kind.title_th or kind.title, kind.title, kind.status)
        return _refusal(request, session, known, getattr(error, "violations", ()))
    reports.refresh()  # the table swapped in with the receipt shows the state just signed
    context = {
        "receipt": receipt,
        "statement": signed.statement,
        "cycles": cycles_of(reports, scope),
        "state_th": STATE_TH,
    }
    return render(request, "certification_receipt.html", context, status_code=201, session=session)


def _require_own_cycle(signed: SignedStatement, reports: Reports, scope: ReadScope) -> None:
    """Only a submission of one of the officer's LAO's cycles goes through this page."""
    statement = signed.statement
    streams = {row.stream for row in cycles_of(reports, scope)}
    if statement.type != SUBMIT or str(statement.stream) not in streams:
        raise RefusedError(
            "หน้านี้รับเฉพาะการส่งข้อมูลเพื่อรับรองของ อปท. ของท่าน",
            "this page takes only your LAO's submission for certification",
        )


def _refusal(
    request: Request, session: Session, refused: RefusedError, violations: object = ()
) -> Response:
    context = {"refusal_th": refused.th, "refusal_en": refused.en, "violations": violations}
    return render(
        request,
        "certification_refusal.html",
        context,
        status_code=refused.status,
        session=session,
    )
