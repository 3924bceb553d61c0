"""What a personnel record remembers: its entries with their earlier versions, who held it when,
and the changes its owner asked for; and ``EntryEvent``, the kind of event that adds an entry.

An entry keeps the event type that added it (``Entry.event``): that type's rules check a
correction's replacement data as they checked the original, and its hooks say whether the entry
may be voided and what a correction changes beyond the entry. The aggregate is
``ledger.domain.personnel.PersonnelRecord``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ValidationError

from ledger.domain.base import CheckContext, LedgerEvent, broken
from ledger.domain.field_labels import value_label
from ledger.domain.life_dates import check_life_dates
from ledger.domain.permissions import HR
from ledger.domain.record_entries import OWNER_SECTIONS, RecordSection
from ledger.domain.record_refusals import (
    CHANGE_REQUEST_RESOLVED,
    CHANGE_REQUEST_SECTION,
    ENTRY_TYPE,
    ENTRY_VOIDED,
    UNKNOWN_CHANGE_REQUEST,
    UNKNOWN_ENTRY,
    UNKNOWN_VERSION,
    VERSION_SUPERSEDED,
)
from ledger.domain.record_rules import check_after_separation
from ledger.domain.signed import SignedAggregate
from ledger.domain.value_checks import value_violations
from ledger.errors import InvalidDataError, model_violations
from ledger.statement import Statement

if TYPE_CHECKING:
    from ledger.domain.personnel import PersonnelRecord

D = TypeVar("D")


@dataclass
class Revision(Generic[D]):
    """An earlier state of an entry, superseded by the correction at ``superseded_by``."""

    version: int
    data: D
    superseded_by: int
    reason: str


@dataclass
class Entry(Generic[D]):
    """One entry of a section: its current data and everything it was before."""

    id: int  # the version of the event that added it
    event: type[EntryEvent[D]]  # the event type that added it: its rules hold for every version
    section: RecordSection
    data: D
    effective: date  # valid time
    recorded_at: datetime  # transaction time
    version: int  # the version of its latest event (the addition or the latest correction)
    history: list[Revision[D]] = field(default_factory=list)
    voided: str | None = None  # the reason, once voided

    @property
    def type(self) -> str:
        """The name of the event type that added it."""
        return self.event.__name__

    @property
    def is_live(self) -> bool:
        return self.voided is None


@dataclass
class ChangeRequest:
    section: RecordSection
    proposal: str
    outcome: str | None = None


def check_owner_section(checker: type[SignedAggregate.Event], section: RecordSection) -> None:
    """Raise the broken rule unless a record owner may ask to change ``section``
    (``OWNER_SECTIONS``)."""
    if section not in OWNER_SECTIONS:
        section_th = value_label("RecordSection", section.value) or section.value
        sections = ", ".join(allowed.value for allowed in OWNER_SECTIONS)
        details = {"section": section.value, "section_th": section_th, "sections": sections}
        raise broken(checker, CHANGE_REQUEST_SECTION, "data.section", **details)


def check_open_request(
    checker: type[SignedAggregate.Event], requests: Mapping[int, ChangeRequest], number: int
) -> None:
    """Raise the broken rule unless change request ``number`` exists and is not resolved."""
    request = requests.get(number)
    if request is None:
        raise broken(checker, UNKNOWN_CHANGE_REQUEST, "data.request", request=str(number))
    if request.outcome is not None:
        found = {"request": str(number), "outcome": request.outcome}
        raise broken(checker, CHANGE_REQUEST_RESOLVED, "data.request", **found)


@dataclass(frozen=True)
class Custody:
    """From ``version`` on, the record is held by ``lao`` in ``province``."""

    version: int
    lao: str
    province: str


class EntryEvent(LedgerEvent["PersonnelRecord", D]):
    """An event that adds an entry to a section of the record (HR keeps the record's entries).

    ``check_entry`` holds the rules of the entry's data; the ledger applies them to the event
    and to every correction of the entry it adds. No entry takes effect after the person left
    service, but in the sections that still apply then (``ledger.domain.record_rules``), nor
    takes effect or names a date before the person's birth (``ledger.domain.life_dates``).
    """

    roles = HR
    section: ClassVar[RecordSection]
    is_voidable: ClassVar[bool] = True

    def evolve_with(self, record: PersonnelRecord, statement: Statement, data: D) -> None:
        version = self.originator_version
        entry: Entry[D] = Entry(
            id=version,
            event=type(self),
            section=self.section,
            data=data,
            effective=statement.effective,
            recorded_at=self.timestamp,
            version=version,
        )
        record.entries[version] = entry
        record.current_versions[version] = version

    @classmethod
    def check_with(cls, record: PersonnelRecord, data: D, context: CheckContext) -> None:
        check_after_separation(cls, record, context.effective)
        born, category = record.birth_date, record.category
        check_life_dates(cls, born, category, cast(BaseModel, data), context.effective)
        cls.check_entry(record, data, None)

    @classmethod
    def check_replacement(cls, record: PersonnelRecord, data: D, corrected: int) -> None:
        """The rules of a correction's replacement ``data`` for entry ``corrected``: the dates
        of a person's life (``ledger.domain.life_dates``), then the entry's own."""
        born, category = record.birth_date, record.category
        replacement = cast(BaseModel, data)
        check_life_dates(cls, born, category, replacement, None, "data.replacement")
        cls.check_entry(record, data, corrected)

    @classmethod
    def check_entry(cls, record: PersonnelRecord, data: D, corrected: int | None) -> None:
        """Raise ``InvalidDataError`` when the entry's data breaks a rule: the event's data, or a
        correction's replacement (then ``corrected`` is the id of the corrected entry)."""

    @classmethod
    def corrected(cls, record: PersonnelRecord, data: D) -> None:
        """What a correction to ``data`` changes beyond the entry itself (nothing, mostly)."""


class EntryHistory:
    """A record's entries, of every type, by id; and the lookups its rules make."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry[Any]] = {}
        self.current_versions: dict[int, int] = {}  # latest event version -> entry id

    def live_entries(self, section: RecordSection | None = None) -> list[Entry[Any]]:
        """Entries not voided, in the order they were added (all sections, or one)."""
        return [
            entry
            for entry in self.entries.values()
            if entry.is_live and (section is None or entry.section is section)
        ]

    def entries_of(self, event_class: type[EntryEvent[D]]) -> list[Entry[D]]:
        """The live entries ``event_class`` added, in the order they were added."""
        return [e for e in self.entries.values() if e.is_live and e.event is event_class]

    def live_entry(
        self, checker: type[SignedAggregate.Event], entry_id: int, field: str
    ) -> Entry[Any]:
        """Entry ``entry_id`` (named at ``field``) if it exists and is live, else the broken
        rule (named for ``checker``)."""
        entry = self.entries.get(entry_id)
        if entry is None:
            raise broken(checker, UNKNOWN_ENTRY, field, entry=str(entry_id))
        if not entry.is_live:
            raise broken(checker, ENTRY_VOIDED, field, entry=str(entry_id))
        return entry

    def live_entry_of(
        self,
        checker: type[SignedAggregate.Event],
        entry_id: int,
        of_type: type[EntryEvent[D]],
        field: str,
    ) -> Entry[D]:
        """``live_entry``, which ``of_type`` must have added."""
        entry = self.entries.get(entry_id)
        if entry is None or entry.event is not of_type:
            raise broken(checker, ENTRY_TYPE, field, entry=str(entry_id), type=of_type.__name__)
        return self.live_entry(checker, entry_id, field)

    def superseded_entry(self, checker: type[SignedAggregate.Event], supersedes: int) -> int:
        """The id of the entry whose latest version is ``supersedes``, else the error."""
        entry_id = self.current_versions.get(supersedes)
        if entry_id is not None:
            return entry_id
        for entry in self.entries.values():
            if any(revision.version == supersedes for revision in entry.history):
                version, current = str(supersedes), str(entry.version)
                raise broken(
                    checker, VERSION_SUPERSEDED, "data.supersedes", version=version, current=current
                )
        raise broken(checker, UNKNOWN_VERSION, "data.supersedes", version=str(supersedes))

    def replacement(
        self, checker: type[SignedAggregate.Event], entry: Entry[Any], value: dict[str, Any]
    ) -> BaseModel:
        """A correction's replacement for ``entry``, valid for the entry's own type and for the
        gate's checks of values (this runs at admission only), else the error naming each
        problem under ``replacement``."""
        try:
            replacement = entry.event.Data.model_validate(value)
        except ValidationError as error:
            problems = model_violations(error.errors(), "data.replacement")
            raise InvalidDataError(checker.__name__, violations=problems) from None
        violations = value_violations(entry.event.Data, value, "data.replacement")
        if violations:
            raise InvalidDataError(checker.__name__, violations=violations)
        return replacement
