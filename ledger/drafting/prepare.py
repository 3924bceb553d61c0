"""A statement draft as people write it, made ready to sign: NFC text, tidy lines, ISO dates.

The ledger refuses text that is not in Unicode NFC and dates that are not ISO strings with a
plausible year, and whatever it accepts is signed forever. A draft is typed by a person, so
before signing ``ledger submit`` normalises every string of its data to NFC and rewrites each
date field (as the event type's data model declares them) from the forms people write
(``01/04/2562``, Thai digits, ``1 เมษายน 2562``, ISO) to ISO; a two-digit year, or a date that is
not text at all, is refused with its rule before anything is signed. One-line text (a name, a
title: the fields the model marks ``SignedText`` without ``multiline``) loses the white space
around it and each run inside it becomes one space (``ledger.domain.text.tidy_line``), so a
name typed ``"ทดสอบ  "`` is signed ``"ทดสอบ"`` rather than refused by the gate.

A correction's ``replacement`` is data of the corrected entry's type: its strings are
normalised, and its dates written as ISO when the draft names that type (``corrects.type``,
which ``ledger correct`` writes), else left as written (ISO, or refused).
"""

from __future__ import annotations

import types
import unicodedata
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.dates import DateInputError, parse_human_date
from ledger.domain.text import tidy_line
from ledger.domain.values import SignedText
from ledger.statement import NOT_ISO_DATE, given


class DraftError(ValueError):
    """A value of the draft that cannot be signed, naming its field and the rule it breaks."""

    def __init__(self, field: str, error: DateInputError) -> None:
        super().__init__(f"{field}: {error.th} / {error.en} [{error.rule_id}]")
        self.field = field
        self.rule_id = error.rule_id


def prepare_data(event_type: str, data: Any, corrected_type: str | None = None) -> Any:
    """The draft's ``data`` ready to sign: strings in NFC, one-line text tidy, the event type's
    dates in ISO; a
    correction's ``replacement`` too when the draft names the corrected entry's type
    (``corrects.type``, as ``ledger correct`` writes it).

    Raises ``DraftError`` for a date that cannot be read (a two-digit year names its rule).
    """
    normalised = normalise_text(data)
    spec = EVENT_TYPES.get(event_type)
    if spec is None:  # the ledger refuses an unknown type; nothing to convert
        return normalised
    converted = _convert(spec.data_model, normalised, "data")
    corrected = EVENT_TYPES.get(corrected_type or "")
    if corrected is not None and isinstance(converted, dict) and "replacement" in converted:
        replacement = converted["replacement"]
        converted["replacement"] = _convert(corrected.data_model, replacement, "data.replacement")
    return converted


def normalise_text(value: Any) -> Any:
    """Every string in a JSON value (object keys too) in Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {normalise_text(key): normalise_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise_text(item) for item in value]
    return value


def _convert(annotation: Any, value: Any, path: str, marks: tuple[Any, ...] = ()) -> Any:
    """``value`` with the dates that ``annotation`` declares in it written as ISO, and its
    one-line text (``marks`` or the annotation's) tidy."""
    origin, args = get_origin(annotation), get_args(annotation)
    if value is None:
        return None
    if isinstance(value, str) and any(_is_line(mark) for mark in marks):
        return tidy_line(value)
    if origin is Annotated:
        return _convert(args[0], value, path, args[1:])
    if origin is Union or origin is types.UnionType:
        return _convert(_member_for(args, value), value, path)
    if annotation is date:
        return _iso(value, path)
    if _is_model(annotation):
        return _convert_model(annotation, value, path)
    if origin is list and isinstance(value, list) and args:
        return [_convert(args[0], item, f"{path}[{n}]") for n, item in enumerate(value)]
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {key: _convert(args[1], item, f"{path}.{key}") for key, item in value.items()}
    return value


def _convert_model(model: type[BaseModel], value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        return value
    fields = model.model_fields
    return {
        key: _convert(fields[key].annotation, item, f"{path}.{key}", tuple(fields[key].metadata))
        if key in fields
        else item
        for key, item in value.items()
    }


def _is_line(mark: Any) -> bool:
    return isinstance(mark, SignedText) and not mark.multiline


def _member_for(members: tuple[Any, ...], value: Any) -> Any:
    """The member of a union that a value of this shape is meant for: a date for text, the
    model whose fields hold every key of an object, else the first member that is not None."""
    candidates = [member for member in members if member is not type(None)]
    for member in candidates:
        plain = get_args(member)[0] if get_origin(member) is Annotated else member
        if plain is date and isinstance(value, str):
            return member
        if isinstance(value, dict) and _holds_every_key(plain, value):
            return member
    return candidates[0] if candidates else Any


def _holds_every_key(annotation: Any, value: dict[str, Any]) -> bool:
    return _is_model(annotation) and value.keys() <= annotation.model_fields.keys()


def _is_model(annotation: Any) -> bool:
    # ``list[int]`` passes ``isinstance(..., type)`` but is no class: ask for no origin first.
    return (
        get_origin(annotation) is None
        and isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
    )


def _iso(value: Any, path: str) -> Any:
    """A date people wrote, as ISO; anything but text is refused (the ledger would too)."""
    if not isinstance(value, str):
        details = given(value)
        en = NOT_ISO_DATE.en.format(**details)
        th = NOT_ISO_DATE.th.format(**details)
        raise DraftError(path, DateInputError(NOT_ISO_DATE.id, th, en))
    try:
        return parse_human_date(value).isoformat()
    except DateInputError as error:
        raise DraftError(path, error) from None


__all__ = ["DraftError", "normalise_text", "prepare_data"]
