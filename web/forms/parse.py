"""Submitted form values to an event's data, or the errors to show beside each field.

Reading follows what an HR officer types: dates in the Buddhist era (``01/04/2562``, Thai
digits, ``1 เม.ย. 2562``, ISO too) through ``ledger.domain.dates.parse_human_date``; money with
thousands separators (``21,010.50``) and Thai digits; an optional field left empty is left out
of the data (blank is not zero); an optional group (an order reference) left wholly empty is
left out too. The data then goes through ``ledger.drafting.prepare_data`` (what ``ledger
submit`` does before signing: NFC text, ISO dates), the model's validation and the gate's value
checks (``ledger.domain.value_checks``), so a form that parses is data the ledger's model
accepts; the rules that need the record (a retirement's last day, a leave inside service) are
checked when the signed statement is submitted, and their refusals are mapped back to fields
by ``web.forms.errors``.

Every problem is a ``FieldError`` on the input's name (``order.date``), with its rule's id and
its Thai and English message; problems of the whole data (a model's cross-field rule) are on
the name ``""``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from ledger.domain.dates import DateInputError, parse_human_date, thai_today
from ledger.domain.event_schemas import event_type
from ledger.domain.rules import to_ascii_digits
from ledger.domain.text import NOT_PLAIN_DECIMAL
from ledger.domain.value_checks import value_violations
from ledger.drafting.prepare import DraftError, prepare_data
from ledger.errors import INVALID_DATA, model_violations
from web.forms.describe import EFFECTIVE, Form, FormField, FormGroup
from web.forms.effective import (
    ASKED_ON_THE_DAY,
    NATURAL,
    REQUIRED_EN,
    REQUIRED_RULE,
    REQUIRED_TH,
    natural_effective,
)
from web.forms.errors import FieldError, form_name, violation_error

# What reading finds names the catalogue's rules: a missing or unreadable value breaks the
# event's model (data.invalid), an unreadable amount the money rule; the Thai says which.
_MODEL = INVALID_DATA.id
REQUIRED = FieldError(_MODEL, "ต้องกรอกช่องนี้", "this field is required")
EFFECTIVE_REQUIRED = FieldError(REQUIRED_RULE, REQUIRED_TH, REQUIRED_EN)
NOT_MONEY = FieldError(
    NOT_PLAIN_DECIMAL.id,
    "จำนวนเงินไม่ถูกต้อง: เขียนเป็นตัวเลข เช่น 21,010.50",
    "not an amount: write e.g. 21,010.50",
)
NOT_DECIMAL = FieldError(_MODEL, "ต้องเป็นตัวเลข เช่น 1.5", "not a number: write e.g. 1.5")
NOT_INTEGER = FieldError(_MODEL, "ต้องเป็นตัวเลขจำนวนเต็ม", "not a whole number")
NOT_CHOICE = FieldError(_MODEL, "เลือกจากรายการที่กำหนด", "choose one of the listed values")
NOT_JSON = FieldError(_MODEL, "อ่านข้อมูล JSON ไม่ได้", "not readable JSON")
NOT_YEARLY = FieldError(
    _MODEL,
    'กรอกบรรทัดละหนึ่งปี เช่น "2566: 1,000,000.00" (จำนวนเงินว่างหรือ "-" คือยังไม่ระบุ)',
    'one year per line, e.g. "2566: 1,000,000.00" (a blank or "-" amount is not given)',
)
_YEAR_LINE = re.compile(r"^([0-9]{4})\s*[:=]?\s*(.*)$")

_MONEY = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_GROUPED = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


@dataclass
class Parsed:
    """The outcome of reading a form: the data and effective date, or the errors."""

    data: dict[str, Any]
    effective: date | None  # None only with errors
    errors: dict[str, list[FieldError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, name: str, error: FieldError) -> None:
        found = self.errors.setdefault(name, [])
        if error not in found:
            found.append(error)


def parse_form(form: Form, values: Mapping[str, str], fallback: date | None = None) -> Parsed:
    """Read ``values`` (input name -> what was typed) as ``form``'s event data. A blank
    effective date is never today (``web.forms.effective``): it follows the data's natural
    date, else ``fallback`` (a corrected or voided entry's own effective date), else it is
    refused beside the field; a request's (``ASKED_ON_THE_DAY``) is the day it is made."""
    parsed = Parsed({}, None)
    effective = _text(values, EFFECTIVE)
    if effective:
        try:
            parsed.effective = parse_human_date(effective)
        except DateInputError as error:
            parsed.add(EFFECTIVE, FieldError(error.rule_id, error.th, error.en))
    data = _group_data(form.items, values, parsed)
    data.update(form.fixed)
    if form.corrected_type is not None and "replacement" not in data:
        data["replacement"] = {}
    parsed.data = data
    _validate(form, parsed)
    if not effective and form.event_type in ASKED_ON_THE_DAY:
        parsed.effective = thai_today()
    elif not effective:
        parsed.effective = natural_effective(form.event_type, parsed.data) or fallback
        natural = NATURAL.get(form.event_type)
        if parsed.effective is None and (natural is None or natural[0] not in parsed.errors):
            parsed.add(EFFECTIVE, EFFECTIVE_REQUIRED)  # a natural date in error says it
    return parsed


def _group_data(
    items: tuple[FormField | FormGroup, ...], values: Mapping[str, str], parsed: Parsed
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in items:
        key = item.name.rsplit(".", 1)[-1]
        if isinstance(item, FormGroup):
            typed = any(_text(values, inner.name) for inner in item.fields())
            if typed or item.required:  # an optional group left wholly empty is left out
                data[key] = _group_data(item.items, values, parsed)
            continue
        text = _text(values, item.name)
        if not text:
            if item.required and not item.default:
                parsed.add(item.name, REQUIRED)
            continue
        try:
            data[key] = read_value(item, text)
        except UnreadableValueError as problem:
            parsed.add(item.name, problem.error)
    return data


class UnreadableValueError(ValueError):
    """What was typed cannot be read as the field's kind."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(error.en)
        self.error = error


def read_value(item: FormField, text: str) -> Any:
    """The JSON value of one input's text, as the statement carries it."""
    kind = item.kind
    if kind == "date":
        try:
            return parse_human_date(text).isoformat()
        except DateInputError as error:
            raise UnreadableValueError(FieldError(error.rule_id, error.th, error.en)) from None
    if kind == "money":
        return _number(text, NOT_MONEY)
    if kind == "decimal":
        return _number(text, NOT_DECIMAL)
    if kind == "integer":
        digits = to_ascii_digits(text).replace(",", "").strip()
        if not re.fullmatch(r"-?[0-9]+", digits):
            raise UnreadableValueError(NOT_INTEGER)
        return int(digits)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise UnreadableValueError(NOT_CHOICE)
        return text == "true"
    if kind == "choice":
        if text not in {choice.value for choice in item.choices}:
            raise UnreadableValueError(NOT_CHOICE)
        return text
    if kind == "lines":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if item.choices and any(line not in {c.value for c in item.choices} for line in lines):
            raise UnreadableValueError(NOT_CHOICE)
        return lines
    if kind == "yearly":
        return _yearly(text)
    if kind == "json":
        try:
            return json.loads(text)
        except ValueError:
            raise UnreadableValueError(NOT_JSON) from None
    if item.pattern is not None:  # codes: "P-๐๐๑" and "P-001" must not name two things
        return to_ascii_digits(text)
    return text


def _number(text: str, error: FieldError) -> str:
    """A decimal as the ledger signs it (``"21010.50"``), from ``21,010.50`` or Thai digits."""
    cleaned = to_ascii_digits(text).replace(" ", "").replace("บาท", "")
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _MONEY.fullmatch(cleaned):
        raise UnreadableValueError(error)
    return cleaned


def _yearly(text: str) -> dict[str, str | None]:
    """``2566: 1,000,000.00`` lines as ``{"2566": "1000000.00"}`` (blank or ``-``: None)."""
    found: dict[str, str | None] = {}
    for line in to_ascii_digits(text).splitlines():
        if not line.strip():
            continue
        matched = _YEAR_LINE.fullmatch(line.strip())
        if matched is None:
            raise UnreadableValueError(NOT_YEARLY)
        amount = matched.group(2).strip()
        found[matched.group(1)] = None if amount in ("", "-") else _number(amount, NOT_MONEY)
    return found


def _text(values: Mapping[str, str], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _validate(form: Form, parsed: Parsed) -> None:
    """Prepare the data as ``ledger submit`` does, then the model's and the gate's checks,
    each problem on its input (those already found by reading are kept first)."""
    try:
        parsed.data = prepare_data(form.event_type, parsed.data, form.corrected_type)
    except DraftError as error:
        parsed.add(form_name(error.field), FieldError(error.rule_id, str(error), str(error)))
        return
    checks: list[tuple[type[BaseModel], Any, str]] = [
        (event_type(form.event_type).data_model, parsed.data, "data")
    ]
    if form.corrected_type is not None:
        replacement = parsed.data.get("replacement")
        checks.append((event_type(form.corrected_type).data_model, replacement, "data.replacement"))
    found_by_reading = set(parsed.errors)
    for model, data, prefix in checks:
        try:
            model.model_validate(data)
        except ValidationError as error:
            for problem, violation in zip(
                error.errors(), model_violations(error.errors(), prefix), strict=True
            ):
                name = form_name(violation.field)
                if name in found_by_reading:
                    continue  # what reading found says it better
                parsed.add(name, violation_error(violation, problem))
            continue
        for violation in value_violations(model, data, prefix):
            parsed.add(form_name(violation.field), violation_error(violation))


__all__ = ["Parsed", "UnreadableValueError", "parse_form", "read_value"]
