"""What a new entry's form starts with, read from the record's latest entry of the same type,
so an officer types only what changed.

A salary line (ตำแหน่งและอัตราเงินเดือน) mostly repeats the person's position: its number,
title, level, line, type, management position, unit and allowance come from the record's
latest live salary entry, the one the ก.พ.๗ page and the registry call the current position
(latest by effective date, then by the order entries were added), and so does the order's
issuer (the LAO's head signs most orders). The movement type, the salary and the order's
number and date are left empty: they are what a new line is about, and a salary copied by
mistake would be signed as if it were decided. A yearly leave summary starts at the year
after the latest one summarised.

Other entry types start empty: a training, a decoration, a family member or a leave repeats
nothing of the previous one, and a guess there would be signed as a fact. The page says
where the values came from (``Prefill.source``); the ledger checks whatever is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_history import Entry
from web.forms import Form, form_values

CARRIED: dict[str, tuple[str, ...]] = {
    "PositionSalaryEntryAdded": (
        "position_no",
        "position_title",
        "level",
        "line",
        "position_type",
        "management_position",
        "unit",
        "allowance",
        "order.issuer",
    ),
}
"""Per event type, the fields a new entry takes from the latest one as they are."""

NEXT_YEAR: dict[str, str] = {"LeaveYearSummarised": "year"}
"""Per event type, a Buddhist-era year field that a new entry takes as the latest one's + 1."""


@dataclass(frozen=True, slots=True)
class Prefill:
    """The values a new entry's form starts with and the entry they came from (None: none)."""

    values: dict[str, str]
    source: Entry[Any] | None = None
    salary: str = ""  # the latest salary line's salary, shown beside the form, never typed in


def latest_entry(record: PersonnelRecord, event_type: str) -> Entry[Any] | None:
    """The record's latest live entry of ``event_type`` as the ก.พ.๗ reads it: the latest
    effective date, then the latest added."""
    entries = [entry for entry in record.live_entries() if entry.type == event_type]
    return max(entries, key=lambda entry: (entry.effective, entry.id), default=None)


def prefill(record: PersonnelRecord, form: Form) -> Prefill:
    """What ``form`` (a new entry's) starts with on ``record``."""
    carried, year = CARRIED.get(form.event_type, ()), NEXT_YEAR.get(form.event_type)
    if not carried and year is None:
        return Prefill({})
    entry = latest_entry(record, form.event_type)
    if entry is None:
        return Prefill({})
    data = entry.data.model_dump(mode="json")
    shown = form_values(form, data)
    values = {name: shown[name] for name in carried if shown.get(name)}
    if year is not None and isinstance(data.get(year), int):
        values[year] = str(data[year] + 1)
    return Prefill(values, entry, shown.get("salary", ""))


__all__ = ["CARRIED", "NEXT_YEAR", "Prefill", "latest_entry", "prefill"]
