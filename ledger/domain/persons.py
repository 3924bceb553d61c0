"""One active employment per category per person (docs/domain.md, the section of that name).

A person (a citizen ID) holds at most one personnel record of a staff category that is not
separated: a record whose employment status is pending, active or suspended holds the
person's place in its category (``employment.TERMINAL`` lists the statuses that free it:
retired, resigned, discharged, dismissed, removed, died, transferred out, contract ended).
A statement that would make a second such record is refused with
``record.person_already_active``:

- ``RecordOpened`` of the citizen ID and category (field ``data.cid``);
- a re-entry, an arrival or an appeal (``EmploymentStarted``, ``TransferredIn``,
  ``SeparationRevoked``) on a separated record (field ``stream``);
- a correction of a live record's header (``EntryCorrected`` of entry 1) that gives it another
  citizen ID or category (field ``data.replacement.cid``).

The rule reads other records, found by the person's citizen ID, which admission looks up
(``ledger.person_claims``; the ledger's lookup and its lock, ``ledger.persons``). Its refusal
says only that the citizen ID already has such a record: never which record, which LAO holds
it, nor a name (docs/personal-data.md, "Rules that read another stream"). An erased person's
record cannot be read any more and holds no place (docs/personal-data.md, "Erasure").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from ledger.domain.base import broken
from ledger.domain.employment import TERMINAL
from ledger.domain.field_labels import value_label
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import EntryCorrectedData, RecordOpenedData, StaffCategory
from ledger.domain.signed import SignedAggregate
from ledger.violations import rule

PERSON_ALREADY_ACTIVE = rule(
    "record.person_already_active",
    "เลขประจำตัวประชาชนนี้มีทะเบียนประวัติประเภท{category_th}ที่ยังไม่พ้นจากราชการหรือการจ้างอยู่แล้ว "
    "(บุคคลหนึ่งมีการจ้างงานที่ยังดำเนินอยู่ได้ประเภทละหนึ่งรายการ)",
    "the citizen ID already has a personnel record of category {category} that is still "
    "active (one active employment per category per person)",
)

REACTIVATING = frozenset({"EmploymentStarted", "TransferredIn", "SeparationRevoked"})
"""Status events that take a separated record back into service (a re-entry after a
resignation, the arrival of a transfer, an appeal)."""

CLAIMING = frozenset({"RecordOpened", "EntryCorrected", *REACTIVATING})
"""The event types that can make a record hold a person's place (``may_claim``)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """What a statement makes a record hold: a citizen ID's place in a staff category."""

    cid: str
    category: StaffCategory
    field: str


def may_claim(event_type: str, data: Mapping[str, Any]) -> bool:
    """Whether a statement of this type and (signed, unparsed) data may make a record hold a
    person's place: the ledger serialises those (``ledger.persons``). A correction only when
    its replacement carries a citizen ID (a header's)."""
    if event_type != "EntryCorrected":
        return event_type in CLAIMING
    replacement = data.get("replacement")
    return isinstance(replacement, Mapping) and "cid" in replacement


def claim_of(
    event_class: type[SignedAggregate.Event], record: PersonnelRecord | None, data: BaseModel
) -> Claim | None:
    """The place the statement makes ``record`` (None: not opened yet) hold, when it makes it
    hold one it did not: see the module's list."""
    name = event_class.__name__
    if record is None:
        if isinstance(data, RecordOpenedData):
            return Claim(data.cid, data.category, "data.cid")
        return None
    if name in REACTIVATING:
        return Claim(record.cid, record.category, "stream") if record.status in TERMINAL else None
    if isinstance(data, EntryCorrectedData) and record.status not in TERMINAL:
        header = record.entries_of(PersonnelRecord.RecordOpened)
        if not header or header[0].version != data.supersedes:
            return None
        try:
            replaced = RecordOpenedData.model_validate(data.replacement)
        except ValueError:
            return None  # the correction's own check refuses it
        if (replaced.cid, replaced.category) != (record.cid, record.category):
            return Claim(replaced.cid, replaced.category, "data.replacement.cid")
    return None


def check_one_active(
    event_class: type[SignedAggregate.Event],
    claim: Claim,
    stream: UUID,
    records: Iterable[SignedAggregate | None],
) -> None:
    """Refuse the claim when another of ``records`` (the person's, as found) is a record of
    the same citizen ID and category that is not separated."""
    for other in records:
        if (
            isinstance(other, PersonnelRecord)
            and other.id != stream
            and other.cid == claim.cid
            and other.category == claim.category
            and other.status not in TERMINAL
        ):
            category = str(claim.category)
            raise broken(
                event_class,
                PERSON_ALREADY_ACTIVE,
                claim.field,
                category=category,
                category_th=value_label("StaffCategory", category) or category,
            )


__all__ = [
    "CLAIMING",
    "PERSON_ALREADY_ACTIVE",
    "Claim",
    "check_one_active",
    "claim_of",
    "may_claim",
]
