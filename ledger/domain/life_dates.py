"""The dates of a person's life that a personnel record's events may not contradict (DOMAIN.md
5.2): whatever the gate accepts stays forever, so a date that cannot be true is refused at the
door, naming the rule and the field.

* **The birth date** (``RecordOpened``, or a correction of the header) is not in the future
  (``record.birth_in_future``), nor so long ago that the person would be over
  ``OLDEST_AGE`` today (``record.birth_too_old``); a corrected birth date is not after any day
  the record already has (``record.before_birth``).
* **Nothing before birth** (``record.before_birth``). No event of the record that says when
  something happened to the person takes effect before the birth date (the opening, every
  entry, every status event), and none of the dates its data carry (an order's date, a
  leave's days, a training, a licence, a decoration's gazette, a schooling's start and end,
  the date of death...) lies before it. Corrections, voids and the owner's change requests
  say when the record changed, not the person: their own rules decide.
* **A minimum age at appointment** (``record.under_age``). Service starts (``EmploymentStarted``
  and the header's ``appointed_on`` and ``service_started``) once the person reached the age
  of ``MINIMUM_AGE`` for the record's category: 18 for officials and teachers (พ.ร.บ. ระเบียบ
  ข้าราชการพลเรือน ม.36 ก.(2), which the local personnel standards follow); 15 for permanent
  employees and contract staff, the age below which the labour law forbids employing anyone
  (พ.ร.บ. คุ้มครองแรงงาน ม.44), the lowest any law allows, so no true record is refused. Age is
  counted as the retirement rule counts it: N full years are reached the day before the Nth
  birthday. Schooling recorded on a ก.พ.๗ is finished at ``SCHOOLING_AGE`` at the earliest.
* **A death already happened** (``record.death_in_future``). ``Died`` neither names a date of
  death nor takes effect after today in Thailand. Other orders may be dated ahead: an order
  routinely takes effect after it is signed (a retirement on 1 October, an appointment next
  month), so the gate does not refuse an effective date after today elsewhere.

Messages name the date refused and the age in the rule, never the birth date itself (personal
data). The rules run when a statement is admitted; a replay never re-checks them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ledger.domain.base import broken
from ledger.domain.dates import DateKind, thai_today
from ledger.domain.event_labels import Label
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.record_entries import (
    EducationAddedData,
    PersonalDataRecordedData,
    StaffCategory,
)
from ledger.domain.rules import format_buddhist_date, full_years
from ledger.domain.values import SignedDate
from ledger.violations import rule

if TYPE_CHECKING:
    from ledger.domain.personnel import PersonnelRecord
    from ledger.domain.signed import SignedAggregate

MINIMUM_AGE: dict[StaffCategory, int] = {
    StaffCategory.OFFICIAL: 18,
    StaffCategory.TEACHER: 18,
    StaffCategory.EMPLOYEE: 15,
    StaffCategory.CONTRACT: 15,
}
"""The youngest age at which service starts, by category (see the module's docstring)."""

OLDEST_AGE = 120
"""No one on a record is older than this today."""

SCHOOLING_AGE = 5
"""No schooling recorded on a ก.พ.๗ is finished before this age."""

BEFORE_BIRTH = rule(
    "record.before_birth",
    "{label_th} ({date}) อยู่ก่อนวันเกิดของเจ้าของทะเบียนประวัติ: ไม่มีสิ่งใดในทะเบียนประวัติเกิดขึ้นก่อนผู้นั้นเกิด",
    "{label_en} ({date}) is before the person's birth date: nothing on a record happens before "
    "the person was born",
)
UNDER_AGE = rule(
    "record.under_age",
    "{label_th} ({date}) อยู่ก่อนที่เจ้าของทะเบียนประวัติมีอายุครบ {minimum} ปี ซึ่งเป็นอายุขั้นต่ำของ{what_th}",
    "{label_en} ({date}) is before the person was {minimum} years old, the youngest age for "
    "{what_en}",
)
DEATH_IN_FUTURE = rule(
    "record.death_in_future",
    "{label_th} ({date}) ยังมาไม่ถึง: บันทึกการถึงแก่กรรมล่วงหน้าไม่ได้ (วันนี้คือวันที่ {today})",
    "{label_en} ({date}) lies in the future: a death is not recorded ahead (today is {today})",
)
BIRTH_IN_FUTURE = rule(
    "record.birth_in_future",
    "วันเกิดยังมาไม่ถึง (วันนี้คือวันที่ {today})",
    "the birth date lies in the future (today is {today})",
)
BIRTH_TOO_OLD = rule(
    "record.birth_too_old",
    "ตามวันเกิด เจ้าของทะเบียนประวัติจะมีอายุเกิน {oldest} ปีในวันนี้ (วันที่ {today})",
    "by the birth date the person would be over {oldest} years old today ({today})",
)

EFFECTIVE = Label("วันที่มีผล", "the effective date")
SCHOOLING = Label("การสำเร็จการศึกษาที่บันทึกในทะเบียนประวัติ", "finishing a schooling on a record")


def check_birth_date(
    checker: type[SignedAggregate.Event], born: date, field: str, record: PersonnelRecord | None
) -> None:
    """Raise the broken rule when the birth date at ``field`` lies in the future, is too old, or
    (``record``: the record whose header a correction changes) is after a day it holds."""
    today = thai_today()
    if born > today:
        raise broken(checker, BIRTH_IN_FUTURE, field, today=format_buddhist_date(today))
    if full_years(born, OLDEST_AGE + 1) <= today:
        details = {"oldest": str(OLDEST_AGE), "today": format_buddhist_date(today)}
        raise broken(checker, BIRTH_TOO_OLD, field, **details)
    if record is not None:
        days = [effective for _, _, effective in record.status_history]
        days += [entry.effective for entry in record.live_entries()]
        if days and min(days) < born:
            earliest = format_buddhist_date(min(days))
            label = Label("วันที่มีผลของรายการแรกในทะเบียนประวัติ", "the earliest day the record holds")
            raise broken(checker, BEFORE_BIRTH, field, **_labelled(label, earliest))


def check_life_dates(
    checker: type[SignedAggregate.Event],
    born: date,
    category: StaffCategory,
    data: BaseModel,
    effective: date | None,
    prefix: str = "data",
) -> None:
    """Raise the broken rule when an event of a record born on ``born`` takes effect, or names a
    date in its data (under ``prefix``), before the birth date; or when it starts service, or
    finishes a schooling, before the youngest age for it (``EmploymentStarted`` checks its own
    effective date with ``check_appointment_age``). ``effective`` is None for a
    correction's replacement, whose effective date is the correction's."""
    if effective is not None and effective < born:
        raise broken(checker, BEFORE_BIRTH, "effective", **_labelled(EFFECTIVE, effective))
    for field, label, day in dated_fields(data, prefix):
        if day < born:
            raise broken(checker, BEFORE_BIRTH, field, **_labelled(label, day))
    if isinstance(data, EducationAddedData):
        check_age(checker, born, SCHOOLING_AGE, SCHOOLING, f"{prefix}.finished", data.finished)
    if isinstance(data, PersonalDataRecordedData):
        for name in ("appointed_on", "service_started"):
            if (day := getattr(data, name)) is not None:
                check_appointment_age(checker, born, category, f"{prefix}.{name}", day)


def check_appointment_age(
    checker: type[SignedAggregate.Event], born: date, category: StaffCategory, field: str, day: date
) -> None:
    """Raise ``record.under_age`` when service of ``category`` starts on ``day`` (at ``field``)
    before the person reached the category's ``MINIMUM_AGE``."""
    category_th = value_label("StaffCategory", category.value) or category.value
    what = Label(f"การบรรจุแต่งตั้ง{category_th}", f"starting service as {category.value} staff")
    check_age(checker, born, MINIMUM_AGE[category], what, field, day)


def check_age(
    checker: type[SignedAggregate.Event], born: date, years: int, what: Label, field: str, day: date
) -> None:
    """Raise ``record.under_age`` when ``day`` (at ``field``) is before ``years`` full years."""
    if day < full_years(born, years):
        label = _field_label(field)
        details = {"minimum": str(years), "what_th": what.th, "what_en": what.en}
        raise broken(checker, UNDER_AGE, field, **_labelled(label, day), **details)


def check_death(checker: type[SignedAggregate.Event], died_on: date, effective: date) -> None:
    """Raise ``record.death_in_future`` when the date of death or the status change's effective
    date lies after today in Thailand."""
    today = thai_today()
    for field, day in (("data.died_on", died_on), ("effective", effective)):
        if day > today:
            details = {**_labelled(_field_label(field), day), "today": format_buddhist_date(today)}
            raise broken(checker, DEATH_IN_FUTURE, field, **details)


def dated_fields(data: BaseModel, prefix: str) -> list[tuple[str, Label, date]]:
    """The dates ``data`` holds, but a birth date, each with its dotted path and its label,
    nested models (an order, a gazette) included."""
    found: list[tuple[str, Label, date]] = []
    for name, field in type(data).model_fields.items():
        value = getattr(data, name)
        path = f"{prefix}.{name}"
        if isinstance(value, BaseModel):
            found += dated_fields(value, path)
        elif isinstance(value, date) and not _is_birth_date(field.metadata):
            label = field_label(type(data).__name__, name) or _field_label(path)
            found.append((path, label, value))
    return found


def _is_birth_date(metadata: list[Any]) -> bool:
    return any(isinstance(mark, SignedDate) and mark.kind is DateKind.BIRTH for mark in metadata)


def _field_label(path: str) -> Label:
    name = path.rsplit(".", 1)[-1]
    if name == "effective":
        return EFFECTIVE
    return field_label("", name) or Label(name, name)


def _labelled(label: Label, day: date | str) -> dict[str, str]:
    shown = day if isinstance(day, str) else format_buddhist_date(day)
    return {"label_th": label.th, "label_en": label.en, "date": shown}


__all__ = [
    "BEFORE_BIRTH",
    "BIRTH_IN_FUTURE",
    "BIRTH_TOO_OLD",
    "DEATH_IN_FUTURE",
    "MINIMUM_AGE",
    "UNDER_AGE",
    "check_appointment_age",
    "check_birth_date",
    "check_death",
    "check_life_dates",
]
