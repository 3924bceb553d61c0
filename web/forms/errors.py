"""Errors beside the fields: a rule's id and its Thai and English message, on an input's name.

Two sources: what the form itself finds (reading a date, an amount; the model's validation)
and what the ledger refuses once the signed statement is submitted (``InvalidDataError``'s
violations, as the API reports them in ``errors``). A violation names a dotted path under the
statement (``data.order.date``, ``data.replacement.salary``, ``effective``); a rule of the
domain written as ``"last_day: ..."`` names the field bare. ``place_violations`` puts each on
the input it concerns, or on ``""`` (shown at the top of the form) when it names none.

Pydantic's own problems (a missing field, a text too long, too many digits) carry the rule
``data.invalid`` with an English message; the form shows them in Thai (``_PYDANTIC_TH``) and
keeps the rule's id and the English beside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.errors import INVALID_DATA
from ledger.violations import Violation


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem of one input: the rule broken, in Thai and English."""

    rule: str
    th: str
    en: str


_PYDANTIC_TH: dict[str, str] = {
    "missing": "ต้องกรอกช่องนี้",
    "string_too_short": "ต้องกรอกอย่างน้อย {min_length} ตัวอักษร",
    "string_too_long": "ยาวเกิน {max_length} ตัวอักษร",
    "string_pattern_mismatch": "รูปแบบไม่ถูกต้อง",
    "greater_than_equal": "ต้องไม่น้อยกว่า {ge}",
    "greater_than": "ต้องมากกว่า {gt}",
    "less_than_equal": "ต้องไม่เกิน {le}",
    "less_than": "ต้องน้อยกว่า {lt}",
    "decimal_max_digits": "ตัวเลขยาวเกิน {max_digits} หลัก",
    "decimal_max_places": "ทศนิยมได้ไม่เกิน {decimal_places} ตำแหน่ง",
    "decimal_whole_digits": "จำนวนเต็มยาวเกิน {whole_digits} หลัก",
    "decimal_parsing": "ต้องเป็นตัวเลข",
    "int_parsing": "ต้องเป็นตัวเลขจำนวนเต็ม",
    "int_from_float": "ต้องเป็นตัวเลขจำนวนเต็ม",
    "enum": "เลือกจากรายการที่กำหนด",
    "literal_error": "เลือกจากรายการที่กำหนด",
    "date_from_datetime_parsing": "อ่านวันที่ไม่ได้",
    "date_parsing": "อ่านวันที่ไม่ได้",
    "uuid_parsing": "รหัสไม่ถูกต้อง (UUID)",
    "extra_forbidden": "ไม่มีช่องนี้ในแบบของรายการ",
}

_VALUE_ERRORS_TH: dict[str, str] = {
    "citizen ID must be 13 digits with a valid check digit": (
        "เลขประจำตัวประชาชนต้องมี 13 หลักและเลขตรวจสอบถูกต้อง"
    ),
    "end must not be before start": "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม",
    "finished must not be before started": "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม",
    "started must not be after finished": "วันเริ่มต้องไม่หลังวันที่สำเร็จ",
    "valid_until must not be before valid_from": "วันหมดอายุต้องไม่ก่อนวันที่ออก",
    "days exceed the days from start to end": "จำนวนวันลาเกินจำนวนวันตั้งแต่วันเริ่มถึงวันสิ้นสุด",
}


def form_name(path: str) -> str:
    """The input a violation's dotted path names: ``data.order.date`` -> ``order.date``;
    ``data`` (the whole data) -> ``""``."""
    if path == "data":
        return ""
    return path.removeprefix("data.")


def violation_error(violation: Violation, problem: Mapping[str, Any] | None = None) -> FieldError:
    """A violation as shown beside its field; with pydantic's ``problem``, in Thai."""
    if violation.rule is not INVALID_DATA or problem is None:
        return FieldError(violation.id, violation.th, violation.en)
    kind = str(problem.get("type", ""))
    message = str(problem.get("msg", ""))
    en = message
    if kind == "value_error":
        text = message.removeprefix("Value error, ")
        th = _VALUE_ERRORS_TH.get(text, violation.th)
        return FieldError(violation.id, th, text)
    template = _PYDANTIC_TH.get(kind)
    if template is None:
        return FieldError(violation.id, violation.th, violation.en)
    context = {key: str(value) for key, value in (problem.get("ctx") or {}).items()}
    try:
        th = template.format(**context)
    except (KeyError, IndexError):
        th = template
    return FieldError(violation.id, th, en)


def place_violations(
    names: Iterable[str], violations: Iterable[Violation]
) -> dict[str, list[FieldError]]:
    """Each of the ledger's violations on the input it concerns (one of ``names``), else on
    ``""``: ``data.order.date`` and a bare ``last_day`` both find their input; a path below
    an input (``data.geometry.coordinates``) finds the input above it."""
    known = set(names)
    placed: dict[str, list[FieldError]] = {}
    for violation in violations:
        name = _nearest(form_name(violation.field), known)
        error = FieldError(violation.id, violation.th, violation.en)
        found = placed.setdefault(name, [])
        if error not in found:
            found.append(error)
    return placed


def _nearest(name: str, known: set[str]) -> str:
    candidate = name
    while candidate:
        if candidate in known:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return ""


__all__ = ["FieldError", "form_name", "place_violations", "violation_error"]
