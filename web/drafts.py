"""From a read form to a statement to sign, and back: what the form pages and the statement
endpoint share.

* ``signable_types``: the event types a caller's roles may sign on a personnel record, grouped
  by the ก.พ.๗ section their entries belong to (status transitions have their own page,
  corrections and voids start from the entry they change);
* ``draft_statement``: the statement at the stream's head, as ``ledger.drafting.templates.draft``
  lays it out (expected version and prev_hash of the head), signed by the session's key and
  citizen ID, signed now; on a ledger with a vault, an event type that declares personal
  fields is drafted as a v2 statement (``ledger.commitments``: a salted commitment signed in
  place of each personal value, fresh salts) with its disclosures beside it;
* ``issue_request``: the statement's canonical bytes in a ``SignRequest`` signed with the
  application's request key, its nonce remembered for one answer; a v2 draft's disclosures
  ride in the request, signed with it, so the agent shows the values and the answer brings
  them back to be submitted (the application keeps no copy of them);
* ``stored_events``: a record's entries with each v2 entry's values revealed through the
  vault (``projections.personal.Revealer``), so a correction starts from the values;
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
from ledger.commitments import Disclosure, commit_statement_data
from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.employment import TRANSITIONS
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.field_labels import field_label
from ledger.domain.operators import Enrolment
from ledger.domain.personal_fields import personal_paths
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import RecordSection
from ledger.domain.record_history import EntryEvent
from ledger.drafting.corrections import StoredEvent, entry_at
from ledger.drafting.templates import draft
from ledger.sign_requests import SignRequest
from ledger.statement import SignerRef, Statement, build_statement
from ledger.vault import Vault
from projections.personal import Revealer
from projections.reports.kp7_labels import section_label as kp7_section_label
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
        TypeGroup(section, section_label(section), tuple(groups[section]))
        for section in order
        if section in groups
    ]


def _section_of(spec: EventType) -> str:
    event_class = spec.event_class
    if isinstance(event_class, type) and issubclass(event_class, EntryEvent):
        return str(event_class.section.value)
    return ""


def section_label(section: str) -> Label:
    """A ก.พ.๗ section's names, Thai and English as the ก.พ.๗ page heads it (``other`` when
    none is named)."""
    return OTHER if not section else kp7_section_label(section)


@dataclass(frozen=True, slots=True)
class Draft:
    """A statement to sign and, for a v2 one, its disclosures (None: v1)."""

    statement: Statement
    disclosures: dict[str, Disclosure] | None = None

    def disclosures_json(self) -> dict[str, Any] | None:
        """The disclosures as ``Ledger.check_draft`` and ``Ledger.submit`` take them."""
        if self.disclosures is None:
            return None
        return {path: item.as_json() for path, item in self.disclosures.items()}


def commits(ledger: Ledger, event_type: str) -> bool:
    """Whether a draft of ``event_type`` is a v2 statement: the ledger keeps personal values
    in a vault, and the type declares personal fields."""
    spec = EVENT_TYPES.get(event_type)
    return ledger.vault is not None and spec is not None and bool(personal_paths(spec.data_model))


def draft_statement(
    ledger: Ledger,
    stream: UUID,
    event_type: str,
    data: dict[str, Any],
    effective: date,
    enrolment: Enrolment,
) -> Draft:
    """The statement of ``data`` at the stream's head now, signed by the enrolment's key (v2,
    with its disclosures, when ``commits``; always v2 for a record owner's key enrolled by her
    record, which signs with no citizen ID)."""
    made = draft(event_type, stream, ledger.head(stream), effective.isoformat())
    disclosures = None
    if commits(ledger, event_type):
        data, disclosures = commit_statement_data(event_type, stream, data)
    statement = build_statement(
        stream=stream,
        expected_version=made["expected_version"],
        prev_hash=made["prev_hash"],
        type=event_type,
        data=data,
        effective=effective,
        signer=SignerRef(cid=enrolment.cid, key=enrolment.key_id),
        signed_at=datetime.now(UTC),
        # A record owner enrolled by her record names no citizen ID: only v2 allows that.
        v=1 if disclosures is None and enrolment.cid is not None else 2,
    )
    return Draft(statement, disclosures)


def issue_request(key: RequestKey, nonces: NonceBook, origin: str, made: Draft) -> tuple[str, str]:
    """The sign request of a draft on the wire (a v2 draft's disclosures in it, signed with
    it), and its nonce (remembered, one use)."""
    payload = made.statement.canonical_bytes()
    request = SignRequest.new("statement", payload, origin, disclosures=made.disclosures)
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
    """The record's events as ``ledger.drafting.corrections`` reads them, a v2 event's data
    with its values revealed through the ledger's vault (never a commitment object)."""
    revealer = Revealer(ledger.vault if isinstance(ledger.vault, Vault) else None)
    return [
        (event.version, event.type, revealer.data(str(stream), statement.data))
        for event in ledger.stream_events(stream)
        for statement in [Statement.model_validate_json(event.statement)]
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
    "Draft",
    "ReviewRow",
    "TypeGroup",
    "commits",
    "draft_statement",
    "form_for",
    "issue_request",
    "may_sign",
    "record_event",
    "review_rows",
    "signable_types",
    "stored_events",
]
