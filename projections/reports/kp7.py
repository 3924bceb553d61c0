"""The full ก.พ.๗ of one record, grouped by section, now or as of a date on either time axis.

Built from the record's audit trail (``projections.views.audit_trail``): every event as signed,
its signing key's roles and its signature checked against the stored bytes. Each entry carries
who signed it (key and roles), its valid time (effective) and transaction time (recorded), and
the corrections and the void that changed it, each with its reason and signer; a corrected entry
shows its current data, its earlier data stays in its history.

The as-of rules are the registry's (``projections.views.registry_queries.fold_record``): as of a
transaction time T only what the ledger had recorded by T counts; as of a valid date D only the
entries effective by D, and a record opened after D did not exist on D. A correction keeps the
entry's valid time and a void applies as soon as it is recorded, whatever their own dates.

Leave and discipline are health data in the read matrix (``ledger.domain.reading``): a reader
whose roles do not read health gets the record without those sections, named as withheld.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.dates import THAILAND
from ledger.domain.employment import TRANSITIONS
from ledger.domain.record_entries import RecordSection
from ledger.domain.rules import format_buddhist_date, retirement_date
from ledger.errors import StreamNotFoundError
from projections.personal import WITHHOLDING, Revealer
from projections.reports.kp7_labels import (
    SECTIONS,
    buddhist,
    category_th,
    labelled_fields,
    role_item,
    section_th,
    status_th,
    type_th,
)
from projections.reports.results import Columns, JsonRows
from projections.rows import from_utc_text, utc_text
from projections.store import Cursor
from projections.views.audit_trail import AuditEntry, audit_trail
from projections.views.registry import SECTION_OF
from projections.views.registry_queries import registry_entries
from projections.views.registry_rows import RegistryEntry

HEALTH_SECTIONS = frozenset({RecordSection.LEAVE, RecordSection.DISCIPLINE})
"""Sections that are health data (``DataKind.HEALTH``): leave reasons and penalties."""

STATUS_TYPES = frozenset(TRANSITIONS) | {"RetirementScheduled"}
"""Events of the employment section: status changes and the system's retirement notice."""


@dataclass(frozen=True, slots=True)
class Signed:
    """Who signed an event: the key, the roles it was enrolled with, and its signature's check."""

    key_id: str
    roles: tuple[str, ...]
    signature: str

    @classmethod
    def of(cls, event: AuditEntry) -> Signed:
        return cls(event.key_id, event.roles, event.signature)

    def as_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "roles": [role_item(role) for role in self.roles],
            "signature": self.signature,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A correction (``corrected``: ``before`` is the data it replaced) or the void of an
    entry, by the event at ``version``."""

    kind: str
    type: str  # the type of the entry it changed
    version: int
    reason: str
    recorded_at: str
    signed: Signed
    before: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        found = {
            "kind": self.kind,
            "version": self.version,
            "reason": self.reason,
            **moment(self.recorded_at),
            "signed_by": self.signed.as_json(),
        }
        if self.before is not None:
            found["before"] = labelled_fields(self.type, self.before)
        return found


@dataclass(slots=True)
class Kp7Entry:
    """One entry of a section: its current data and every change made to it."""

    entry: int
    type: str
    section: RecordSection
    data: dict[str, Any]
    effective: str
    recorded_at: str
    signed: Signed
    version: int
    changes: list[Change] = field(default_factory=list)

    @property
    def voided(self) -> bool:
        return any(change.kind == "voided" for change in self.changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "version": self.version,
            "type": self.type,
            "type_th": type_th(self.type),
            "effective": self.effective,
            "effective_be": buddhist(self.effective),
            **moment(self.recorded_at),
            "signed_by": self.signed.as_json(),
            "voided": self.voided,
            "fields": labelled_fields(self.type, self.data),
            "changes": [change.as_json() for change in self.changes],
        }


def moment(recorded_at: str) -> dict[str, str]:
    """A transaction time as ISO (UTC) and as the Thai day and time it was (พ.ศ., UTC+7)."""
    local = from_utc_text(recorded_at).astimezone(THAILAND)
    return {
        "recorded_at": recorded_at,
        "recorded_at_be": f"{format_buddhist_date(local.date())} {local:%H:%M:%S}",
    }


def fold_kp7(
    trail: Sequence[AuditEntry], valid_on: date | None, recorded_at: datetime | None
) -> list[Kp7Entry]:
    """The record's entries (voided ones included, marked) as of the dates, in log order."""
    when = None if recorded_at is None else utc_text(recorded_at)
    on = None if valid_on is None else valid_on.isoformat()
    entries: dict[int, Kp7Entry] = {}
    current: dict[int, int] = {}  # an entry's latest event version -> the entry
    for event in trail:
        if when is not None and event.recorded_at > when:
            break  # what the ledger knew at T is a prefix of the stream
        if event.type in SECTION_OF or event.type in STATUS_TYPES:
            if on is None or event.effective <= on:
                entries[event.version] = _entry(event)
                current[event.version] = event.version
        elif event.type == "EntryCorrected":
            _correct(entries, current, event)
        elif event.type == "EntryVoided":
            _void(entries, event)
    return list(entries.values())


def _entry(event: AuditEntry) -> Kp7Entry:
    section = (
        RecordSection(SECTION_OF[event.type])
        if event.type in SECTION_OF
        else RecordSection.EMPLOYMENT
    )
    return Kp7Entry(
        entry=event.version,
        type=event.type,
        section=section,
        data=event.data,
        effective=event.effective,
        recorded_at=event.recorded_at,
        signed=Signed.of(event),
        version=event.version,
    )


def _correct(entries: dict[int, Kp7Entry], current: dict[int, int], event: AuditEntry) -> None:
    """A correction supersedes the entry whose latest version it names (if that entry is in
    effect on the valid date: one effective later is not shown, nor is its correction)."""
    target = entries.get(current.pop(int(event.data["supersedes"]), 0))
    if target is None:
        return
    target.changes.append(
        Change(
            "corrected",
            target.type,
            event.version,
            str(event.data["reason"]),
            event.recorded_at,
            Signed.of(event),
            before=target.data,
        )
    )
    target.data = dict(event.data["replacement"])
    target.version = event.version
    current[event.version] = target.entry


def _void(entries: dict[int, Kp7Entry], event: AuditEntry) -> None:
    target = entries.get(int(event.data["entry"]))
    if target is not None:
        reason = str(event.data["reason"])
        change = Change(
            "voided", target.type, event.version, reason, event.recorded_at, Signed.of(event)
        )
        target.changes.append(change)


@dataclass(frozen=True, slots=True)
class Kp7:
    """A person's ก.พ.๗: the registry's line of the record (who, where, status, position) and
    every entry by section, as of the dates asked; ``withheld`` the sections not shown."""

    record: RegistryEntry
    entries: tuple[Kp7Entry, ...]
    valid_on: date | None = None
    recorded_at: datetime | None = None
    withheld: tuple[RecordSection, ...] = ()

    @property
    def name(self) -> str:
        return f"kp7-{self.record.stream}"

    def header(self) -> dict[str, Any]:
        """The registry's line of the record, with Thai labels and dates in พ.ศ."""
        record = self.record
        born = record.birth_date
        retires = None if born is None else retirement_date(born)
        return record.as_json() | {
            "category_th": category_th(record.category),
            "status_th": status_th(record.status),
            "birth_date_be": None if born is None else format_buddhist_date(born),
            "retirement_date": None if retires is None else retires.isoformat(),
            "retirement_date_be": None if retires is None else format_buddhist_date(retires),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.header(),
            "valid_on": None if self.valid_on is None else self.valid_on.isoformat(),
            "as_of": None if self.recorded_at is None else self.recorded_at.isoformat(),
            "sections": [
                {"code": section.value, "th": section_th(section), "en": en, "entries": entries}
                for section, en, entries in self._sections()
            ],
            "withheld": [
                {"code": section.value, "th": section_th(section)} for section in self.withheld
            ],
        }

    def _sections(self) -> Iterable[tuple[RecordSection, str, list[Any]]]:
        for section, en in SECTIONS:
            if section in self.withheld:
                continue
            yield section, en, [e.as_json() for e in self.entries if e.section is section]

    def tabulate(self) -> tuple[Columns, JsonRows]:
        columns = ["section", "entry", "type", "effective", "recorded_at", "key_id", "voided"]
        rows = [
            {
                "section": entry.section.value,
                "entry": entry.entry,
                "type": entry.type,
                "effective": entry.effective,
                "recorded_at": entry.recorded_at,
                "key_id": entry.signed.key_id,
                "voided": entry.voided,
            }
            for entry in self.entries
            if entry.section not in self.withheld
        ]
        return columns, rows


def kp7_of(
    cursor: Cursor,
    tables: Mapping[str, Mapping[str, str]],
    ledger: Ledger,
    stream: UUID,
    dates: tuple[date | None, datetime | None],
    health: bool,
    revealer: Revealer = WITHHOLDING,
) -> Kp7:
    """The record's ก.พ.๗ as of the dates (valid, recorded), without the health sections unless
    ``health``, a v2 record's values revealed by ``revealer`` (erased: shown as erased);
    ``StreamNotFoundError`` when the registry held no such record then."""
    valid_on, recorded_at = dates
    found = registry_entries(
        cursor,
        tables["registry"],
        valid=valid_on,
        recorded=recorded_at,
        streams=[str(stream)],
        revealer=revealer,
    )
    if not found:
        raise StreamNotFoundError(f"{stream} (no record in the registry as of that date)")
    withheld = () if health else tuple(s for s, _ in SECTIONS if s in HEALTH_SECTIONS)
    hidden = {section.value for section in withheld}
    trail = [
        event
        if SECTION_OF.get(event.type) in hidden
        else replace(event, data=revealer.data(event.stream, event.data))
        for event in audit_trail(cursor, tables["audit"], ledger, stream)
    ]
    entries = fold_kp7(trail, valid_on, recorded_at)
    shown = tuple(entry for entry in entries if entry.section not in withheld)
    return Kp7(found[0], shown, valid_on, recorded_at, withheld)
