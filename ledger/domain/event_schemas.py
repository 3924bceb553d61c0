"""The JSON Schema (draft 2020-12) of each event type's ``data``, in Thai and English.

An HR officer, or a form built for them, writes a statement from this rather than from the
Python models: every field has its Thai ``title`` and English ``description``
(``ledger.domain.field_labels``), dates are ``format: date``, coded values carry their Thai
labels (``oneOf`` of ``const`` and ``title``), money is a decimal string, and the schema names
the stream kind the event applies to, the roles that may sign it and the rules that may refuse
it (``x-stream``, ``x-roles``, ``x-rules``). The schema is generated from the event's pydantic
model, so it cannot drift from what the ledger accepts.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.event_labels import EVENT_LABELS, ROLE_LABELS, STREAM_LABELS, Label
from ledger.domain.event_rules import rules_of
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.natural_streams import NATURAL_STREAMS
from ledger.domain.permissions import Role
from ledger.domain.values import PlainMoney
from ledger.errors import UnknownEventTypeError

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:thai-lgov-ledger:schema:"
"""A schema's ``$id`` is this prefix and the event type's name."""

DECIMAL = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"
"""How money (and any decimal) is written in a statement: ``"1250.50"``."""

Models = dict[str, type[BaseModel]]
"""Models by the name their schema gives them."""

_PYDANTIC_DECIMAL_KEYS = ("decimal_places", "max_digits", "gt", "ge", "lt", "le")


def event_type(name: str) -> EventType:
    """The catalogued event type ``name``, else ``UnknownEventTypeError`` (naming its rule)."""
    spec = EVENT_TYPES.get(name)
    if spec is None:
        raise UnknownEventTypeError(name)
    return spec


def names_of(spec: EventType) -> Label:
    """The event type's Thai and English names (its code when the table has none)."""
    return EVENT_LABELS.get(spec.name, Label(spec.name, spec.name))


def stream_of(spec: EventType) -> dict[str, Any]:
    """The kind of stream the event applies to: its aggregate and the aggregate's names, and
    for an opening whose stream its data names, the fields that name it (``derived_from``)."""
    kind = spec.aggregate.__name__
    label = STREAM_LABELS.get(kind, Label(kind, kind))
    natural = NATURAL_STREAMS.get(spec.name)
    derived = {"derived_from": list(natural.fields)} if natural is not None else {}
    return {"kind": kind, "th": label.th, "en": label.en, **derived}


def roles_of(spec: EventType) -> list[dict[str, str]]:
    """The roles that may sign the event, each with its names, in the roles' order."""
    return [
        {"role": role.value, "th": ROLE_LABELS[role.value].th, "en": ROLE_LABELS[role.value].en}
        for role in Role
        if role in spec.roles
    ]


def event_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the event type's ``data`` (a fresh copy: callers may change it)."""
    schema: dict[str, Any] = _copy(_schema(name))
    return schema


@cache
def _schema(name: str) -> dict[str, Any]:
    spec = event_type(name)
    models = _models(spec.data_model, {})
    schema = spec.data_model.model_json_schema()
    definitions = schema.get("$defs", {})
    for definition in definitions.values():
        _label_definition(definition, models)
    _label_model(schema, spec.data_model)
    names = names_of(spec)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID + name,
        **schema,
        "title": names.th,
        "description": names.en,
        "x-event-type": name,
        "x-opens-stream": spec.opens_stream,
        "x-stream": stream_of(spec),
        "x-roles": [role["role"] for role in roles_of(spec)],
        "x-rules": [rule.id for rule in rules_of(spec)],
    }


def _label_definition(definition: dict[str, Any], models: Models) -> None:
    if "enum" in definition:
        definition.pop("description", None)  # the enumeration's docstring, for programmers
        _label_values(definition, definition.get("title"))
    elif (model := models.get(str(definition.get("title")))) is not None:
        _label_model(definition, model)


def _label_model(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Thai titles and English descriptions on the model's properties, labels on their coded
    values, money as decimal strings."""
    schema.pop("description", None)  # the model's docstring is written for programmers
    for name, prop in schema.get("properties", {}).items():
        label = field_label(model.__name__, name)
        if label is not None:
            prop["title"], prop["description"] = label.th, label.en
        field = model.model_fields[name]
        _decimals(prop, money=_is_money(field.annotation, tuple(field.metadata)))
        _label_inline_values(prop)


def _label_values(schema: dict[str, Any], enum: str | None) -> None:
    values = schema.get("enum", [])
    schema["oneOf"] = [
        {"const": value, "title": value_label(enum, str(value)) or str(value)} for value in values
    ]


def _label_inline_values(schema: dict[str, Any]) -> None:
    """Literal choices (``enum`` or ``const`` written in place) get their Thai labels."""
    if "enum" in schema:
        _label_values(schema, None)
    elif "const" in schema and "title" not in schema:
        schema["title"] = value_label(None, str(schema["const"])) or str(schema["const"])
    for member in schema.get("anyOf", []):
        _label_inline_values(member)


def _decimals(schema: dict[str, Any], money: bool) -> None:
    """Pydantic writes a decimal as ``anyOf: [number, string]`` with keywords of its own; the
    ledger signs money as a plain decimal string only, and other decimals (days) as either."""
    members = schema.get("anyOf", [])
    kinds = [member.get("type") for member in members]
    if "number" in kinds and "string" in kinds and len(members) == 2:
        bounds = {key: schema.pop(key) for key in _PYDANTIC_DECIMAL_KEYS if key in schema}
        text = {"type": "string", "pattern": DECIMAL}
        number = {"type": "number", **_bounds(bounds)}
        del schema["anyOf"]
        if money:
            schema.update(text)
        else:
            schema["anyOf"] = [number, text]
        return
    if sorted(map(str, kinds)) == ["null", "number", "string"] and money:
        # Optional money (an allowance): the plain decimal string, or null.
        for key in _PYDANTIC_DECIMAL_KEYS:
            schema.pop(key, None)
        schema["anyOf"] = [{"type": "string", "pattern": DECIMAL}, {"type": "null"}]
        return
    for key in ("anyOf", "oneOf", "prefixItems"):
        for member in schema.get(key, []):
            _decimals(member, money)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _decimals(schema[key], money)


def _bounds(pydantic: dict[str, Any]) -> dict[str, Any]:
    names = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}
    return {names[key]: value for key, value in pydantic.items() if key in names}


def _is_money(annotation: Any, metadata: tuple[Any, ...]) -> bool:
    if any(isinstance(mark, PlainMoney) for mark in metadata):
        return True
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _is_money(args[0], args[1:])
    if origin in (Union, types.UnionType, list, dict):
        return any(_is_money(arg, ()) for arg in args)
    return False


def _models(
    model: type[BaseModel], found: dict[str, type[BaseModel]]
) -> dict[str, type[BaseModel]]:
    """Every model inside ``model`` (itself included), by the name its schema gives it."""
    found[model.__name__] = model
    for field in model.model_fields.values():
        for inner in _inner_models(field.annotation):
            if inner.__name__ not in found:
                _models(inner, found)
    return found


def _inner_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _inner_models(arg)]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


__all__ = [
    "DIALECT",
    "SCHEMA_ID",
    "event_schema",
    "event_type",
    "names_of",
    "roles_of",
    "stream_of",
]
