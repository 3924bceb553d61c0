"""Statement drafts written from the event schemas, for a person to fill in and ``ledger submit``.

A draft is the JSON ``ledger submit`` reads (``stream``, ``type``, ``data``, ``effective``,
``expected_version``, ``prev_hash``) with every field of the type's data present: a required
field as ``null`` (the ledger refuses a draft that leaves one so), an optional one at its
default. Beside them ``fields`` says, for each field by its dotted path, its Thai title, what it
is, whether it is required (``ต้องกรอก``) and how to write it (dates, money, the choices of a
coded value with their Thai labels); ``submit`` ignores it. The schema is
``ledger.domain.event_schemas``'s, so drafts follow the models as the API's ``GET /schemas`` does.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.domain.event_schemas import DECIMAL, event_schema, names_of
from ledger.domain.event_schemas import event_type as catalogued

REQUIRED = "ต้องกรอก / required"
OPTIONAL = "ไม่บังคับ / optional"
DATE_HINT = "วันที่ เช่น 01/04/2562 หรือ 2019-04-01 / a date"
MONEY_HINT = 'จำนวนเงินเป็นข้อความ เช่น "1250.50" / money as a decimal string'
DERIVED = "ว่างไว้: ledger submit คำนวณจาก / leave null, ledger submit derives it from "
EFFECTIVE = "วันที่มีผล (ว่างไว้ = วันนี้) เช่น 01/04/2562 / the effective date, empty: today"


def draft(
    event_type: str, stream: UUID | None, head: tuple[int, str], effective: str | None = None
) -> dict[str, Any]:
    """A draft of ``event_type`` on ``stream`` at ``head`` (its version and hash); a stream of
    None is left to ``ledger submit`` to derive from the data (``x-stream.derived_from``)."""
    schema = event_schema(event_type)
    names = names_of(catalogued(event_type))
    version, prev_hash = head
    derived = schema["x-stream"].get("derived_from")
    guide = {"stream": DERIVED + ", ".join(f"data.{name}" for name in derived)} if derived else {}
    return {
        "type": event_type,
        "type_th": names.th,
        "stream": str(stream) if stream is not None else None,
        "expected_version": version,
        "prev_hash": prev_hash,
        "effective": effective,
        "data": data_template(schema),
        "fields": {**guide, "effective": EFFECTIVE, **field_guide(schema)},
    }


def data_template(schema: dict[str, Any]) -> dict[str, Any]:
    """Every field of the schema's object: required ones ``null`` (nested objects spelled out),
    optional ones at their default."""
    return _object(schema, schema.get("$defs", {}))


def field_guide(schema: dict[str, Any], prefix: str = "data") -> dict[str, str]:
    """What each field is and how to write it, by dotted path (``data.order.date``)."""
    definitions = schema.get("$defs", {})
    return _guide(schema, definitions, prefix)


def _object(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", []))
    return {
        name: _value(prop, name in required, definitions)
        for name, prop in schema.get("properties", {}).items()
    }


def _value(prop: dict[str, Any], required: bool, definitions: dict[str, Any]) -> Any:
    if not required:
        if "default" in prop:
            return prop["default"]
        kind = _resolved(prop, definitions).get("type")
        return [] if kind == "array" else {} if kind == "object" else None
    target = _resolved(prop, definitions)
    if target.get("type") == "object" and "properties" in target:
        return _object(target, definitions)
    return None


def _guide(schema: dict[str, Any], definitions: dict[str, Any], prefix: str) -> dict[str, str]:
    required = set(schema.get("required", []))
    guide: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}.{name}"
        target = _resolved(prop, definitions)
        hints = [REQUIRED if name in required else OPTIONAL, *_hints(prop, definitions)]
        guide[path] = f"{prop.get('title', name)} ({prop.get('description', name)}): " + "; ".join(
            hints
        )
        if target.get("type") == "object" and "properties" in target:
            guide |= _guide(target, definitions, path)
    return guide


def _hints(prop: dict[str, Any], definitions: dict[str, Any]) -> list[str]:
    """How to write a value of ``prop``: a date, money, or one of its coded choices."""
    members = [prop, *prop.get("anyOf", [])]
    hints: list[str] = []
    for member in members:
        target = _resolved(member, definitions)
        if target.get("format") == "date":
            hints.append(DATE_HINT)
        if target.get("type") == "string" and target.get("pattern") == DECIMAL:
            hints.append(MONEY_HINT)
        if "oneOf" in target and "enum" in target:
            hints.append(" | ".join(f"{c['const']} = {c['title']}" for c in target["oneOf"]))
        if target.get("type") == "array" and isinstance(target.get("items"), dict):
            hints.extend(f"[{hint}]" for hint in _hints(target["items"], definitions))
    return list(dict.fromkeys(hints))


def _resolved(prop: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The definition a ``$ref`` names (``#/$defs/OrderRef``), else the property itself; an
    optional ``X | None`` resolves to X."""
    reference = prop.get("$ref")
    if isinstance(reference, str):
        found: dict[str, Any] = definitions.get(reference.rsplit("/", 1)[-1], {})
        return found
    members = [m for m in prop.get("anyOf", []) if m.get("type") != "null"]
    if len(members) == 1 and "$ref" in members[0]:
        return _resolved(members[0], definitions)
    return prop


__all__ = ["data_template", "draft", "field_guide"]
