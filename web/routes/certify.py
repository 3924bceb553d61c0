"""รับรองข้อมูล: the certifiers' pages (the LAO's superiors and head, the province, DLA).

* GET ``/app/certify``: the certifier's home (``/app/`` redirects here for these roles): the
  steps waiting for the caller's roles in their scope (``Reports.worklist``), overdue first,
  deadlines in the Buddhist era; the stages of every cycle past their deadline by date
  (``kpi.stages_overdue``), each saying whether the system marked it (``ledger process
  overdue``) and how many warning letters were sent, with the warning letter of each for the
  province; and every cycle of the scope with its state.
* GET ``/app/certify/{lao}/{cycle}``: one cycle: its deadlines, its signed steps and past
  returns, the snapshot under review (the submitted one, or the certified one after the head
  certified) as the list of records it covers, each linking to its ก.พ.๗ page, with what it
  lacks for the KPI and whether it changed since; and the steps the caller may sign.
* POST ``/app/certify/{lao}/{cycle}/{action}``: drafts the step (``web.certifying.ACTIONS``)
  naming the root shown (``root``, which must still be the one under review) and answers the
  review with the sign button; a return without a reason or a section is the form again with
  the error beside the field (422; 200 to htmx, which swaps no 4xx answer).
* POST ``/app/certify/signed``: the agent's answer, checked as every page checks one
  (``web.routes.statements.signed_answer``: our request, our origin, one-time nonce, the
  logged-in key), and a certifier's step of a cycle in the caller's scope; submitted through
  the Ledger service.

A cycle outside the caller's scope and one that does not exist are the same 403 page. Certifying
roles read names (the read matrix gives all of them personal data); were one not to, the records
are listed by their ids. Names shown are logged in the people's access logs.

Stable ids for the browser tests: ``#certify-heading``, ``#certify-worklist`` (rows
``tr.work-item`` with ``data-lao``, ``data-cycle``, ``data-action``; ``.overdue-badge``; link
``a.open-cycle``), ``#certify-empty``, ``#certify-overdue`` (rows ``tr.overdue-row`` with
``data-marked``; link ``a.warning-letter``), ``#certify-overdue-summary``,
``#certify-cycles``; on a cycle: ``#cycle-heading``, ``#cycle-state``
(``data-state``), ``#cycle-root``, ``#cycle-records`` (rows ``data-stream``, ``.record-missing``,
``.record-changed``), ``#cycle-returns``, ``#step-area``, one ``form.step-form`` per action
(``id="step-<action>"``), ``#reason-<action>``, ``fieldset#sections-<action>``,
``#step-button-<action>``, the letters' ``#letter_number-<action>`` and
``#letter_date-<action>`` (a Buddhist-era date, Thai digits accepted); the review
``#step-review`` with ``#sign-button`` (result into ``#step-area``); ``#step-receipt`` or
``#step-refusal``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.errors import problem_kind
from api.sessions import Session
from ledger.domain.certification import CYCLE_PATTERN, STAGE_OPEN, Stage
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.permissions import Role
from ledger.domain.reading import DataKind
from ledger.errors import BrokenChainError, LedgerError, StaleVersionError
from projections.reports.scope import ReadScope
from projections.reports.worklist import STAGE_TH, STATE_TH
from web.certifying import (
    ACTION_BY_CODE,
    SECTIONS,
    STEP_TYPES,
    Action,
    CycleReview,
    StepForm,
    certifier_work,
    check_step,
    draft_step,
    find_cycle,
    is_certifier,
    office_of,
    review_cycle,
)
from web.deps import (
    WebDep,
    WebReaderDep,
    WebSessionDep,
    is_htmx,
    render,
    require_same_origin,
)
from web.drafts import Draft, issue_request
from web.errors import error_page
from web.routes.home import TodayDep
from web.routes.statements import RefusedError, signed_answer

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

LaoPath = Annotated[str, Path(pattern=r"^\d{7}$")]
CyclePath = Annotated[str, Path(pattern=CYCLE_PATTERN, max_length=20)]

MOVED_ON = RefusedError(
    "รอบการรับรองนี้เปลี่ยนสถานะก่อนการลงนามของท่าน กรุณาเปิดหน้านี้ใหม่ ตรวจสอบ และลงนามอีกครั้ง",
    "the cycle moved on before your signature arrived: reload the page, review and sign again",
    status=409,
)


def _certifier(session: Session) -> ReadScope:
    """The caller's scope, if they certify (a 403 page for anyone else)."""
    if not is_certifier(session.enrolment):
        raise RefusedError(
            "หน้านี้สำหรับผู้รับรองข้อมูล (ผู้บังคับบัญชา นายก อปท. สถ.จ. และ สถ.)",
            "this page is for certifiers (LAO superiors and head, the province, DLA)",
        )
    return ReadScope.within(session.enrolment.scope)


def _not_in_share(request: Request) -> Response:
    return error_page(
        request,
        403,
        "ไม่พบรอบการรับรองนี้ในส่วนที่ท่านมีสิทธิ์",
        "No such certification cycle within your share",
    )


def swap_status(request: Request, status: int) -> int:
    """The status of an answer the page swaps in: htmx swaps no 4xx answer, so the refusal or
    the form with its errors reaches an htmx request as 200 (the page says what is wrong);
    without JavaScript the status says it."""
    return 200 if is_htmx(request) and request.method == "POST" else status


def _refused_page(request: Request, session: Session, refused: RefusedError) -> Response:
    context = {"refusal_th": refused.th, "refusal_en": refused.en, "violations": ()}
    status = swap_status(request, refused.status)
    return render(request, "certify_refusal.html", context, status_code=status, session=session)


@router.get("/app/certify")
def worklist_page(
    request: Request,
    session: WebSessionDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    day: TodayDep,
) -> Response:
    try:
        scope = _certifier(session)
    except RefusedError as refused:
        return _refused_page(request, session, refused)
    reader.require(DataKind.PERSONNEL)
    work = certifier_work(reports, scope, reader.roles, day)
    context = {
        "work": work,
        "state_th": STATE_TH,
        "stage_th": STAGE_TH,
        "letters": Role.PROVINCIAL_OFFICER in reader.roles,
        "letter_states": STAGE_OPEN[Stage.LAO],
    }
    return render(request, "certify_home.html", context, session=session)


def _review(
    request: Request, reader: WebReaderDep, reports: ReportsDep, ledger: LedgerDep,
    lao: str, cycle: str, day: date,
) -> CycleReview | Response:  # fmt: skip
    """The cycle in the caller's share, reviewed, or the 403 page."""
    session = reader.session
    try:
        scope = _certifier(session)
    except RefusedError as refused:
        return _refused_page(request, session, refused)
    reader.require(DataKind.PERSONNEL)
    row = find_cycle(reports, scope, lao, cycle)
    if row is None:
        return _not_in_share(request)
    return review_cycle(ledger, reports, row, session.enrolment, day)


def _cycle_context(
    reader: WebReaderDep, review: CycleReview, today: date, **extra: Any
) -> dict[str, Any]:
    names = reader.may(DataKind.PERSONAL)
    if names and review.shown is not None:
        reader.logged([record.stream for record in review.shown.records], (DataKind.PERSONAL,))
    return {
        "review": review,
        "names": names,
        "state_th": STATE_TH,
        "sections": SECTIONS,
        "event_label": lambda name: EVENT_LABELS.get(name, Label(name, name)),
        "office": office_of(review.row.province),
        "letter_default": f"{today.day}/{today.month}/{today.year + 543}",  # BE, as typed
        "forms": {},
    } | extra


@router.get("/app/certify/{lao}/{cycle}")
def cycle_page(
    request: Request,
    reader: WebReaderDep,
    reports: ReportsDep,
    ledger: LedgerDep,
    day: TodayDep,
    lao: LaoPath,
    cycle: CyclePath,
) -> Response:
    review = _review(request, reader, reports, ledger, lao, cycle, day)
    if isinstance(review, Response):
        return review
    context = _cycle_context(reader, review, today=day)
    return render(request, "certify_cycle.html", context, session=reader.session)


@router.post("/app/certify/{lao}/{cycle}/{action}")
def draft_page(
    request: Request,
    web: WebDep,
    reader: WebReaderDep,
    reports: ReportsDep,
    ledger: LedgerDep,
    day: TodayDep,
    lao: LaoPath,
    cycle: CyclePath,
    action: Annotated[str, Path(max_length=40)],
    root: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    sections: Annotated[list[str] | None, Form(max_length=40)] = None,
    records: Annotated[list[str] | None, Form(max_length=2000)] = None,
    letter_number: Annotated[str, Form(max_length=200)] = "",
    letter_date: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    session = reader.session
    review = _review(request, reader, reports, ledger, lao, cycle, day)
    if isinstance(review, Response):
        return review
    chosen = ACTION_BY_CODE.get(action)
    if chosen is None or chosen not in review.actions or root != (review.root or ""):
        refused = RefusedError(
            f"ขั้นตอนนี้ทำไม่ได้กับรอบ {cycle} ในสถานะปัจจุบัน หรือข้อมูลที่เสนอเปลี่ยนไปแล้ว กรุณาเปิดหน้านี้ใหม่",
            f"this step cannot be taken on cycle {cycle} as it stands now, or what is under "
            "review changed: reload the page",
            status=409,
        )
        return _refused_page(request, session, refused)
    form = StepForm(sections or [], reason, records or [], note, letter_number, letter_date)
    data = check_step(form, chosen, review)
    if form.errors:
        context = _cycle_context(reader, review, forms={chosen.code: form}, today=day)
        template = "certify_steps.html" if is_htmx(request) else "certify_cycle.html"
        status = swap_status(request, 422)
        return render(request, template, context, status_code=status, session=session)
    statement = draft_step(ledger, review, chosen, data, session.enrolment, day)
    origin = request.app.state.settings.web_origin
    wire, nonce = issue_request(web.request_key, web.nonces, origin, Draft(statement))
    context = _step_context(review, chosen, form) | {
        "statement": statement,
        "wire": wire,
        "nonce": nonce,
    }
    return render(request, "certify_review.html", context, session=session)


def _step_context(review: CycleReview, action: Action, form: StepForm) -> dict[str, Any]:
    return {
        "review": review,
        "action": action,
        "form": form,
        "event_name": EVENT_LABELS.get(action.event_type, action.label),
    }


@router.post("/app/certify/signed")
def submit_step(
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
        scope = _certifier(session)
        signed = signed_answer(request, web, session, request_wire, key_id, signature)
        statement = signed.statement
        if statement.type not in STEP_TYPES or not _in_scope(reports, scope, statement.stream):
            raise RefusedError(
                "หน้านี้รับเฉพาะการรับรองหรือส่งคืนข้อมูลของรอบในส่วนที่ท่านรับผิดชอบ",
                "this page takes only a certification step of a cycle within your scope",
            )
        receipt = ledger.submit(signed.canonical, signed.signature)
    except RefusedError as refused:
        return _refused_page(request, session, refused)
    except (StaleVersionError, BrokenChainError):
        return _refused_page(request, session, MOVED_ON)
    except LedgerError as error:
        kind = problem_kind(error)
        known = RefusedError(kind.title_th or kind.title, kind.title, kind.status)
        context = {
            "refusal_th": known.th,
            "refusal_en": known.en,
            "violations": getattr(error, "violations", ()),
        }
        return render(
            request, "certify_refusal.html", context, status_code=known.status, session=session
        )
    reports.refresh()  # the state swapped in with the receipt is the one the step made
    row = next(
        (r for r in reports.certification(scope).cycles if r.stream == str(statement.stream)),
        None,
    )
    context = {
        "receipt": receipt,
        "statement": statement,
        "event_name": EVENT_LABELS.get(statement.type, Label(statement.type, statement.type)),
        "cycle_link": f"/app/certify/{row.lao}/{row.cycle}" if row else "/app/certify",
        "row": row,
        "state_th": STATE_TH,
    }
    return render(request, "certify_receipt.html", context, status_code=201, session=session)


def _in_scope(reports: ReportsDep, scope: ReadScope, stream: object) -> bool:
    return any(row.stream == str(stream) for row in reports.certification(scope).cycles)
