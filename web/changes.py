"""What a correction or a void changes, said as an HR officer reads a ก.พ.๗: the entry by its
Thai event name and effective date (not "entry 4"), and for a correction each field's value
before and after, so the review shows what the signature changes, not only the new data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.drafting.corrections import EntryNotFoundError, StoredEntry, entry_at
from ledger.statement import Statement
from web.drafts import review_rows, stored_events
from web.forms import Form

REPLACEMENT = "replacement."


@dataclass(frozen=True, slots=True)
class EntryHeading:
    """An entry as the officer names it: ``เลื่อนขั้นเงินเดือน มีผล 1 ตุลาคม 2568``."""

    id: int
    version: int
    name: Label
    effective: date | None


def entry_heading(ledger: Ledger, stream: UUID, entry: StoredEntry) -> EntryHeading:
    """The entry's event name and the effective date of the event that added it (the date
    the ก.พ.๗ page lists it under; a correction keeps its place)."""
    effective = None
    for event in ledger.stream_events(stream):
        if event.version == entry.id:
            effective = Statement.model_validate_json(event.statement).effective
            break
    name = EVENT_LABELS.get(entry.type, Label(entry.type, entry.type))
    return EntryHeading(entry.id, entry.version, name, effective)


def changed_entry(ledger: Ledger, stream: UUID, form: Form) -> StoredEntry | None:
    """The entry a correction's or a void's form is about (None for any other form, or when
    the entry is gone: the ledger refuses the statement then, beside its field)."""
    if form.event_type == "EntryCorrected":
        version = form.fixed.get("supersedes")
    elif form.event_type == "EntryVoided":
        version = form.fixed.get("entry")
    else:
        return None
    if not isinstance(version, int):
        return None
    try:
        return entry_at(stored_events(ledger, stream), version)
    except EntryNotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class ComparedRow:
    """One field of a corrected entry: its value now and after the correction."""

    name: str
    label: Label
    group: Label | None
    before: str
    after: str
    is_date: bool = False  # before and after are ISO days, written long by the page

    @property
    def changed(self) -> bool:
        return self.before != self.after


def compared_rows(form: Form, data: dict[str, Any], before: dict[str, Any]) -> list[ComparedRow]:
    """Every field of the correction's replacement that the entry or the correction fills,
    in the form's order, with the entry's current value beside the corrected one (an emptied
    field is "", which the page reads "not given")."""
    after = {row.name: row for row in review_rows(form, data) if row.name.startswith(REPLACEMENT)}
    was = {row.name: row for row in review_rows(form, {"replacement": before})}
    compared = []
    for field in form.fields():
        new, old = after.get(field.name), was.get(field.name)
        shown = new or old
        if shown is None:
            continue
        compared.append(
            ComparedRow(
                field.name,
                shown.label,
                None if field.name.count(".") == 1 else shown.group,  # not "the corrected data"
                old.value if old else "",
                new.value if new else "",
                is_date=shown.is_date,
            )
        )
    return compared


__all__ = ["ComparedRow", "EntryHeading", "changed_entry", "compared_rows", "entry_heading"]
