"""e-Plan entry forms: the planning, finance, education and engineering officers' statements
on development plans, plan projects and subsidy items, through the same form engine, dry run,
review, agent and ``POST /app/statements`` as a ก.พ.๗ entry (``web.routes.entry_forms``).

* GET/POST ``/app/eplan/new/{PlanDrafted|SubsidyAllocated}``: a new plan or subsidy item (its
  stream follows from the data: one per LAO and period, per LAO, year, kind and item);
* GET/POST ``/app/eplan/new/PlanProjectAdded?plan={plan}``: a project added to a plan, the
  plan's LAO, province, open amendment and years filled in (``web.eplan.known_values``);
* GET/POST ``/app/eplan/{stream}/new/{event_type}``: any other statement on a plan, a project
  or a subsidy item the caller reads, prefilled from it (a budget's fiscal year, a payment's
  only contract...).

Dates in Buddhist era (Thai digits accepted), fiscal years as Buddhist years, money with
thousands separators. A rule that depends on the stream (a payment beyond the contracts, a
contract beyond the budget, a budget before the plan is approved) is found by the dry run
before the card is asked to sign, beside its field. A role that may not sign the type is
refused (403) before anything is drafted; a stream that is not e-Plan or is outside the
caller's scope is 404, as the API answers (``GET /plans/{id}``, ``/projects/{id}``).

Stable ids: those of the entry pages (``#entry-form``, ``#field-amount``, ``#review-button``,
``#sign-button``, ``#refusal``...), and ``#back-link`` to the plan's or project's page.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep
from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.permissions import lao_scope
from ledger.domain.reading import DataKind
from ledger.domain.signed import SignedAggregate
from ledger.errors import ForbiddenError, StreamNotFoundError, UnknownEventTypeError
from web.deps import WebDep, WebReaderDep, WebSessionDep, require_same_origin
from web.drafts import may_sign
from web.eplan import (
    EPLAN_AGGREGATES,
    OPENINGS,
    STREAM_FORMS,
    form_action,
    known_values,
    opening_stream,
    page_extra,
)
from web.forms import Form, build_form, parse_form
from web.routes.entry_forms import MAX_FIELD_CHARS, show_form, show_review

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


def _form(session: WebSessionDep, event_type: str, allowed: tuple[str, ...]) -> Form:
    if event_type not in allowed:
        raise UnknownEventTypeError(event_type)
    if not may_sign(session.enrolment, event_type):
        raise ForbiddenError(event_type, "none of the caller's roles may sign it")
    return build_form(event_type)


def eplan_stream(ledger: Ledger, reader: WebReaderDep, stream: UUID) -> SignedAggregate:
    """A plan, project or subsidy item within the caller's scope, whose roles read e-Plan
    (else 404, as the API answers: nothing tells whether it exists)."""
    reader.require(DataKind.EPLAN)
    found = ledger.aggregate(stream)
    if not isinstance(found, EPLAN_AGGREGATES):
        raise StreamNotFoundError(str(stream))
    lao, province = getattr(found, "lao", ""), getattr(found, "province", "")
    if not reader.session.enrolment.scope.covers(lao_scope(province, lao)):
        raise StreamNotFoundError(str(stream))
    return found


def _defaults(form: Form) -> dict[str, str]:
    return {field.name: field.default for field in form.fields() if field.default}


def _scope_values(session: WebSessionDep, form: Form) -> dict[str, str]:
    """A new plan's or subsidy item's LAO and province, as far as the caller's scope says."""
    scope = session.enrolment.scope
    known = {"province": scope.province or "", "lao": scope.lao or ""}
    return {name: value for name, value in known.items() if value and form.field(name)}


async def _typed(request: Request) -> dict[str, str]:
    submitted = await request.form()
    return {
        key: value[:MAX_FIELD_CHARS] for key, value in submitted.items() if isinstance(value, str)
    }


async def _submitted(
    request: Request,
    web: WebDep,
    ledger: Ledger,
    session: WebSessionDep,
    form: Form,
    stream: UUID | None,
    action: str,
) -> Response:
    """The form again (errors, or ``_edit``) or the review of the drafted statement; an
    opening's stream follows from what was typed."""
    values = await _typed(request)
    parsed = parse_form(form, values)
    if "_edit" in values or not parsed.ok:
        return show_form(
            request, session, stream=stream or UUID(int=0), form=form, action=action,
            values=values, errors=None if "_edit" in values else parsed.errors,
            status_code=200 if "_edit" in values else 422,
            extra=page_extra(form.event_type, stream or UUID(int=0), values),
        )  # fmt: skip
    target = stream or opening_stream(form.event_type, parsed.data)
    extra = page_extra(form.event_type, target, values)
    return show_review(
        request, web, ledger, session, stream=target, form=form, action=action, values=values,
        data=parsed.data, effective=parsed.effective, extra=extra,
    )  # fmt: skip


def _opening_parts(
    ledger: Ledger, reader: WebReaderDep, event_type: str, plan: UUID | None
) -> tuple[dict[str, str], str]:
    """What an opening form knows, and where it posts (a project: from its plan)."""
    if event_type != "PlanProjectAdded":
        return {}, f"/app/eplan/new/{event_type}"
    if plan is None:
        raise StreamNotFoundError("a project is added from its plan's page")
    held = eplan_stream(ledger, reader, plan)
    return known_values(held, event_type), form_action(event_type, plan, {"plan": str(plan)})


PlanQuery = Annotated[UUID | None, Query()]


@router.get("/app/eplan/new/{event_type}")
def new_stream_form(
    request: Request,
    event_type: str,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
    plan: PlanQuery = None,
) -> Response:
    reader.require(DataKind.EPLAN)
    form = _form(session, event_type, (*OPENINGS, "PlanProjectAdded"))
    known, action = _opening_parts(ledger, reader, event_type, plan)
    values = _defaults(form) | _scope_values(session, form) | known
    extra = page_extra(event_type, plan or UUID(int=0), values)
    return show_form(
        request, session, stream=plan or UUID(int=0), form=form, action=action, values=values,
        extra=extra,
    )  # fmt: skip


@router.post("/app/eplan/new/{event_type}")
async def new_stream_submitted(
    request: Request,
    event_type: str,
    web: WebDep,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
    plan: PlanQuery = None,
) -> Response:
    reader.require(DataKind.EPLAN)
    form = _form(session, event_type, (*OPENINGS, "PlanProjectAdded"))
    _known, action = _opening_parts(ledger, reader, event_type, plan)
    return await _submitted(request, web, ledger, session, form, None, action)


def _stream_form(
    ledger: Ledger, reader: WebReaderDep, session: WebSessionDep, stream: UUID, event_type: str
) -> tuple[SignedAggregate, Form]:
    held = eplan_stream(ledger, reader, stream)
    allowed = tuple(
        name for name in STREAM_FORMS.get(type(held), ()) if not EVENT_TYPES[name].opens_stream
    )
    return held, _form(session, event_type, allowed)


@router.get("/app/eplan/{stream}/new/{event_type}")
def stream_entry_form(
    request: Request,
    stream: UUID,
    event_type: str,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    held, form = _stream_form(ledger, reader, session, stream, event_type)
    values = _defaults(form) | known_values(held, event_type)
    action = form_action(event_type, stream, values)
    return show_form(
        request, session, stream=stream, form=form, action=action, values=values,
        extra=page_extra(event_type, stream, values),
    )  # fmt: skip


@router.post("/app/eplan/{stream}/new/{event_type}")
async def stream_entry_submitted(
    request: Request,
    stream: UUID,
    event_type: str,
    web: WebDep,
    ledger: LedgerDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    _held, form = _stream_form(ledger, reader, session, stream, event_type)
    action = form_action(event_type, stream, {})
    return await _submitted(request, web, ledger, session, form, stream, action)
