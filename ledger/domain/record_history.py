"""What a personnel record remembers: its entries with their earlier versions, who held it when,
and the changes its owner asked for; and ``EntryEvent``, the kind of event that adds an entry.

An entry keeps the event type that added it (``Entry.event``): that type's rules check a
correction's replacement data as they checked the original, and its hooks say whether the entry
may be voided and what a correction changes beyond the entry. The aggregate is
``ledger.domain.personnel.PersonnelRecord``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ledger.domain.base import CheckContext, LedgerEvent
from ledger.domain.permissions import HR
from ledger.domain.record_entries import RecordSection
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


@dataclass(frozen=True)
class Custody:
    """From ``version`` on, the record is held by ``lao`` in ``province``."""

    version: int
    lao: str
    province: str


class EntryEvent(LedgerEvent["PersonnelRecord", D]):
    """An event that adds an entry to a section of the record (HR keeps the record's entries).

    ``check_entry`` holds the rules of the entry's data; the ledger applies them to the event
    and to every correction of the entry it adds.
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
        cls.check_entry(record, data, context.effective, None)

    @classmethod
    def check_entry(
        cls, record: PersonnelRecord, data: D, effective: date | None, corrected: int | None
    ) -> None:
        """Raise ``InvalidDataError`` when the entry's data breaks a rule. For a correction's
        replacement, ``effective`` is None and ``corrected`` is the id of the corrected entry."""

    @classmethod
    def corrected(cls, record: PersonnelRecord, data: D) -> None:
        """What a correction to ``data`` changes beyond the entry itself (nothing, mostly)."""


def entries_of(entries: dict[int, Entry[Any]], event_class: type[EntryEvent[D]]) -> list[Entry[D]]:
    """The live entries ``event_class`` added, in the order they were added."""
    return [entry for entry in entries.values() if entry.is_live and entry.event is event_class]
