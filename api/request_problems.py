"""What is wrong with a request the API could not read, and where, in Thai and English.

FastAPI reads a request into its route's parameters and body model; what it cannot read
(a body that is not JSON, a field of the wrong type, a path segment that is no UUID, a date
nobody can read) is answered 400 ``malformed-request`` (``api.errors``). Its ``errors`` name
each problem as the gate names a broken rule: a rule id, the place (``body.name``,
``query.valid_on``, ``path.record_id``) and what to put right in Thai and English:

* ``request.not_json``: the body is no JSON, with what the reader expected and the character
  where it stopped (``body.13: JSON decode error`` said neither in words nor in Thai);
* ``request.missing``: a required field or parameter is absent;
* ``request.invalid``: a value of the wrong type or form, saying which type or form;
* a date typed in a query parameter keeps its own rule (``date.unreadable``,
  ``date.two_digit_year``...), read by ``ledger.domain.dates.parse_human_date``.

An unknown path or a method the path does not take is refused with ``http.not_found`` or
``http.method_not_allowed``. No message repeats the refused value (it may be a citizen ID or a
name), only its place and the form asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.domain.dates import DateInputError
from ledger.violations import Rule, Violation, rule

NOT_JSON = rule(
    "request.not_json",
    "เนื้อหาของคำขอไม่ใช่ JSON ที่อ่านได้: {problem_th} ที่อักขระตัวที่ {position}",
    "the request body is not valid JSON: {problem} at character {position}",
)
MISSING = rule(
    "request.missing",
    "คำขอขาด{where_th} {name} ซึ่งต้องมี",
    "the request lacks {where} {name}, which is required",
)
INVALID = rule(
    "request.invalid",
    "{where_th} {name} ไม่ถูกต้อง: {problem_th}",
    "{where} {name} is not valid: {problem}",
)
NOT_FOUND = rule(
    "http.not_found",
    "ไม่มีที่อยู่นี้ในบริการ (ดูที่อยู่ทั้งหมดได้ที่ /docs)",
    "this API has no such path (/docs lists them all)",
)
METHOD_NOT_ALLOWED = rule(
    "http.method_not_allowed",
    "ที่อยู่นี้ไม่รับการเรียกแบบ {method} (รับ: {allowed})",
    "this path does not take {method} (it takes: {allowed})",
)

_PLACES = {
    "body": ("the body's field", "ช่องในเนื้อหาของคำขอ"),
    "query": ("the query parameter", "พารามิเตอร์"),
    "path": ("the path segment", "ส่วนของที่อยู่ (path)"),
    "header": ("the header", "ส่วนหัว (header)"),
    "cookie": ("the cookie", "คุกกี้"),
}

_UUID = "a UUID such as 6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"
_UUID_TH = "UUID เช่น 6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"
_FORMS: dict[str, tuple[str, str]] = {
    "string_type": ("must be text (a JSON string)", "ต้องเป็นข้อความ (JSON string)"),
    "int_type": ("must be a whole number", "ต้องเป็นจำนวนเต็ม"),
    "int_parsing": ("must be a whole number", "ต้องเป็นจำนวนเต็ม"),
    "int_from_float": ("must be a whole number", "ต้องเป็นจำนวนเต็ม"),
    "float_type": ("must be a number", "ต้องเป็นตัวเลข"),
    "float_parsing": ("must be a number", "ต้องเป็นตัวเลข"),
    "decimal_parsing": ("must be a number", "ต้องเป็นตัวเลข"),
    "bool_type": ("must be true or false", "ต้องเป็น true หรือ false"),
    "bool_parsing": ("must be true or false", "ต้องเป็น true หรือ false"),
    "uuid_type": (f"must be {_UUID}", f"ต้องเป็น {_UUID_TH}"),
    "uuid_parsing": (f"must be {_UUID}", f"ต้องเป็น {_UUID_TH}"),
    "date_type": (
        "must be a date such as 01/04/2562 or 2019-04-01",
        "ต้องเป็นวันที่ เช่น 01/04/2562 หรือ 2019-04-01",
    ),
    "date_parsing": (
        "must be a date such as 01/04/2562 or 2019-04-01",
        "ต้องเป็นวันที่ เช่น 01/04/2562 หรือ 2019-04-01",
    ),
    "datetime_type": (
        "must be a moment such as 2019-05-02T09:15:00+07:00",
        "ต้องเป็นเวลา เช่น 2019-05-02T09:15:00+07:00",
    ),
    "datetime_parsing": (
        "must be a moment such as 2019-05-02T09:15:00+07:00",
        "ต้องเป็นเวลา เช่น 2019-05-02T09:15:00+07:00",
    ),
    "dict_type": ("must be a JSON object", "ต้องเป็นออบเจกต์ JSON"),
    "model_type": ("must be a JSON object", "ต้องเป็นออบเจกต์ JSON"),
    "model_attributes_type": ("must be a JSON object", "ต้องเป็นออบเจกต์ JSON"),
    "list_type": ("must be a JSON array", "ต้องเป็นอาร์เรย์ JSON"),
    "extra_forbidden": ("is not a field of this request", "ไม่ใช่ช่องของคำขอนี้"),
    "string_pattern_mismatch": ("is not of the form asked for", "รูปแบบไม่ตรงกับที่กำหนด"),
    "enum": ("must be one of: {expected}", "ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {expected}"),
    "literal_error": ("must be one of: {expected}", "ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {expected}"),
    "greater_than": ("must be greater than {gt}", "ต้องมากกว่า {gt}"),
    "greater_than_equal": ("must be at least {ge}", "ต้องไม่น้อยกว่า {ge}"),
    "less_than": ("must be less than {lt}", "ต้องน้อยกว่า {lt}"),
    "less_than_equal": ("must be at most {le}", "ต้องไม่เกิน {le}"),
    "string_too_short": (
        "must be at least {min_length} characters",
        "ต้องยาวอย่างน้อย {min_length} ตัวอักษร",
    ),
    "string_too_long": (
        "must be at most {max_length} characters",
        "ต้องยาวไม่เกิน {max_length} ตัวอักษร",
    ),
    "too_short": ("must hold at least {min_length} items", "ต้องมีอย่างน้อย {min_length} รายการ"),
    "too_long": ("must hold at most {max_length} items", "ต้องมีไม่เกิน {max_length} รายการ"),
}
"""How each pydantic error type is said, in English and Thai ({ctx} filled from its context)."""

_JSON_PROBLEMS = {
    "Expecting value": ("a value was expected", "ต้องมีค่า"),
    "Expecting property name enclosed in double quotes": (
        "a field name in double quotes was expected",
        "ต้องมีชื่อช่องในเครื่องหมายคำพูดคู่",
    ),
    "Expecting ',' delimiter": ("a comma was expected", "ขาดเครื่องหมายจุลภาค (,)"),
    "Expecting ':' delimiter": ("a colon was expected", "ขาดเครื่องหมายทวิภาค (:)"),
    "Extra data": ("more follows the JSON value", "มีข้อมูลเกินต่อท้าย JSON"),
    "Unterminated string starting at": (
        "a string is not closed",
        "ข้อความไม่มีเครื่องหมายคำพูดปิด",
    ),
    "Invalid control character at": (
        "a string holds a control character",
        "ข้อความมีอักขระควบคุม",
    ),
}
"""The JSON reader's complaints (``json.JSONDecodeError.msg``), in English and Thai."""


def request_violations(errors: Sequence[Mapping[str, Any]]) -> list[Violation]:
    """One violation per problem FastAPI found reading a request (``RequestValidationError.
    errors()``), each naming its place and what to put right."""
    return [_violation(problem) for problem in errors]


def _violation(problem: Mapping[str, Any]) -> Violation:
    location = [str(part) for part in problem.get("loc", ())]
    kind = str(problem.get("type", ""))
    context = problem.get("ctx") or {}
    where = ".".join(location) or "request"
    if kind == "json_invalid":
        return _not_json(context, location)
    cause = context.get("error")
    if isinstance(cause, DateInputError):  # a date typed in a query (api.dates)
        said = Rule(cause.rule_id, "{th}", "{en}")
        return Violation(said, where, {"th": cause.th, "en": cause.en})
    place, place_th = _PLACES.get(location[0] if location else "", ("the value", "ค่า"))
    names = {"where": place, "where_th": place_th, "name": ".".join(location[1:]) or "-"}
    if kind == "missing":
        return Violation(MISSING, where, names)
    en, th = _FORMS.get(kind, (_own_words(problem), "ค่าไม่ตรงตามรูปแบบที่กำหนด"))
    shown = {key: str(value) for key, value in context.items()}
    problem_en, problem_th = en.format_map(_Kept(shown)), th.format_map(_Kept(shown))
    return Violation(INVALID, where, {**names, "problem": problem_en, "problem_th": problem_th})


def _not_json(context: Mapping[str, Any], location: list[str]) -> Violation:
    said = str(context.get("error", ""))
    en, th = _JSON_PROBLEMS.get(said, ("it cannot be read", "อ่านไม่ได้"))
    position = location[1] if len(location) > 1 else "0"
    details = {"problem": en, "problem_th": th, "position": position}
    return Violation(NOT_JSON, "body", details)


def _own_words(problem: Mapping[str, Any]) -> str:
    """Pydantic's message for an error type not in the table (it names no input value)."""
    said = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
    return said.replace("{", "{{").replace("}", "}}")  # a template: its braces are text


class _Kept(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def describe(violations: Sequence[Violation]) -> str:
    """The problem's ``detail``: each place and what is wrong there, in English then Thai."""
    return "; ".join(f"{item.field}: {item.en} / {item.th} [{item.id}]" for item in violations)


__all__ = [
    "INVALID",
    "METHOD_NOT_ALLOWED",
    "MISSING",
    "NOT_FOUND",
    "NOT_JSON",
    "describe",
    "request_violations",
]
