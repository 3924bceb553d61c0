"""The ก.พ.๗ read (``Reports.kp7(...).as_json()``) shaped for the page: each field a labelled
item whose kind tells the template how to write it (a Buddhist-era date, money with thousands
separators, a coded value's Thai label, or nested items for an order or an address), and each
entry and change with its event hash, so the page shows who signed what and when.

Signers are shown by key id and roles only: never an operator's citizen ID.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from pydantic import BaseModel

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.field_labels import field_label
from ledger.domain.record_history import EntryEvent

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY_WORDS = ("salary", "amount", "allowance", "wage", "pay")


@dataclass(frozen=True, slots=True)
class Item:
    """One field: ``kind`` is text, date, money, flag or group (``children`` then); ``code``
    the field's name in the data (the printed ก.พ.๗ puts some fields in their own column)."""

    th: str
    en: str
    kind: str
    value: Any = None
    children: tuple[Item, ...] = field(default_factory=tuple)
    code: str = ""


def _label(code: str, th: str | None = None) -> tuple[str, str]:
    found = field_label("", code)
    english = code.replace("_", " ") if found is None else found.en.removeprefix("the ")
    return (th or (code if found is None else found.th)), english


def _item(code: str, value: Any, th: str | None = None, value_th: str | None = None) -> Item:
    return replace(_typed_item(code, value, th, value_th), code=code)


def _typed_item(code: str, value: Any, th: str | None, value_th: str | None) -> Item:
    label_th, label_en = _label(code, th)
    if value_th is not None:
        return Item(label_th, label_en, "text", value_th)
    if isinstance(value, Mapping):
        children = tuple(_item(str(k), v) for k, v in value.items() if v is not None)
        return Item(label_th, label_en, "group", children=children)
    if isinstance(value, list):
        children = tuple(_item(str(i + 1), v, th=str(i + 1)) for i, v in enumerate(value))
        return Item(label_th, label_en, "group", children=children)
    if isinstance(value, bool):
        return Item(label_th, label_en, "flag", value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return Item(label_th, label_en, "date", value)
    if _is_money(code, label_th) and isinstance(value, int | float | str):
        return Item(label_th, label_en, "money", value)
    return Item(label_th, label_en, "text", value)


def _is_money(code: str, label_th: str) -> bool:
    return "บาท" in label_th or any(word in code for word in _MONEY_WORDS)


def fields(labelled: list[dict[str, Any]]) -> list[Item]:
    """``labelled_fields`` of the read as items (the read's Thai label kept)."""
    return [
        _item(str(f["code"]), f["value"], th=str(f["th"]), value_th=f.get("value_th"))
        for f in labelled
        if f["value"] is not None
    ]


def in_model_order(items: list[Item], model: type[BaseModel] | None) -> list[Item]:
    """``items`` in the order the event's data model declares its fields (a salary entry reads
    movement, position number, title, level, salary, then the order: number, date, issuer),
    nested groups too; the read gives them in the canonical statement's alphabetical order,
    which no one fills a ก.พ.๗ in. Fields the model does not name keep their place at the end."""
    if model is None:
        return items
    declared = {name: (index, info.annotation) for index, (name, info) in
                enumerate(model.model_fields.items())}  # fmt: skip
    ranked = sorted(items, key=lambda item: declared.get(item.code, (len(declared), None))[0])
    return [
        replace(item, children=tuple(in_model_order(list(item.children), inner)))
        if item.children and (inner := _model_in(declared.get(item.code, (0, None))[1]))
        else item
        for item in ranked
    ]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The data model a field holds (an order reference, an address), optional or not."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _data_model(event_type: str) -> type[BaseModel] | None:
    spec = EVENT_TYPES.get(event_type)
    return None if spec is None else spec.data_model


def _signer(signed_by: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "key_id": signed_by["key_id"],
        "roles": [role["th"] for role in signed_by.get("roles", [])],
        "role_codes": [role["code"] for role in signed_by.get("roles", [])],
    }


def kp7_sections(kp7: Mapping[str, Any], hashes: Mapping[int, str]) -> list[dict[str, Any]]:
    """The sections of the read, each entry with its items, signer, hash and history."""
    return [
        {
            "code": section["code"],
            "th": section["th"],
            "en": section["en"],
            "entries": [_entry(entry, hashes) for entry in section["entries"]],
        }
        for section in kp7["sections"]
    ]


def correctable(event_type: str) -> bool:
    """Whether an entry of this type may be corrected or voided (an ``EntryEvent``, as
    ``ledger.drafting.corrections`` reads a record's entries); status changes may not."""
    spec = EVENT_TYPES.get(event_type)
    return spec is not None and issubclass(spec.event_class, EntryEvent)


def _entry(entry: Mapping[str, Any], hashes: Mapping[int, str]) -> dict[str, Any]:
    model = _data_model(str(entry["type"]))
    return {
        "correctable": correctable(str(entry["type"])) and not entry["voided"],
        "entry": entry["entry"],
        "version": entry["version"],
        "type": entry["type"],
        "type_th": entry["type_th"],
        "effective": entry["effective"],
        "recorded_at": entry["recorded_at"],
        "signed": _signer(entry["signed_by"]),
        "hash": hashes.get(int(entry["entry"]), ""),
        "voided": entry["voided"],
        "fields": in_model_order(fields(entry["fields"]), model),
        "changes": [
            {
                "kind": change["kind"],
                "version": change["version"],
                "reason": change["reason"],
                "recorded_at": change["recorded_at"],
                "signed": _signer(change["signed_by"]),
                "hash": hashes.get(int(change["version"]), ""),
                "before": in_model_order(fields(change.get("before", [])), model),
            }
            for change in entry["changes"]
        ],
    }
