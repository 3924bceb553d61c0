"""From a read form to a statement to sign, and back: what the form pages and the statement
endpoint share.

* ``signable_types``: the event types a caller's roles may sign on a personnel record, grouped
  by the ก.พ.๗ section their entries belong to (status transitions have their own page,
  corrections and voids start from the entry they change);
* ``draft_statement``: the statement at the stream's head, as ``ledger.drafting.templates.draft``
  lays it out (expected version and prev_hash of the head), signed by the session's key and
  citizen ID, signed now;
* ``issue_request``: the statement's canonical bytes in a ``SignRequest`` signed with the
  application's request key, its nonce remembered for one answer;
* ``review_rows``: what will be signed, field by field, as a person reads it (Thai labels,
  Buddhist-era dates, the Thai label of each code);
* ``form_for``: the form an already drafted statement was filled from (to show a refusal beside
  its fields, or a fresh review after someone else appended).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.employment import TRANSITIONS
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.operators import Enrolment
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import RecordSection
from ledger.domain.record_history import EntryEvent
from ledger.drafting.corrections import StoredEvent, entry_at
from ledger.drafting.templates import draft
from ledger.sign_requests import SignRequest
from ledger.statement import SignerRef, Statement, build_statement
from web.forms import Form, FormField, build_correction_form, build_form, build_void_form
from web.forms.values import show_value
from web.request_key import NonceBook, RequestKey

STARTED_FROM_ENTRY = frozenset({"EntryCorrected", "EntryVoided"})
"""Event types a person starts from the entry they change, not from the list of new entries."""

OTHER = Label("อื่น ๆ", "other")


def may_sign(enrolment: Enrolment, event_type: str) -> bool:
    """Whether one of the enrolment's roles may sign ``event_type`` (the ledger also checks
    the scope and the record's own rules when the signed statement comes in)."""
    spec = EVENT_TYPES.get(event_type)
    return spec is not None and bool(spec.roles & set(enrolment.roles))


def record_event(event_type: str) -> EventType | None:
    """The catalogued event type if it is signed on an existing personnel record."""
    spec = EVENT_TYPES.get(event_type)
    if spec is None or spec.aggregate is not PersonnelRecord or spec.opens_stream:
        return None
    return spec


@dataclass(frozen=True, slots=True)
class TypeGroup:
    """Event types of one section of the ก.พ.๗, in catalogue order."""

    section: str
    label: Label
    types: tuple[tuple[str, Label], ...]


def signable_types(enrolment: Enrolment) -> list[TypeGroup]:
    """The new entries the caller may sign on a record, by section (sections in ก.พ.๗ order);
    status transitions and corrections are left to their own pages."""
    groups: dict[str, list[tuple[str, Label]]] = {}
    for name, spec in EVENT_TYPES.items():
        if (
            record_event(name) is None
            or name in TRANSITIONS
            or name in STARTED_FROM_ENTRY
            or not may_sign(enrolment, name)
        ):
            continue
        section = _section_of(spec)
        groups.setdefault(section, []).append((name, EVENT_LABELS.get(name, Label(name, name))))
    order = [section.value for section in RecordSection] + [""]
    return [
        TypeGroup(section, _section_label(section), tuple(groups[section]))
        for section in order
        if section in groups
    ]


def _section_of(spec: EventType) -> str:
    event_class = spec.event_class
    if isinstance(event_class, type) and issubclass(event_class, EntryEvent):
        return str(event_class.section.value)
    return ""


def _section_label(section: str) -> Label:
    if not section:
        return OTHER
    return Label(value_label("RecordSection", section) or section, section.replace("_", " "))


def draft_statement(
    ledger: Ledger,
    stream: UUID,
    event_type: str,
    data: dict[str, Any],
    effective: date,
    enrolment: Enrolment,
) -> Statement:
    """The statement of ``data`` at the stream's head now, signed by the enrolment's key."""
    made = draft(event_type, stream, ledger.head(stream), effective.isoformat())
    return build_statement(
        stream=stream,
        expected_version=made["expected_version"],
        prev_hash=made["prev_hash"],
        type=event_type,
        data=data,
        effective=effective,
        signer=SignerRef(cid=enrolment.cid, key=enrolment.key_id),
        signed_at=datetime.now(UTC),
    )


def issue_request(
    key: RequestKey, nonces: NonceBook, origin: str, statement: Statement
) -> tuple[str, str]:
    """The sign request of ``statement`` on the wire, and its nonce (remembered, one use)."""
    request = SignRequest.new("statement", statement.canonical_bytes(), origin)
    nonces.issue(request)
    return key.wire(request), request.nonce


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One line of what will be signed."""

    name: str
    label: Label
    value: str
    group: Label | None = None
    is_date: bool = False  # value is an ISO day: the page writes it long (25 กันยายน 2563)


def review_rows(form: Form, data: dict[str, Any]) -> list[ReviewRow]:
    """Every field the data fills, as the review shows it (empty optional fields left out)."""
    groups = {group.name: group.label for group in form.groups()}
    model = EVENT_TYPES[form.event_type].data_model.__name__
    rows = [
        ReviewRow(key, field_label(model, key) or Label(key, key), str(value))
        for key, value in form.fixed.items()
    ]
    for field in form.fields():
        value = _lookup(data, field.name)
        if value is None:
            continue
        parent = field.name.rpartition(".")[0]
        day = field.kind == "date" and isinstance(value, str)
        shown = value if day else _shown(field, value)
        rows.append(ReviewRow(field.name, field.label, shown, groups.get(parent), is_date=day))
    return rows


def _shown(field: FormField, value: Any) -> str:
    if field.kind == "choice":
        found = next((c.th for c in field.choices if c.value == str(value)), None)
        return found or str(value)  # the Thai label only: no internal code in brackets
    if field.kind == "boolean":
        return "ใช่" if value is True else "ไม่ใช่"
    return show_value(field, value)


def _lookup(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def stored_events(ledger: Ledger, stream: UUID) -> list[StoredEvent]:
    """The record's events as ``ledger.drafting.corrections`` reads them."""
    return [
        (event.version, event.type, Statement.model_validate_json(event.statement).data)
        for event in ledger.stream_events(stream)
    ]


def form_for(ledger: Ledger, statement: Statement) -> tuple[Form, str]:
    """The form ``statement`` was filled from, and the address its page posts to."""
    base = f"/app/records/{statement.stream}"
    if statement.type == "EntryCorrected":
        supersedes = int(statement.data.get("supersedes", 0))
        entry = entry_at(stored_events(ledger, statement.stream), supersedes)
        form = build_correction_form(entry.type, supersedes)
        return form, f"{base}/entries/{supersedes}/correct"
    if statement.type == "EntryVoided":
        entry_id = int(statement.data.get("entry", 0))
        return build_void_form(entry_id), f"{base}/entries/{entry_id}/void"
    return build_form(statement.type), f"{base}/new/{statement.type}"


__all__ = [
    "ReviewRow",
    "TypeGroup",
    "draft_statement",
    "form_for",
    "issue_request",
    "may_sign",
    "record_event",
    "review_rows",
    "signable_types",
    "stored_events",
]
