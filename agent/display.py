"""What the operator reads before signing, taken from the very bytes the card will sign.

What you see is what you sign: the agent parses the canonical statement itself (never a
summary the web application sent along) and shows the event type's Thai name, the record, the
effective date and every field of the data, nested ones too, each with its Thai label from the
event's schema (``ledger.domain.event_schemas``), coded values by their Thai names and dates in
the Buddhist era ("1 ต.ค. 2569"). Text a person could not see (control, bidirectional or
invisible characters) is refused rather than shown, since the page could not show it.

A v2 statement signs a salted commitment in place of each personal value
(``ledger.commitments``); its request carries the values and salts (the disclosures, signed by
the request key). The agent checks every disclosure against its commitment, exactly as the
ledger will (``check_statement``), and shows the disclosed values where the commitments stand,
with the same labels: the operator reads the values they commit to. A commitment without its
disclosure, a disclosure without its commitment, or one that does not match is refused, and
so are disclosures beside a v1 statement: the page would otherwise show what is not signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from agent.checks import Refusal
from ledger.canonical import CanonicalizationError, parse_canonical
from ledger.commitments import (
    COMMITMENT_KEY,
    V1,
    Disclosures,
    check_statement,
    is_commitment,
    reveal_data,
)
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.event_labels import EVENT_LABELS, STREAM_LABELS, Label
from ledger.domain.event_schemas import DECIMAL, event_schema
from ledger.domain.field_labels import field_label
from ledger.domain.personal_fields import personal_paths
from ledger.domain.record_history import EntryEvent
from ledger.domain.text import text_violation
from ledger.errors import UnknownEventTypeError
from ledger.statement import Statement

THAI_MONTHS = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
BUDDHIST_ERA_OFFSET = 543


def buddhist_date(day: date) -> str:
    """A date as Thai people read it: ``1 ต.ค. 2569``."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BUDDHIST_ERA_OFFSET}"


@dataclass(frozen=True)
class Row:
    """One line of the data: its Thai label, the field's code, the value shown, its depth."""

    label: str
    code: str
    value: str
    depth: int = 0


@dataclass(frozen=True)
class StatementView:
    event_type: str
    event: Label
    stream_kind: Label | None
    stream: str
    effective: str
    signer_cid: str | None  # None: a record owner, who signs with no citizen ID
    key_id: str
    rows: list[Row]
    technical: list[tuple[str, str]] = field(default_factory=list)


def unreadable(detail: str) -> Refusal:
    return Refusal(
        "อ่านข้อความที่ขอให้ลงนามไม่ได้ จึงไม่ลงนาม",
        f"the statement to sign is unreadable, so it is not signed ({detail})",
    )


def disclosure_refused(th: str, en: str) -> Refusal:
    return Refusal(
        f"ข้อมูลส่วนบุคคลที่ส่งมาให้แสดงไม่ตรงกับข้อความที่จะลงนาม จึงไม่ลงนาม: {th}",
        f"the personal data sent to be shown does not match the statement, so it is not "
        f"signed: {en}",
    )


def disclosed_data(statement: Statement, disclosures: Disclosures | None) -> dict[str, Any]:
    """The statement's data as the operator reads it: a v2 statement's commitments replaced
    by their disclosed values, each checked first; ``Refusal`` naming the rule and the field
    of the first that is missing, extra or wrong."""
    if statement.v == 1:
        if disclosures:
            raise disclosure_refused(V1.th, V1.en)
        return dict(statement.data)
    problems = check_statement(statement, disclosures or {})
    if problems:
        first = problems[0]
        raise disclosure_refused(
            f"{first.th} ({first.id}: {first.field})", f"{first.en} ({first.id}: {first.field})"
        )
    return reveal_data(statement.data, disclosures or {})


def statement_view(payload: bytes, disclosures: Disclosures | None = None) -> StatementView:
    """The statement in ``payload`` as the operator reads it (v2: with ``disclosures``, the
    values it commits to); ``Refusal`` if it is unreadable or a disclosure does not match."""
    try:
        value = parse_canonical(payload)
        statement = Statement.model_validate(value)
    except CanonicalizationError as error:
        raise unreadable(str(error)) from None
    except ValidationError as error:
        raise unreadable(f"{error.error_count()} fields do not fit a statement") from None
    data = disclosed_data(statement, disclosures)
    schema = _schema_of(statement.type)
    defs = dict(schema.get("$defs", {}))
    replacement = data.get("replacement")
    if statement.type == "EntryCorrected" and isinstance(replacement, dict):
        schema, defs = _with_replacement_schema(schema, defs, replacement)
    rows = list(_object_rows(data, schema, defs, 0))
    stream = schema.get("x-stream")
    return StatementView(
        event_type=statement.type,
        event=EVENT_LABELS.get(statement.type, Label(statement.type, statement.type)),
        stream_kind=STREAM_LABELS.get(stream["kind"]) if stream else None,
        stream=str(statement.stream),
        effective=buddhist_date(statement.effective),
        signer_cid=statement.signer.cid,
        key_id=statement.signer.key,
        rows=rows,
        technical=[
            ("ฉบับที่ของเรื่อง (expected_version)", str(statement.expected_version)),
            ("แฮชของเหตุการณ์ก่อนหน้า (prev_hash)", statement.prev_hash),
            ("เวลาที่ลงนาม (signed_at)", statement.signed_at.isoformat()),
            ("nonce", statement.nonce),
            ("SHA-256 ของข้อความ", hashlib.sha256(payload).hexdigest()),
            *_commitments(statement),
        ],
    )


def _commitments(statement: Statement) -> list[tuple[str, str]]:
    """A v2 statement's format, then each personal field's commitment: what the signature
    covers in place of the values shown above."""
    if statement.v == 1:
        return []
    found = [("รุ่นของข้อความ (v)", "2: ข้อมูลส่วนบุคคลลงนามเป็นค่าผูกมัด (commitment)")]
    spec = EVENT_TYPES.get(statement.type)
    for path in personal_paths(spec.data_model) if spec is not None else ():
        node: Any = statement.data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if is_commitment(node):
            found.append((f"ค่าผูกมัดของ {path}", str(node[COMMITMENT_KEY])))
    return found


def _schema_of(event_type: str) -> dict[str, Any]:
    """The event's schema; an unknown type is shown by its code, field by field."""
    try:
        return event_schema(event_type)
    except UnknownEventTypeError:
        return {}


def _with_replacement_schema(
    schema: dict[str, Any], defs: dict[str, Any], replacement: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A correction's schema with its ``replacement`` described as the entry it replaces.

    ``EntryCorrected`` carries the entry's whole corrected data without naming the entry's type
    (that is the record's to know), so its own schema says only "an object". The agent reads the
    replacement with the schema of the entry types whose data model accepts it exactly (unknown
    fields are an error), when they all label its fields alike: then the officer reads Thai
    labels, BE dates and money as for a new entry. Otherwise the fields keep their codes with
    the generic labels, and nothing is guessed."""
    fitting = []
    for spec in EVENT_TYPES.values():
        if not (isinstance(spec.event_class, type) and issubclass(spec.event_class, EntryEvent)):
            continue
        try:
            spec.data_model.model_validate(replacement)
        except ValidationError:
            continue
        fitting.append(_schema_of(spec.name))
    titles = {
        tuple(found.get("properties", {}).get(name, {}).get("title") for name in replacement)
        for found in fitting
    }
    if len(titles) != 1:
        return schema, defs
    chosen = fitting[0]
    properties = dict(schema.get("properties", {}))
    title = properties.get("replacement", {}).get("title")
    properties["replacement"] = {**chosen, "title": title}
    return {**schema, "properties": properties}, {**defs, **chosen.get("$defs", {})}


def _resolve(schema: dict[str, Any], defs: dict[str, Any], value: Any) -> dict[str, Any]:
    """The part of ``schema`` that describes ``value``: ``$ref`` followed, ``anyOf`` chosen."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        schema = {**defs.get(ref.removeprefix("#/$defs/"), {}), **schema}
    for branch in schema.get("anyOf", []):
        branch = _resolve(branch, defs, value)
        if _fits(branch, value):
            return {**branch, "title": schema.get("title", branch.get("title"))}
    return schema


def _fits(schema: dict[str, Any], value: Any) -> bool:
    kind = schema.get("type")
    if isinstance(value, dict):
        return "properties" in schema or kind == "object"
    if isinstance(value, list):
        return kind == "array"
    if isinstance(value, str):
        return kind == "string" or "enum" in schema
    if value is None:
        return kind == "null"
    return kind in ("number", "integer", "boolean")


def _object_rows(
    value: dict[str, Any], schema: dict[str, Any], defs: dict[str, Any], depth: int
) -> Iterator[Row]:
    """Every field of ``value``: the schema's fields in its order, then any it does not name."""
    properties: dict[str, Any] = schema.get("properties", {})
    ordered = [name for name in properties if name in value]
    ordered += [name for name in value if name not in properties]
    for name in ordered:
        field_schema = _resolve(properties.get(name, {}), defs, value[name])
        generic = field_label("", name)
        label = (
            field_schema.get("title")
            or properties.get(name, {}).get("title")
            or (generic.th if generic else name)
        )
        yield from _value_rows(label, name, value[name], field_schema, defs, depth)


def _value_rows(
    label: str, code: str, value: Any, schema: dict[str, Any], defs: dict[str, Any], depth: int
) -> Iterator[Row]:
    if isinstance(value, dict):
        yield Row(label, code, "", depth)
        yield from _object_rows(value, schema, defs, depth + 1)
    elif isinstance(value, list):
        yield Row(label, code, f"{len(value)} รายการ", depth)
        items = schema.get("items", {})
        for number, item in enumerate(value, start=1):
            item_schema = _resolve(items, defs, item)
            yield from _value_rows(
                f"ลำดับที่ {number}", f"{code}[{number - 1}]", item, item_schema, defs, depth + 1
            )
    else:
        yield Row(label, code, scalar_text(value, schema), depth)


def scalar_text(value: Any, schema: dict[str, Any]) -> str:
    """A single value as the operator reads it."""
    if value is None:
        return "ไม่ระบุ"
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if not isinstance(value, str):
        return str(value)
    violation = text_violation(value, multiline=True)
    if violation is not None:
        broken, details = violation
        raise Refusal(
            "ข้อความที่ขอให้ลงนามมีอักขระที่แสดงให้เห็นไม่ได้: "
            + broken.th.format_map({"code": details.get("code", "")}),
            "the statement holds text that cannot be shown: "
            + broken.en.format_map({"code": details.get("code", "")}),
        )
    for choice in schema.get("oneOf", []):
        if choice.get("const") == value and choice.get("title"):
            return f"{choice['title']}"
    if schema.get("format") == "date":
        try:
            return buddhist_date(date.fromisoformat(value))
        except ValueError:
            return value
    if schema.get("pattern") == DECIMAL:
        try:
            return f"{Decimal(value):,}"
        except InvalidOperation:
            return value
    return value
