"""New entries, corrections, voids and employment transitions of a ก.พ.๗ record, through one
form engine (``web.forms``) and one review before signing.

* GET ``/app/records/{stream}/new``: the event types the caller's roles may sign on the record,
  by ก.พ.๗ section, with their Thai names;
* GET/POST ``/app/records/{stream}/new/{event_type}``: the form; a POST with errors shows the
  form again with what was typed, each message beside its field, a summary at the top linking
  to the fields and the first field in error focused (422); a valid POST drafts the statement
  at the record's head (``web.drafts``) and shows the review with the sign button, whose
  ``SignRequest`` the application signed; ``_edit`` in a POST shows the form again unchecked;
* GET/POST ``/app/records/{stream}/entries/{version}/correct``: the entry's form prefilled with
  its current values (``ledger.drafting.corrections``), plus a reason; ``.../void``: a reason;
* GET ``/app/records/{stream}/employment``: the record's status (สถานภาพการรับราชการ) and the
  transitions allowed from it, each with its legal reference, opening its form above.

A role that may not sign an event type is not offered it, and a POST of it anyway is refused
(403 page) before anything is drafted. The record must be one the caller reads, else the
ก.พ.๗ page's 404 (unknown and out of scope alike). Reads of the record's personal data (a
correction's prefill) are logged. Before a review is shown, the ledger judges the drafted
statement on what it holds (``Ledger.check_draft``, a dry run): a rule that depends on the
record (a leave outside service, an entry after retirement) comes back beside its field before
the card is asked to sign; the submit checks everything again.

Element ids the browser tests use (helper h4), all stable:

* choosing: ``#new-entry-types`` (the list), each link ``#new-{EventType}``
  (``#new-PositionSalaryEntryAdded``), ``#employment-link``;
* the form: ``#entry-form`` (the ``<form>``), ``#form-area`` (what the review and the result
  replace), each input ``#field-{name}`` with dots and underscores as hyphens
  (``#field-salary``, ``#field-order-date``, ``#field-replacement-finished``), its message
  ``#error-{same}``, its hint ``#hint-{same}``; the effective date ``#field-effective`` (a
  request's, ``ChangeRequestedByOwner``: today shown, ``#effective-today``, not an input);
  ``#error-summary`` (links to each field in error), ``#form-error`` (errors of the whole data),
  ``#review-button`` (submit: check and review); a new entry prefilled from the record's
  latest one (``web.prefill``): ``#prefill-notice`` with ``#prefill-effective`` and
  ``#prefill-salary``; a field's suggestions ``#list-{same}`` (a datalist); an optional
  group's note ``#note-group-{name}``;
* the review: ``#review`` (the panel), ``#review-table``, ``#sign-button``
  (``data-sign-wire``, ``data-sign-nonce``, target ``/app/statements``, result ``#form-area``),
  ``#edit-button`` (back to the form with the values), ``#stale-notice`` (someone appended
  meanwhile: a fresh review);
* the outcome (swapped into ``#form-area``): ``#receipt`` (``บันทึกแล้ว``), ``#receipt-hash``,
  ``#receipt-record-link``; a refusal is the form again with ``#refusal`` above it;
* whose record (form, review, employment, correction, void; ``web.person``): ``#record-person``
  with ``#person-name``, ``#person-position``, ``#person-lao``; a correction's or a void's
  entry: ``#entry-notice`` with ``#entry-name`` and ``#entry-effective``, on the review
  ``#review-entry``; a correction's review: ``#changes-table`` (rows ``data-field``, old value
  in ``del``, new in ``ins``) and ``#unchanged-fields``; ``#agent-record-id`` (the record id's
  first characters the agent shows);
* employment: ``#employment-status``, ``#transitions``, each ``#transition-{EventType}`` with its
  link ``#start-{EventType}``;
* an entry's actions (linked from the ก.พ.๗ page): ``/app/records/{stream}/entries/{version}/
  correct`` and ``/void``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.routes.registry import RECORD_KINDS, require_record
from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.dates import thai_today
from ledger.domain.permissions import lao_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.drafting.corrections import EntryNotFoundError, StoredEntry, entry_at
from ledger.errors import (
    ForbiddenError,
    InvalidDataError,
    StreamNotFoundError,
    UnknownEventTypeError,
)
from web.changes import changed_entry, compared_rows, entry_heading
from web.deps import WebDep, WebReaderDep, WebSessionDep, render, require_same_origin
from web.drafts import (
    STARTED_FROM_ENTRY,
    draft_statement,
    issue_request,
    may_sign,
    record_event,
    review_rows,
    signable_types,
    stored_events,
)
from web.employment import allowed_transitions, known_values, status_label
from web.errors import RecordNotReadableError
from web.forms import (
    EFFECTIVE,
    FieldError,
    Form,
    build_correction_form,
    build_form,
    build_void_form,
    form_values,
    parse_form,
    place_violations,
)
from web.own_erasure import refuse_own_erased
from web.person import record_person
from web.prefill import prefill

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

MAX_FIELD_CHARS = 20_000
"""A typed value longer than this is cut (the longest field of any model is 2000 characters:
the model refuses it beside its field, and the page never holds megabytes)."""


def _require_may_sign(session: WebSessionDep, event_type: str) -> None:
    if not may_sign(session.enrolment, event_type):
        raise ForbiddenError(event_type, "none of the caller's roles may sign it")


def _record(
    ledger: Ledger, reader: WebReaderDep, stream: UUID, *, arriving: bool = False
) -> PersonnelRecord:
    """The record if the caller reads it, else the 404 page of the ก.พ.๗ page
    (``web.errors.not_readable_page``: unknown and out of scope alike, so nothing tells
    whether the record exists). ``arriving``: the destination of a transfer under way may
    open its status page and the arrival's form (it signs ``TransferredIn`` before it holds
    the record; nothing personal is shown)."""
    try:
        require_record(reader, ledger, stream)
    except StreamNotFoundError:
        refuse_own_erased(reader, ledger, stream)  # her own record erased: no form, she is told
        if not arriving or not _arriving_at_caller(ledger, reader, stream):
            raise RecordNotReadableError from None
    record = ledger.aggregate(stream)
    if not isinstance(record, PersonnelRecord):
        raise RecordNotReadableError
    return record


def _arriving_at_caller(ledger: Ledger, reader: WebReaderDep, stream: UUID) -> bool:
    try:
        record = ledger.aggregate(stream)
    except StreamNotFoundError:
        return False
    if not isinstance(record, PersonnelRecord) or record.transfer is None:
        return False
    to_lao, to_province = record.transfer
    return reader.session.enrolment.scope.covers(lao_scope(to_province, to_lao))


async def _values(request: Request) -> dict[str, str]:
    submitted = await request.form()
    return {
        key: value[:MAX_FIELD_CHARS] for key, value in submitted.items() if isinstance(value, str)
    }


def form_names(form: Form) -> list[str]:
    """The names of the form's inputs, where a refusal's violations are placed."""
    return [EFFECTIVE, *(field.name for field in form.fields())]


def show_form(
    request: Request,
    session: WebSessionDep,
    *,
    stream: UUID,
    form: Form,
    action: str,
    values: Mapping[str, str],
    errors: Mapping[str, list[FieldError]] | None = None,
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The form page (or, for htmx, the form alone), errors beside their fields."""
    errors = dict(errors or {})
    order = [f.name for f in [form.effective, *form.fields()]]
    first = next((name for name in order if name in errors), None)
    context = {
        "stream": str(stream),
        "form": form,
        "action": action,
        "values": values,
        "errors": errors,
        "first_error": first,
        "field_order": order,
        "today": thai_today() if form.asked_today else None,
        **(extra or {}),
    }
    return render(request, "entry_form.html", context, status_code=status_code, session=session)


def show_review(
    request: Request,
    web: WebDep,
    ledger: Ledger,
    session: WebSessionDep,
    *,
    stream: UUID,
    form: Form,
    action: str,
    values: Mapping[str, str],
    data: dict[str, Any],
    effective: Any,
    stale: bool = False,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The review of the statement drafted now at the stream's head, with its sign button; or,
    when the ledger's dry run (``Ledger.check_draft``) refuses the draft on what is stored,
    the form again with each rule's message beside its field (422), before any sign request
    is issued: the officer signs once, what the ledger will accept."""
    made = draft_statement(ledger, stream, form.event_type, data, effective, session.enrolment)
    statement = made.statement
    try:
        ledger.check_draft(statement, made.disclosures_json())
    except InvalidDataError as error:
        return show_form(
            request, session, stream=stream, form=form, action=action, values=values,
            errors=place_violations(form_names(form), error.violations), status_code=422,
            extra={**(extra or {}), "refused": "precheck"},
        )  # fmt: skip
    origin = request.app.state.settings.web_origin
    wire, nonce = issue_request(web.request_key, web.nonces, origin, made)
    changed = changed_entry(ledger, stream, form)
    context = {
        "stream": str(stream),
        "form": form,
        "action": action,
        "values": values,
        "rows": review_rows(form, data),
        "heading": None if changed is None else entry_heading(ledger, stream, changed),
        "compared": compared_rows(form, data, changed.data)
        if changed is not None and form.event_type == "EntryCorrected"
        else None,
        "statement": statement,
        "wire": wire,
        "nonce": nonce,
        "stale": stale,
        **(extra or {}),
    }
    return render(request, "review.html", context, session=session)


async def _submitted(
    request: Request,
    web: WebDep,
    ledger: Ledger,
    session: WebSessionDep,
    stream: UUID,
    form: Form,
    action: str,
    extra: dict[str, Any],
) -> Response:
    values = await _values(request)
    if "_edit" in values:
        return show_form(
            request, session, stream=stream, form=form, action=action, values=values, extra=extra
        )
    heading = extra.get("heading")  # a correction's or a void's entry: its effective date
    parsed = parse_form(form, values, getattr(heading, "effective", None))
    if not parsed.ok:
        return show_form(
            request,
            session,
            stream=stream,
            form=form,
            action=action,
            values=values,
            errors=parsed.errors,
            status_code=422,
            extra=extra,
        )
    return show_review(
        request,
        web,
        ledger,
        session,
        stream=stream,
        form=form,
        action=action,
        values=values,
        data=parsed.data,
        effective=parsed.effective,
        extra=extra,
    )


def _person(
    reports: ReportsDep, reader: WebReaderDep, ledger: Ledger, stream: UUID
) -> dict[str, Any]:
    """The page's ``person`` (``web.person``): None for a caller who does not read the record."""
    return {"person": record_person(reports, reader, ledger, stream)}


@router.get("/app/records/{stream}/new")
def choose_event_type(
    request: Request, stream: UUID, ledger: LedgerDep, session: WebSessionDep, reader: WebReaderDep
) -> Response:
    record = _record(ledger, reader, stream)
    groups = signable_types(session.enrolment)
    context = {
        "stream": str(stream),
        "groups": groups,
        "status": status_label(record.status.value),
        "transitions": bool(allowed_transitions(record, session.enrolment)),
    }
    return render(request, "entry_types.html", context, session=session)


def _new_form(session: WebSessionDep, event_type: str) -> Form:
    if record_event(event_type) is None or event_type in STARTED_FROM_ENTRY:
        raise UnknownEventTypeError(event_type)
    _require_may_sign(session, event_type)
    return build_form(event_type)


@router.get("/app/records/{stream}/new/{event_type}")
def new_entry_form(
    request: Request,
    stream: UUID,
    event_type: str,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    form = _new_form(session, event_type)
    record = _record(ledger, reader, stream, arriving=event_type == "TransferredIn")
    defaults = {field.name: field.default for field in form.fields() if field.default}
    defaults.update(known_values(record, event_type))
    latest = prefill(record, form)  # the person's position, from the latest such entry
    defaults.update(latest.values)
    action = f"/app/records/{stream}/new/{event_type}"
    return show_form(
        request, session, stream=stream, form=form, action=action, values=defaults,
        extra={**_person(reports, reader, ledger, stream), "prefilled": latest},
    )  # fmt: skip


@router.post("/app/records/{stream}/new/{event_type}")
async def new_entry_submitted(
    request: Request,
    stream: UUID,
    event_type: str,
    web: WebDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    form = _new_form(session, event_type)
    _record(ledger, reader, stream, arriving=event_type == "TransferredIn")
    action = f"/app/records/{stream}/new/{event_type}"
    extra = _person(reports, reader, ledger, stream)
    return await _submitted(request, web, ledger, session, stream, form, action, extra)


def _entry(ledger: Ledger, reader: WebReaderDep, stream: UUID, version: int) -> StoredEntry:
    _record(ledger, reader, stream)
    try:
        entry = entry_at(stored_events(ledger, stream), version)
    except EntryNotFoundError:
        raise StreamNotFoundError(f"{stream} entry {version}") from None
    reader.logged([stream], RECORD_KINDS)  # its current values are shown or checked
    return entry


@router.get("/app/records/{stream}/entries/{version}/correct")
def correction_form(
    request: Request,
    stream: UUID,
    version: int,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    _require_may_sign(session, "EntryCorrected")
    entry = _entry(ledger, reader, stream, version)
    form = build_correction_form(entry.type, entry.version)
    about = _about(reports, reader, ledger, stream, entry)
    values = form_values(form, {"replacement": entry.data}, about["heading"].effective)
    action = f"/app/records/{stream}/entries/{version}/correct"
    return show_form(
        request, session, stream=stream, form=form, action=action, values=values,
        extra={**about, "entry": entry},
    )  # fmt: skip


def _about(
    reports: ReportsDep, reader: WebReaderDep, ledger: Ledger, stream: UUID, entry: StoredEntry
) -> dict[str, Any]:
    """Whose record and which entry a correction's or a void's page is about."""
    heading = entry_heading(ledger, stream, entry)
    return {**_person(reports, reader, ledger, stream), "heading": heading}


@router.post("/app/records/{stream}/entries/{version}/correct")
async def correction_submitted(
    request: Request,
    stream: UUID,
    version: int,
    web: WebDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    _require_may_sign(session, "EntryCorrected")
    entry = _entry(ledger, reader, stream, version)
    form = build_correction_form(entry.type, entry.version)
    action = f"/app/records/{stream}/entries/{version}/correct"
    extra = {**_about(reports, reader, ledger, stream, entry), "entry": entry}
    return await _submitted(request, web, ledger, session, stream, form, action, extra)


def _voidable(entry: StoredEntry) -> StoredEntry:
    if not getattr(EVENT_TYPES[entry.type].event_class, "is_voidable", True):
        raise ForbiddenError("EntryVoided", "the record's header is corrected, never voided")
    return entry


@router.get("/app/records/{stream}/entries/{version}/void")
def void_form(
    request: Request,
    stream: UUID,
    version: int,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    _require_may_sign(session, "EntryVoided")
    entry = _voidable(_entry(ledger, reader, stream, version))
    form = build_void_form(entry.id)
    shown = build_form(entry.type)
    action = f"/app/records/{stream}/entries/{version}/void"
    about = _about(reports, reader, ledger, stream, entry)
    values = form_values(form, {}, about["heading"].effective)
    extra = {"entry": entry, "entry_rows": review_rows(shown, entry.data)}
    return show_form(
        request, session, stream=stream, form=form, action=action, values=values,
        extra={**about, **extra},
    )  # fmt: skip


@router.post("/app/records/{stream}/entries/{version}/void")
async def void_submitted(
    request: Request,
    stream: UUID,
    version: int,
    web: WebDep,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    _require_may_sign(session, "EntryVoided")
    entry = _voidable(_entry(ledger, reader, stream, version))
    form = build_void_form(entry.id)
    action = f"/app/records/{stream}/entries/{version}/void"
    extra = {**_about(reports, reader, ledger, stream, entry), "entry": entry}
    return await _submitted(request, web, ledger, session, stream, form, action, extra)


@router.get("/app/records/{stream}/employment")
def employment_page(
    request: Request,
    stream: UUID,
    ledger: LedgerDep,
    reports: ReportsDep,
    session: WebSessionDep,
    reader: WebReaderDep,
) -> Response:
    record = _record(ledger, reader, stream, arriving=True)
    context = {
        **_person(reports, reader, ledger, stream),
        "stream": str(stream),
        "status": status_label(record.status.value),
        "transitions": allowed_transitions(record, session.enrolment),
    }
    return render(request, "employment.html", context, session=session)
