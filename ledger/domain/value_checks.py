"""What the gate checks of a statement's data beyond its model: the dates, text and money that
the value types mark (``ledger.domain.values``), read from the data exactly as signed.

The data models read leniently and must stay so: replays parse every stored event with them,
and an event stored before a check existed must still load. So the checks are not validators
(a validator costs every replay a call per field, even one that returns at once); admission
calls ``value_violations`` once the model has accepted the data, and it walks the JSON along
the model's fields. Each model's plan (which fields carry a mark, and how to reach those of
nested models, lists and maps) is built once. Every broken value is reported, each with its
rule and its field's dotted path (``data.order.issuer``).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import date
from functools import cache, partial
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain.dates import DATE_RANGES, OUT_OF_RANGE, DateKind, implausible_year
from ledger.domain.text import NOT_PLAIN_DECIMAL, is_plain_decimal, text_violation
from ledger.domain.values import PlainMoney, SignedDate, SignedText
from ledger.statement import ISO_DATE, NOT_ISO_DATE, given
from ledger.violations import Violation

Check = Callable[[Any, str, str, list[Violation]], None]
"""Checks one value (as signed) under a parent path and a key, adding what it breaks to the
list (the dotted path is only written out for a broken value: the common case is none)."""


def value_violations(model: type[BaseModel], data: Any, path: str = "data") -> list[Violation]:
    """The marked values of ``data`` (which ``model`` accepted) that break their rule."""
    found: list[Violation] = []
    _check_fields(model, data, path, found)
    return found


def _check_fields(model: type[BaseModel], value: Any, path: str, found: list[Violation]) -> None:
    if isinstance(value, dict):
        for name, check in _plan(model):
            item = value.get(name)
            if item is not None:  # left out or null: not reported, nothing to check
                check(item, path, name, found)


def _check_model(
    model: type[BaseModel], value: Any, parent: str, key: str, found: list[Violation]
) -> None:
    _check_fields(model, value, f"{parent}.{key}", found)


@cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, Check], ...]:
    """The fields of ``model`` that hold something to check, and the check of each."""
    plan = []
    for name, field in model.model_fields.items():
        check = _check_of(field.annotation, tuple(field.metadata))
        if check is not None:
            plan.append((field.alias or name, check))
    return tuple(plan)


def _check_of(annotation: Any, marks: tuple[Any, ...] = ()) -> Check | None:
    """How to check a value of this annotation (with its ``Annotated`` marks), if at all."""
    for mark in marks:
        if isinstance(mark, SignedDate):
            return partial(_check_date, mark.kind)
        if isinstance(mark, SignedText):
            return partial(_check_text, mark.multiline)
        if isinstance(mark, PlainMoney):
            return _check_money
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _check_of(args[0], args[1:])
    if origin is Union or origin is types.UnionType:
        return _check_of_union(args)
    if _is_model(annotation):
        return partial(_check_model, annotation) if _plan(annotation) else None
    if origin is list and args and (item := _check_of(args[0])) is not None:
        return partial(_check_items, item)
    if origin is dict and len(args) == 2 and (item := _check_of(args[1])) is not None:
        return partial(_check_values, item)
    return None


def _check_of_union(members: tuple[Any, ...]) -> Check | None:
    """``X | None`` is checked as X; a union of models, as the model the object fits."""
    checked = [(member, _check_of(member)) for member in members if member is not type(None)]
    checks = [(member, check) for member, check in checked if check is not None]
    if len(checks) <= 1:
        return checks[0][1] if checks else None
    return partial(_check_fitting, tuple(checks))


def _check_fitting(
    checks: tuple[tuple[Any, Check], ...],
    value: Any,
    parent: str,
    key: str,
    found: list[Violation],
) -> None:
    for member, check in checks:
        if not _is_model(member) or (
            isinstance(value, dict) and value.keys() <= member.model_fields.keys()
        ):
            check(value, parent, key, found)
            return


def _is_model(annotation: Any) -> bool:
    # ``list[int]`` passes ``isinstance(..., type)`` but is no class: ask for no origin first.
    return (
        get_origin(annotation) is None
        and isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
    )


def _check_items(check: Check, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if isinstance(value, list):
        path = f"{parent}.{key}"
        for index, item in enumerate(value):
            if item is not None:
                check(item, path, str(index), found)


def _check_values(check: Check, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if isinstance(value, dict):
        path = f"{parent}.{key}"
        for name, item in value.items():
            if item is not None:
                check(item, path, name, found)


def _check_date(kind: DateKind, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if not isinstance(value, str) or ISO_DATE.fullmatch(value) is None:
        found.append(Violation(NOT_ISO_DATE, f"{parent}.{key}", given(value)))
        return
    bounds = DATE_RANGES[kind]
    if not bounds.low <= int(value[:4]) <= bounds.high:
        details = implausible_year(kind, date.fromisoformat(value))
        found.append(Violation(OUT_OF_RANGE, f"{parent}.{key}", details or {}))


def _check_text(multiline: bool, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if isinstance(value, str) and (broken := text_violation(value, multiline=multiline)):
        found.append(Violation(broken[0], f"{parent}.{key}", broken[1]))


def _check_money(value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if not isinstance(value, str) or not is_plain_decimal(value):
        found.append(Violation(NOT_PLAIN_DECIMAL, f"{parent}.{key}"))


__all__ = ["value_violations"]
