"""The rules of a personnel record that read more than the event in hand: when its entries may
take effect, given the person's service (DOMAIN.md 5.2).

* **Nothing after a separation.** Once the person has left service for good (retired,
  resigned, discharged, dismissed, removed, died, contract ended, or transferred out and not
  yet arrived), no entry may take effect after the day the separation took effect, except the
  sections that still apply to someone out of service (``LASTING_SECTIONS``). Corrections and
  voids of earlier entries, the owner's change requests and their resolution, and the status
  events (a re-entry, a revocation, the arrival of a transfer) are not entries of a section:
  their own rules decide. An entry effective on the separation day itself is allowed (the
  ก.พ.๗ line recording the separation carries that date).
* **An age retirement on its day.** ``Retired`` (the model has no other kind: an early
  retirement is a resignation, ``Resigned``, under its own rules) takes effect on the day
  after the last day in service computed from the birth date (30 September of the fiscal year
  the person turns 60, ``ledger.domain.rules.separation_date``); its messages name that day in
  the Buddhist era, as the officer types it.
* **Leave within service.** A leave starts on or after the day a spell of service started and
  ends before the day it ended (``Service``); and it overlaps no other leave of the record, but
  for two half days on the same day. A correction of a leave is checked against the others.

The rules run when a statement is admitted; a replay of stored events never re-checks them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.domain.base import broken
from ledger.domain.employment import IN_SERVICE, TERMINAL, RetirementScheduledData, Service
from ledger.domain.record_entries import (
    LeaveTakenData,
    LeaveYearSummarisedData,
    RecordSection,
    StaffCategory,
)
from ledger.domain.record_refusals import (
    CONTRACT_STAFF_RETIREMENT,
    LAST_DAY,
    LEAVE_YEAR_SUMMARISED,
    RETIREMENT_SCHEDULED,
    RETIREMENT_YEAR,
    STATUS_TRANSITION,
    entry_field,
)
from ledger.domain.rules import (
    format_buddhist_date,
    retirement_fiscal_year,
    separation_date,
)
from ledger.violations import rule

if TYPE_CHECKING:
    from ledger.domain.personnel import PersonnelRecord
    from ledger.domain.record_history import EntryEvent

AFTER_SEPARATION = rule(
    "record.after_separation",
    "บันทึก {event} ที่มีผลวันที่ {effective} ไม่ได้: พ้นจากราชการ ({status}) ตั้งแต่วันที่ {separated}",
    "no {event} may take effect on {effective}: the person left service ({status}) on {separated}",
)
LEAVE_OUTSIDE_SERVICE = rule(
    "record.leave_outside_service",
    "การลาวันที่ {start} ถึง {end} ไม่อยู่ในช่วงที่รับราชการ ({service})",
    "leave from {start} to {end} falls outside the person's service ({service})",
)
LEAVE_OVERLAP = rule(
    "record.leave_overlap",
    "การลาวันที่ {start} ถึง {end} ซ้อนกับการลารายการที่ {entry} (วันที่ {other_start} ถึง {other_end})",
    "leave from {start} to {end} overlaps the leave of entry {entry} ({other_start} to "
    "{other_end})",
)

RETIREMENT_EFFECTIVE = rule(
    "record.retirement_effective",
    "การเกษียณอายุราชการต้องมีผลวันที่ {expected} (วันถัดจากวันสิ้นปีงบประมาณที่อายุครบ 60 ปี "
    "ตามวันเกิด) ไม่ใช่วันที่ {effective}",
    "an age retirement takes effect on {expected} (the day after the last day in service by "
    "the birth date), not on {effective}",
)

LASTING_SECTIONS = frozenset(
    {
        RecordSection.GENERAL,
        RecordSection.FAMILY,
        RecordSection.DECORATIONS,
        RecordSection.DISCIPLINE,
        RecordSection.DOCUMENTS,
    }
)
"""Sections whose entries may take effect after a separation, because they still apply then:
the person's own data (names, addresses, photos) and family (heirs are recorded for the
pension); decorations (an award asked for in service is often gazetted after retirement; a
decoration is returned at death); discipline (a penalty for conduct in service ordered after
the person left, when the inquiry began in service [GK], and amnesties); scanned documents."""

NOT_IN_SERVICE = "-"
"""How the service of someone never in service is shown in a message."""


def separated_on(record: PersonnelRecord) -> date | None:
    """The day the current separation took effect, or None while the person is not separated."""
    if record.status not in TERMINAL:
        return None
    _, _, effective = record.status_history[-1]
    return effective


def check_after_separation(
    event_class: type[EntryEvent[Any]], record: PersonnelRecord, effective: date
) -> None:
    """Raise the broken rule when an entry of ``event_class`` may not take effect on
    ``effective`` because the person left service before."""
    separated = separated_on(record)
    if separated is None or effective <= separated or event_class.section in LASTING_SECTIONS:
        return
    raise broken(
        event_class,
        AFTER_SEPARATION,
        "effective",
        event=event_class.__name__,
        effective=effective.isoformat(),
        status=record.status,
        separated=separated.isoformat(),
    )


def check_retirement(
    event_class: type[Any], record: PersonnelRecord, last_day: date, effective: date
) -> None:
    """Raise the broken rule when a contract staff member would retire, or when an age
    retirement's last day or effective date is not the one the birth date gives."""
    if record.category is StaffCategory.CONTRACT:
        raise broken(event_class, CONTRACT_STAFF_RETIREMENT, "type")
    if last_day != record.retirement_date:
        raise broken(
            event_class,
            LAST_DAY,
            "data.last_day",
            expected=format_buddhist_date(record.retirement_date),
            last_day=format_buddhist_date(last_day),
        )
    expected = separation_date(record.birth_date)
    if effective != expected:
        raise broken(
            event_class,
            RETIREMENT_EFFECTIVE,
            "effective",
            expected=format_buddhist_date(expected),
            effective=format_buddhist_date(effective),
        )


def check_leave(
    event_class: type[EntryEvent[LeaveTakenData]],
    record: PersonnelRecord,
    leave: LeaveTakenData,
    corrected: int | None,
) -> None:
    """Raise the broken rule when ``leave`` falls outside the person's service or overlaps
    another leave of the record (``corrected``: the leave entry a correction replaces)."""
    field = "data.replacement.start" if corrected is not None else "data.start"
    period = {"start": leave.start.isoformat(), "end": leave.end.isoformat()}
    if not any(spell.covers(leave.start, leave.end) for spell in record.service):
        raise broken(
            event_class, LEAVE_OUTSIDE_SERVICE, field, **period, service=describe(record.service)
        )
    for entry in record.entries_of(event_class):
        if entry.id != corrected and overlaps(entry.data, leave):
            raise broken(
                event_class,
                LEAVE_OVERLAP,
                field,
                **period,
                entry=str(entry.id),
                other_start=entry.data.start.isoformat(),
                other_end=entry.data.end.isoformat(),
            )


def overlaps(one: LeaveTakenData, other: LeaveTakenData) -> bool:
    """True when two leaves share a day, unless they are half days of the same single day
    (a morning's sick leave and an afternoon's personal leave, ลาครึ่งวัน)."""
    if one.end < other.start or other.end < one.start:
        return False
    same_day = one.start == one.end == other.start == other.end
    return not (same_day and one.days + other.days <= 1)


def describe(service: Sequence[Service]) -> str:
    """The spells of service as ISO ranges (``2019-04-01..2020-10-01``, open when current)."""
    if not service:
        return NOT_IN_SERVICE
    return ", ".join(
        f"{spell.start.isoformat()}..{spell.end.isoformat() if spell.end else ''}"
        for spell in service
    )


def check_leave_year(
    event_class: type[EntryEvent[LeaveYearSummarisedData]],
    record: PersonnelRecord,
    data: LeaveYearSummarisedData,
    corrected: int | None,
) -> None:
    """Raise when the record already has a leave line for the year (``corrected``: the line a
    correction replaces)."""
    for entry in record.entries_of(event_class):
        if entry.data.year == data.year and entry.id != corrected:
            field = entry_field("year", corrected)
            raise broken(
                event_class, LEAVE_YEAR_SUMMARISED, field, year=str(data.year), entry=str(entry.id)
            )


def check_retirement_schedule(
    event_class: type[Any], record: PersonnelRecord, data: RetirementScheduledData
) -> None:
    """Raise the broken rule when the system key's retirement notice names someone not in
    service, a contract staff member, a year already scheduled, or not the year and last day
    the birth date gives."""
    if record.category is StaffCategory.CONTRACT:
        raise broken(event_class, CONTRACT_STAFF_RETIREMENT, "type")
    if record.status not in IN_SERVICE:
        event, status = event_class.__name__, record.status
        raise broken(event_class, STATUS_TRANSITION, "stream", event=event, status=status)
    year = str(data.fiscal_year)
    if data.fiscal_year in record.retirement_schedules:
        raise broken(event_class, RETIREMENT_SCHEDULED, "data.fiscal_year", fiscal_year=year)
    due = retirement_fiscal_year(record.birth_date)
    if data.fiscal_year != due or data.last_day != record.retirement_date:
        field = "data.fiscal_year" if data.fiscal_year != due else "data.last_day"
        last_day = format_buddhist_date(record.retirement_date)
        raise broken(event_class, RETIREMENT_YEAR, field, due=str(due), last_day=last_day)
