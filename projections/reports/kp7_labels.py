"""Thai labels of the ก.พ.๗ beside their codes: sections in the form's order, entry types,
data fields and their coded values, roles, statuses.

The names of event types, fields, coded values and roles are the ledger's own
(``ledger.domain.event_labels``, ``ledger.domain.field_labels``, the same the event schemas
show); here are the order of the sections, their English titles, the employment statuses, and
how an entry's data is laid out as labelled fields. A code no table names shows as itself.
"""

from __future__ import annotations

import types
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain.event_labels import EVENT_LABELS, ROLE_LABELS, Label
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import RecordSection
from ledger.domain.rules import format_buddhist_date
from projections.reports.labels import CODES

SECTIONS: tuple[tuple[RecordSection, str], ...] = (
    (RecordSection.GENERAL, "General"),
    (RecordSection.FAMILY, "Family"),
    (RecordSection.EDUCATION, "Education"),
    (RecordSection.LICENCE, "Professional licence"),
    (RecordSection.TRAINING, "Training and study tours"),
    (RecordSection.POSITION_SALARY, "Position and salary"),
    (RecordSection.DECORATIONS, "Decorations"),
    (RecordSection.LEAVE, "Leave, absence, lateness"),
    (RecordSection.DISCIPLINE, "Discipline and amnesty"),
    (RecordSection.UNPAID, "Days without or with reduced pay, martial-law areas"),
    (RecordSection.SPECIAL_SERVICE, "Special service"),
    (RecordSection.ABILITIES, "Special abilities"),
    (RecordSection.MERIT, "Merit"),
    (RecordSection.ACADEMIC_WORKS, "Academic works"),
    (RecordSection.OTHER, "Other necessary items"),
    (RecordSection.DOCUMENTS, "Scanned documents"),
    (RecordSection.EMPLOYMENT, "Employment status"),
)
"""The sections of a person's ก.พ.๗ in the form's order (DOMAIN.md section 2), in English."""

SECTION_EN = {section.value: en for section, en in SECTIONS} | {
    RecordSection.STRUCTURE.value: "Structure of the LAO",
    RecordSection.FRAME.value: "Position frame",
}
"""Every section's English name (the ก.พ.๗'s, and the two a certification return may name)."""


def section_label(section: str) -> Label:
    """A section's names, Thai and English, as the ก.พ.๗ page heads it (its code if none): how
    every page names a section, in English too (never the Thai name on an English page)."""
    english = SECTION_EN.get(section, section.replace("_", " "))
    return Label(value_label("RecordSection", section) or section, english)


STATUS_LABELS = {code: label[0] for code, label in CODES["employment"].items()}
"""Employment statuses (สถานภาพ), in Thai: the words of the reports (one source; neutral
across staff categories: contract staff do not ปฏิบัติราชการ)."""


def section_th(section: RecordSection) -> str:
    return value_label("RecordSection", section.value) or section.value


def type_th(event_type: str) -> str:
    found = EVENT_LABELS.get(event_type)
    return event_type if found is None else found.th


def role_item(role: str) -> dict[str, str]:
    found = ROLE_LABELS.get(role)
    return {"code": role, "th": role if found is None else found.th}


def category_th(category: str) -> str:
    return value_label("StaffCategory", category) or category


def status_th(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def buddhist(value: Any) -> Any:
    """``value`` with each ISO date in it written DD/MM/YYYY in the Buddhist era."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_buddhist_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {key: buddhist(item) for key, item in value.items()}
    if isinstance(value, list):
        return [buddhist(item) for item in value]
    return value


def labelled_fields(event_type: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field of an entry's data: its code, Thai label, value, the value's Thai label when
    it is a code, and the value in พ.ศ. when it holds dates."""
    model = _data_model(event_type)
    found = []
    for code, value in data.items():
        names = field_label(model.__name__, code) if model is not None else None
        item = {"code": code, "th": code if names is None else names.th, "value": value}
        if isinstance(value, str):
            coded = value_label(_enum_of(model, code), value)
            if coded is not None:
                item["value_th"] = coded
        in_be = buddhist(value)
        if in_be != value:
            item["value_be"] = in_be
        found.append(item)
    return found


def _data_model(event_type: str) -> type[BaseModel] | None:
    event = getattr(PersonnelRecord, event_type, None)
    model = getattr(event, "Data", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _enum_of(model: type[BaseModel] | None, code: str) -> str | None:
    """The name of the enumeration a field's values come from, if any."""
    field = None if model is None else model.model_fields.get(code)
    if field is None:
        return None
    annotation = field.annotation
    choices = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()
    for candidate in (annotation, *choices):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate.__name__
    return None
