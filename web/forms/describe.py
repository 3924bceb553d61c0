"""A form description of an event type's data, built from its pydantic model.

The event's data model is what the ledger validates, so the form is read from it (as the
JSON schemas of ``ledger.domain.event_schemas`` are): every field becomes a ``FormField`` named
by its dotted path under ``data`` (``order.number`` for the number of an order reference), with
the Thai and English labels of ``ledger.domain.field_labels``, a kind saying how it is typed and
read back, whether it is required, and a hint. Nested models (an order reference, a gazette
reference) become a ``FormGroup`` (a fieldset); an optional group is left out of the data when
all its fields are left empty.

Kinds: ``text``, ``textarea`` (multi-line text), ``date`` (typed in the Buddhist era, Thai
digits accepted), ``money`` (baht; ``1,234.50`` accepted), ``decimal`` (days), ``integer``
(a year in the Buddhist era is one, with its hint), ``choice`` (a select of coded values with
their Thai labels), ``boolean`` (a select of ใช่ / ไม่ใช่, so "not reported" stays possible) and
``lines``: a list of plain values is a textarea with one item per line (no HR event has a list
today; a repeatable group would need script, a textarea works without); ``yearly``: a map of
Buddhist-era fiscal years to amounts (a plan project's planned money) is a textarea with one
``2566: 1,000,000.00`` per line, a blank or ``-`` amount for "not reported". Anything else (a
map, GeoJSON) is ``json``, a textarea holding JSON.

A correction's form is the corrected entry's own form under ``replacement.`` with the reason
(``build_correction_form``); the entry it supersedes is not typed by anyone but carried by the
page.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.event_schemas import event_type
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.record_entries import COMMON_MOVEMENTS, OWNER_SECTIONS
from ledger.domain.values import PlainMoney, SignedText
from web.forms.effective import (
    ASKED_HINT,
    ASKED_ON_THE_DAY,
    CORRECTED_HINT,
    NATURAL,
    natural_hint,
)

Kind = Literal[
    "text",
    "textarea",
    "date",
    "money",
    "decimal",
    "integer",
    "choice",
    "boolean",
    "lines",
    "yearly",
    "json",
]

EFFECTIVE = "effective"
"""The name of the statement's effective date on every form (no event's data has a field so
named: ``build_form`` checks)."""

DATE_HINT = Label(
    "วว/ดด/ปปปป พ.ศ. เช่น 01/04/2562", "DD/MM/YYYY in the Buddhist era, e.g. 01/04/2562"
)
MONEY_HINT = Label("บาท เช่น 21,010.50", "baht, e.g. 21,010.50")
DECIMAL_HINT = Label("ตัวเลข เช่น 1.5", "a number, e.g. 1.5")
YEAR_HINT = Label("ปี พ.ศ. เช่น 2562", "a Buddhist-era year, e.g. 2562")
INTEGER_HINT = Label("ตัวเลขจำนวนเต็ม", "a whole number")
LINES_HINT = Label("หนึ่งรายการต่อบรรทัด", "one item per line")
JSON_HINT = Label("ข้อมูลแบบ JSON", "JSON")
YEARLY_HINT = Label(
    "บรรทัดละหนึ่งปี: ปี พ.ศ. ตามด้วยจำนวนเงิน เช่น 2566: 1,000,000.00 (ว่างหรือ - คือยังไม่ระบุ)",
    "one line per year: the Buddhist-era year, then the amount, e.g. 2566: 1,000,000.00 "
    "(blank or - is not given)",
)
UUID_HINT = Label("รหัสทะเบียน (UUID)", "an id (UUID)")
EFFECTIVE_LABEL = Label("วันที่มีผล", "effective date")
SCAN_HINT = Label(
    "ไม่บังคับ: ค่า SHA-256 ของไฟล์สแกนคำสั่งที่อัปโหลดไว้แล้ว",
    "optional: the SHA-256 of the order's scan already uploaded",
)
SCAN_FIELD = "scan_sha256"
"""An order's scan hash: shown only when the entry holds one (the form says where to upload a
scan instead of asking for 64 hexadecimal characters by hand, ``_form_fields.html``)."""
SUGGESTIONS_HINT = Label(
    "เลือกจากรายการ หรือพิมพ์เองถ้าไม่มีในรายการ", "pick one from the list, or type another"
)
SUGGESTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("PositionSalaryEntryAddedData", "movement_type"): COMMON_MOVEMENTS,
}
"""Free-text fields with a domain vocabulary of common values (model, field): the input offers
them as a datalist and still takes any other text."""
OFFERED: dict[tuple[str, str], frozenset[str]] = {
    ("ChangeRequestedByOwnerData", "section"): frozenset(
        section.value for section in OWNER_SECTIONS
    ),
}
"""Choices a form offers of a wider enumeration (model, field): an owner asks about the
sections ``ledger.domain.record_entries.OWNER_SECTIONS`` names, the list the gate's rule
``record.change_request_section`` keeps to (reading the form back refuses the others beside
the field)."""
_PATTERN_HINTS = {
    r"^\d{7}$": Label("รหัส อปท. 7 หลัก เช่น 6480101", "a 7-digit DLA code"),
    r"^[0-9]{7}$": Label("รหัส อปท. 7 หลัก เช่น 6480101", "a 7-digit DLA code"),
    r"^[0-9a-f]{64}$": Label("ค่า SHA-256 (64 ตัวอักษร)", "a SHA-256 hash, 64 hex characters"),
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One coded value of a choice, with its Thai label."""

    value: str
    th: str


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form."""

    name: str  # dotted path under the event's data: "order.number"
    label: Label
    kind: Kind
    required: bool
    hint: Label | None = None
    choices: tuple[Choice, ...] = ()
    default: str = ""  # as the input shows it
    max_length: int | None = None
    minimum: int | None = None
    item_kind: Kind | None = None  # for "lines": how each line is read
    pattern: str | None = None  # a code's pattern: its Thai digits are read as ASCII
    suggestions: tuple[str, ...] = ()  # free text with common values offered (a datalist)

    @property
    def id(self) -> str:
        """The element id of the input (``field-order-number``): dots make poor CSS ids."""
        return "field-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def error_id(self) -> str:
        """The element id of the message beside the input."""
        return "error-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def hint_id(self) -> str:
        return "hint-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def list_id(self) -> str:
        """The element id of the field's ``<datalist>`` of suggestions."""
        return "list-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True, slots=True)
class FormGroup:
    """A nested object of the data (an order reference): a fieldset of its own fields."""

    name: str
    label: Label
    required: bool
    items: tuple[FormField | FormGroup, ...]

    @property
    def id(self) -> str:
        return "group-" + self.name.replace(".", "-").replace("_", "-")

    def fields(self) -> Iterator[FormField]:
        for item in self.items:
            if isinstance(item, FormGroup):
                yield from item.fields()
            else:
                yield item


@dataclass(frozen=True, slots=True)
class Form:
    """The form of one event type: its names, the effective date and the data's inputs."""

    event_type: str
    title: Label
    effective: FormField
    items: tuple[FormField | FormGroup, ...]
    corrected_type: str | None = None  # for EntryCorrected: the entry's own type
    fixed: dict[str, Any] = field(default_factory=dict)  # data not typed (supersedes)

    @property
    def asked_today(self) -> bool:
        """Whether the effective date is the day of the request, shown, never typed."""
        return self.event_type in ASKED_ON_THE_DAY

    def fields(self) -> Iterator[FormField]:
        """Every input of the data, nested ones included, in order (not the effective date)."""
        for item in self.items:
            if isinstance(item, FormGroup):
                yield from item.fields()
            else:
                yield item

    def groups(self) -> Iterator[FormGroup]:
        def walk(items: tuple[FormField | FormGroup, ...]) -> Iterator[FormGroup]:
            for item in items:
                if isinstance(item, FormGroup):
                    yield item
                    yield from walk(item.items)

        return walk(self.items)

    def field(self, name: str) -> FormField | None:
        if name == EFFECTIVE:
            return self.effective
        return next((found for found in self.fields() if found.name == name), None)


def effective_field(hint: Label | None = None) -> FormField:
    """The effective date's input: optional with ``hint`` saying what a blank means (a date
    of the data, the corrected entry's), else required (``web.forms.effective``)."""
    if hint is None:
        return FormField(EFFECTIVE, EFFECTIVE_LABEL, "date", required=True, hint=DATE_HINT)
    return FormField(EFFECTIVE, EFFECTIVE_LABEL, "date", required=False, hint=hint)


def build_form(name: str) -> Form:
    """The form of the catalogued event type ``name`` (``UnknownEventTypeError`` if none)."""
    spec = event_type(name)
    items = model_items(spec.data_model, "")
    if any(item.name == EFFECTIVE for item in items):
        raise RuntimeError(f"{name} has a data field named {EFFECTIVE}")
    natural = NATURAL.get(name)
    found = next((f for f in _fields(items) if natural and f.name == natural[0]), None)
    hint = (
        ASKED_HINT
        if name in ASKED_ON_THE_DAY
        else natural_hint(name, found.label if found else None)
    )
    return Form(name, EVENT_LABELS.get(name, Label(name, name)), effective_field(hint), items)


def _fields(items: tuple[FormField | FormGroup, ...]) -> Iterator[FormField]:
    for item in items:
        if isinstance(item, FormGroup):
            yield from _fields(item.items)
        else:
            yield item


def build_correction_form(corrected_type: str, supersedes: int) -> Form:
    """The form of an ``EntryCorrected`` of an entry of ``corrected_type``: the reason, then
    the entry's own fields under ``replacement.``."""
    spec = event_type(corrected_type)
    reason = model_items(event_type("EntryCorrected").data_model, "")
    replacement = FormGroup(
        "replacement",
        Label("ข้อมูลที่ถูกต้อง", "the corrected data"),
        True,
        model_items(spec.data_model, "replacement."),
    )
    items = (*(item for item in reason if item.name == "reason"), replacement)
    return Form(
        "EntryCorrected",
        EVENT_LABELS["EntryCorrected"],
        effective_field(CORRECTED_HINT),
        items,
        corrected_type=corrected_type,
        fixed={"supersedes": supersedes},
    )


def build_void_form(entry: int) -> Form:
    """The form of an ``EntryVoided`` of ``entry``: a reason."""
    items = tuple(
        item
        for item in model_items(event_type("EntryVoided").data_model, "")
        if item.name != "entry"
    )
    return Form(
        "EntryVoided",
        EVENT_LABELS["EntryVoided"],
        effective_field(CORRECTED_HINT),
        items,
        fixed={"entry": entry},
    )


def model_items(model: type[BaseModel], prefix: str) -> tuple[FormField | FormGroup, ...]:
    """The inputs of ``model``'s fields, their names under ``prefix``."""
    return tuple(
        _item(model, name, info, prefix + name) for name, info in model.model_fields.items()
    )


def _item(model: type[BaseModel], name: str, info: FieldInfo, path: str) -> FormField | FormGroup:
    label = _as_label(field_label(model.__name__, name) or Label(name, name))
    required = info.is_required()
    annotation, marks = _unwrap(info.annotation, tuple(info.metadata))
    inner = _model_of(annotation)
    if inner is not None:
        return FormGroup(path, label, required, model_items(inner, path + "."))
    kind, choices, item_kind = _kind(annotation, marks)
    offered = OFFERED.get((model.__name__, name))
    if offered is not None:
        choices = tuple(choice for choice in choices if choice.value in offered)
    return FormField(
        name=path,
        label=label,
        kind=kind,
        required=required,
        hint=SCAN_HINT
        if name == SCAN_FIELD
        else SUGGESTIONS_HINT
        if (model.__name__, name) in SUGGESTIONS
        else _hint(kind, annotation, marks),
        choices=choices,
        default=_default(info),
        max_length=next((mark.max_length for mark in marks if isinstance(mark, MaxLen)), None),
        minimum=_minimum(marks),
        item_kind=item_kind,
        pattern=next(
            (m.pattern for m in marks if isinstance(getattr(m, "pattern", None), str)), None
        ),
        suggestions=SUGGESTIONS.get((model.__name__, name), ()),
    )


def _as_label(label: Label) -> Label:
    """The schema's English description as a label: "the salary in baht" -> "Salary in baht"."""
    english = label.en.removeprefix("the ")
    return Label(label.th, english[:1].upper() + english[1:])


def _unwrap(annotation: Any, marks: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """The type under ``Optional`` and ``Annotated``, with every mark found on the way."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        found = [*marks]
        for mark in args[1:]:
            found.extend(mark.metadata if isinstance(mark, FieldInfo) else [mark])
        return _unwrap(args[0], tuple(found))
    if origin in (Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0], marks)
    return annotation, marks


def _model_of(annotation: Any) -> type[BaseModel] | None:
    plain = get_origin(annotation) is None and isinstance(annotation, type)
    return annotation if plain and issubclass(annotation, BaseModel) else None


def _kind(annotation: Any, marks: tuple[Any, ...]) -> tuple[Kind, tuple[Choice, ...], Kind | None]:
    origin = get_origin(annotation)
    if origin is Literal:
        values = get_args(annotation)
        return (
            "choice",
            tuple(Choice(str(v), value_label(None, str(v)) or str(v)) for v in values),
            None,
        )
    if origin is list:
        (item,) = get_args(annotation) or (str,)
        item_type, item_marks = _unwrap(item, ())
        item_kind, choices, _ = _kind(item_type, item_marks)
        if item_kind in ("json", "lines") or _model_of(item_type) is not None:
            return "json", (), None
        return "lines", choices, item_kind
    if origin is dict and _is_yearly(annotation):
        return "yearly", (), None
    if origin is not None or annotation is Any:
        return "json", (), None
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            enum = annotation.__name__
            return (
                "choice",
                tuple(
                    Choice(str(m.value), value_label(enum, str(m.value)) or str(m.value))
                    for m in annotation
                ),
                None,
            )
        if issubclass(annotation, bool):
            return "boolean", (), None
        if issubclass(annotation, int):
            return "integer", (), None
        if issubclass(annotation, Decimal):
            money = any(isinstance(mark, PlainMoney) for mark in marks)
            return ("money" if money else "decimal"), (), None
        if issubclass(annotation, date):
            return "date", (), None
        if issubclass(annotation, str):
            multiline = any(isinstance(m, SignedText) and m.multiline for m in marks)
            return ("textarea" if multiline else "text"), (), None
        if issubclass(annotation, uuid.UUID):
            return "text", (), None
    return "json", (), None


def _is_yearly(annotation: Any) -> bool:
    """A map of Buddhist-era years to amounts (or None): ``PlannedYears``."""
    key, value = get_args(annotation) or (None, None)
    key_type, key_marks = _unwrap(key, ())
    value_type, _ = _unwrap(value, ())
    return key_type is int and _minimum(key_marks) == 2400 and value_type is Decimal


def _hint(kind: Kind, annotation: Any, marks: tuple[Any, ...]) -> Label | None:
    if kind == "date":
        return DATE_HINT
    if kind == "money":
        return MONEY_HINT
    if kind == "decimal":
        return DECIMAL_HINT
    if kind == "integer":
        return YEAR_HINT if _minimum(marks) == 2400 else INTEGER_HINT
    if kind == "lines":
        return LINES_HINT
    if kind == "json":
        return JSON_HINT
    if kind == "yearly":
        return YEARLY_HINT
    if isinstance(annotation, type) and issubclass(annotation, uuid.UUID):
        return UUID_HINT
    for mark in marks:
        pattern = getattr(mark, "pattern", None)
        if isinstance(pattern, str) and pattern in _PATTERN_HINTS:
            return _PATTERN_HINTS[pattern]
    return None


def _minimum(marks: tuple[Any, ...]) -> int | None:
    for mark in marks:
        if isinstance(mark, Ge) and isinstance(mark.ge, int):
            return mark.ge
        if isinstance(mark, Gt) and isinstance(mark.gt, int):
            return mark.gt + 1
    return None


def _default(info: FieldInfo) -> str:
    default = info.default
    if default is PydanticUndefined or default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, Enum):
        return str(default.value)
    if isinstance(default, str | int | Decimal):
        return str(default)
    return ""


__all__ = [
    "EFFECTIVE",
    "Choice",
    "Form",
    "FormField",
    "FormGroup",
    "build_correction_form",
    "build_form",
    "build_void_form",
]
