"""The effective date (วันที่มีผล) of a form's statement: never silently today.

The effective date files an entry in the record's history (the ก.พ.๗ as of a day, the PDF's
dates, the rules of service): an entry filed on the day it was typed instead of the day it
took effect misfiles history. So a blank effective date is filled only from what the entry's
own data says, per event type, read from the data models:

* an event whose data carries its own natural date (``NATURAL``): a leave or an unpaid period
  takes effect on its ``start``, a training on its ``started``, an education on its
  ``finished``, a licence on its ``valid_from``, a death on its ``died_on``, a returned
  decoration on its ``returned_on``, an age retirement on the day after its ``last_day``; of
  the e-Plan, a payment on its ``paid_on``, a progress report on its ``as_of``, a completed
  project on its ``completed_on``, a contract on its ``signed_on``, a plan's approval on its
  ``approved_on`` (when given);
* a correction or a void: the corrected (voided) entry's own effective date, as the officer
  means "this entry, corrected" (the page passes it, ``parse_form(..., fallback=)``, and
  prefills the field with it);
* an order-based entry: the order reference (``OrderRef``) has no effective date of its own
  (its ``date`` is the day the order was signed, often before it takes effect), so the field
  is required; a scan or a photo carries no date of the document either (a photo only its
  year), so it is required too; and so is every other event type.

A required effective date left blank is refused beside the field in Thai (``REQUIRED``),
nothing is drafted nor signed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.domain.event_labels import Label
from ledger.errors import INVALID_DATA

NATURAL: dict[str, tuple[str, int]] = {
    "LeaveTaken": ("start", 0),
    "UnpaidPeriodRecorded": ("start", 0),
    "TrainingRecorded": ("started", 0),
    "EducationAdded": ("finished", 0),
    "LicenseRecorded": ("valid_from", 0),
    "Died": ("died_on", 0),
    "DecorationReturned": ("returned_on", 0),
    "Retired": ("last_day", 1),
    "DisbursementMade": ("paid_on", 0),
    "SubsidyDisbursed": ("paid_on", 0),
    "ProgressReported": ("as_of", 0),
    "ProjectCompleted": ("completed_on", 0),
    "ContractSigned": ("signed_on", 0),
    "PlanApproved": ("approved_on", 0),
}
"""Event type -> (the data's date field a blank effective date follows, days after it)."""

ASKED_ON_THE_DAY = frozenset({"ChangeRequestedByOwner"})
"""Event types whose effective date is the day they are made (a request, not an entry of
history): never typed, today in Thailand."""
ASKED_HINT = Label("วันที่ยื่นคำขอ (วันนี้)", "the day of the request (today)")

CORRECTED_HINT = Label(
    "วว/ดด/ปปปป พ.ศ.; ว่างไว้ = วันที่มีผลของรายการเดิม",
    "DD/MM/YYYY in the Buddhist era; empty: the entry's own effective date",
)
REQUIRED_HINT = Label("วว/ดด/ปปปป พ.ศ. (ต้องกรอก)", "DD/MM/YYYY in the Buddhist era (required)")
REQUIRED_TH = "ต้องกรอกวันที่มีผล (วันที่รายการนี้มีผลจริง ไม่ใช่วันที่บันทึก)"
REQUIRED_EN = "the effective date is required (the day the entry took effect, not today)"
REQUIRED_RULE = INVALID_DATA.id


def natural_hint(event_type: str, label: Label | None) -> Label | None:
    """The effective date's hint of a form whose blank effective date follows a date of its
    data (``label``: that field's label), else None."""
    found = NATURAL.get(event_type)
    if found is None or label is None:
        return None
    after = found[1]
    th = f'{"วันถัดจาก" if after else ""}วันที่ในช่อง "{label.th}"'
    en = f'{"the day after " if after else ""}the date in "{label.en}"'
    return Label(f"วว/ดด/ปปปป พ.ศ.; ว่างไว้ = {th}", f"DD/MM/YYYY in the Buddhist era; empty: {en}")


def natural_effective(event_type: str, data: dict[str, Any]) -> date | None:
    """The effective date ``data`` (as prepared: ISO dates) says for ``event_type``, if any;
    a correction's replacement does not count (its entry's own date does)."""
    found = NATURAL.get(event_type)
    if found is None:
        return None
    path, after = found
    value = data.get(path)
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value) + timedelta(days=after)
    except ValueError:
        return None


__all__ = ["ASKED_ON_THE_DAY", "NATURAL", "natural_effective", "natural_hint"]
