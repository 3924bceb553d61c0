"""What the gate checks of a statement's data beyond its model: the dates, text and money that
the value types mark (``ledger.domain.values``), read from the data exactly as signed.

The data models read leniently and must stay so: replays parse every stored event with them,
and an event stored before a check existed must still load. So the checks are not validators
(a validator costs every replay a call per field, even one that returns at once); admission
calls ``value_violations`` once the model has accepted the data, and it walks the JSON along
the model's fields. Each model's plan (its marked fields by kind, and how to reach those of
nested models, lists and maps) is built once. The common case, nothing wrong, is told with few
calls: a model's texts in one match, each date and amount in one. Every broken value is
reported, each with its rule and its field's dotted path (``data.order.issuer``).

Booleans and numbers are checked too, by their field's type rather than a mark: pydantic's lax
reading turns ``"yes"``, ``1`` or ``"0"`` into a boolean and ``"2560"`` or ``true`` into an
integer, so the gate asks that each be the JSON type the published schema says (``boolean``,
``integer``, ``number``), as it asks dates and money to be strings. Events stored before this
check still load and verify: the models stay lax.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain.dates import DATE_RANGES, OUT_OF_RANGE, DateKind, implausible_year
from ledger.domain.text import NOT_PLAIN_DECIMAL, PLAIN_DECIMAL, all_plain, text_violation
from ledger.domain.values import NameText, PlainMoney, SignedDate, SignedText
from ledger.statement import ISO_DATE, NOT_ISO_DATE, given
from ledger.violations import Violation, rule

JSON_TYPE = rule(
    "data.json_type",
    "ค่านี้ต้องเป็น{expected_th} (JSON {type}) ตามแบบของรายการ (GET /schemas/<ประเภท>) แต่ได้รับ{got_th}",
    "this value must be {expected} (JSON {type}) as the event type's schema says "
    "(GET /schemas/<type>), but got {got}",
)

_EXPECTED = {
    bool: ("boolean", "true or false", "ค่าจริงหรือเท็จ (true หรือ false)"),
    int: ("integer", "a whole number", "จำนวนเต็ม"),
    float: ("number", "a number", "ตัวเลข"),
}
"""The JSON type each Python type of a field is published as, in English and Thai."""
_FITS: dict[type, tuple[type, ...]] = {bool: (bool,), int: (int,), float: (int, float)}
"""The Python types of parsed JSON each field type takes (``type(...)``, so True is no int)."""

Check = Callable[[Any, str, str, list[Violation]], None]
"""Checks one value (as signed) under a parent path and a key, adding what it breaks to the
list (the dotted path is only written out for a broken value)."""


def value_violations(model: type[BaseModel], data: Any, path: str = "data") -> list[Violation]:
    """The marked values of ``data`` (which ``model`` accepted) that break their rule."""
    found: list[Violation] = []
    _check_fields(model, data, path, found)
    return found


@dataclass(frozen=True, slots=True)
class _Plan:
    """A model's marked fields by kind (only the kinds it has), and the checks of the fields
    that hold marked values inside (nested models, lists, maps)."""

    texts: tuple[tuple[tuple[str, ...], bool, bool], ...]  # names, multiline, person's name
    dates: tuple[tuple[str, DateKind, int, int], ...]  # name, kind, lowest and highest year
    money: tuple[str, ...]
    kinds: tuple[tuple[str, type], ...]  # name, bool, int or float
    models: tuple[tuple[str, type[BaseModel]], ...]
    inner: tuple[tuple[str, Check], ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.texts or self.dates or self.money or self.kinds or self.models or self.inner
        )


_PLANS: dict[type[BaseModel], _Plan] = {}


def _plan(model: type[BaseModel]) -> _Plan:
    found = _PLANS.get(model)
    if found is None:
        found = _PLANS[model] = _plan_of(model)
    return found


def _plan_of(model: type[BaseModel]) -> _Plan:
    texts: dict[tuple[bool, bool], list[str]] = {}
    dates: list[tuple[str, DateKind, int, int]] = []
    money: list[str] = []
    kinds: list[tuple[str, type]] = []
    models: list[tuple[str, type[BaseModel]]] = []
    inner: list[tuple[str, Check]] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        mark = _mark_of(field.metadata)
        if isinstance(mark, SignedText):
            texts.setdefault(_text_kind(mark), []).append(key)
        elif isinstance(mark, SignedDate):
            bounds = DATE_RANGES[mark.kind]
            dates.append((key, mark.kind, bounds.low, bounds.high))
        elif isinstance(mark, PlainMoney):
            money.append(key)
        elif (kind := _json_kind(field.annotation)) is not None:
            kinds.append((key, kind))
        elif (nested := _only_model(field.annotation)) is not None:
            models.append((key, nested))
        elif (check := _check_of(field.annotation)) is not None:
            inner.append((key, check))
    groups = tuple((tuple(names), *kind) for kind, names in texts.items())
    return _Plan(groups, tuple(dates), tuple(money), tuple(kinds), tuple(models), tuple(inner))


def _json_kind(annotation: Any) -> type | None:
    """bool, int or float for a field of that type (``X`` or ``X | None``, annotated or not)."""
    if get_origin(annotation) is Annotated:
        return _json_kind(get_args(annotation)[0])
    if get_origin(annotation) is Union or get_origin(annotation) is types.UnionType:
        members = [member for member in get_args(annotation) if member is not type(None)]
        return _json_kind(members[0]) if len(members) == 1 else None
    return annotation if annotation in _FITS else None


def _only_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (``M`` or ``M | None``) when it has anything to check."""
    if get_origin(annotation) is Union or get_origin(annotation) is types.UnionType:
        members = [member for member in get_args(annotation) if member is not type(None)]
        annotation = members[0] if len(members) == 1 else None
    if _is_model(annotation) and not _plan(annotation).is_empty:
        return annotation  # type: ignore[no-any-return]  # _is_model checked the class
    return None


def _mark_of(metadata: Any) -> SignedText | SignedDate | PlainMoney | None:
    for mark in metadata:
        if isinstance(mark, SignedText | SignedDate | PlainMoney):
            return mark
    return None


def _check_fields(model: type[BaseModel], value: Any, path: str, found: list[Violation]) -> None:
    if not isinstance(value, dict):
        return
    plan = _PLANS.get(model) or _plan(model)
    for names, multiline, person_name in plan.texts:
        texts = [text for name in names if type(text := value.get(name)) is str]
        if texts and not all_plain(texts, multiline=multiline, person_name=person_name):
            for name in names:
                _check_text(multiline, person_name, value.get(name), path, name, found)
    for name, kind, low, high in plan.dates:
        day = value.get(name)
        if day is not None and not (
            type(day) is str and ISO_DATE.fullmatch(day) and low <= int(day[:4]) <= high
        ):
            _check_date(kind, day, path, name, found)
    for name in plan.money:
        amount = value.get(name)
        if amount is not None and not (type(amount) is str and PLAIN_DECIMAL.fullmatch(amount)):
            _check_money(amount, path, name, found)
    for name, json_kind in plan.kinds:
        item = value.get(name)
        if item is not None and type(item) not in _FITS[json_kind]:
            _check_kind(json_kind, item, path, name, found)
    for name, nested in plan.models:
        item = value.get(name)
        if item is not None:
            _check_fields(nested, item, f"{path}.{name}", found)
    for name, check in plan.inner:
        item = value.get(name)
        if item is not None:  # left out or null: not reported, nothing to check
            check(item, path, name, found)


def _check_of(annotation: Any, marks: tuple[Any, ...] = ()) -> Check | None:
    """How to check a value of this annotation (with its ``Annotated`` marks), if at all."""
    mark = _mark_of(marks)
    if isinstance(mark, SignedText):
        return partial(_check_text, *_text_kind(mark))
    if isinstance(mark, SignedDate):
        return partial(_check_date, mark.kind)
    if isinstance(mark, PlainMoney):
        return _check_money
    if annotation in _FITS:
        return partial(_check_kind, annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _check_of(args[0], args[1:])
    if origin is Union or origin is types.UnionType:
        return _check_of_union(args)
    if _is_model(annotation):
        return None if _plan(annotation).is_empty else partial(_check_model, annotation)
    if origin is list and args and (item := _check_of(args[0])) is not None:
        return partial(_check_items, item)
    if origin is dict and len(args) == 2 and (item := _check_of(args[1])) is not None:
        return partial(_check_values, item)
    if origin is tuple and args:
        return _check_of_tuple(args)
    return None


def _check_of_tuple(args: tuple[Any, ...]) -> Check | None:
    """``tuple[X, ...]`` is checked as a list of X; ``tuple[X, Y]``, each place as its own."""
    if len(args) == 2 and args[1] is Ellipsis:
        item = _check_of(args[0])
        return None if item is None else partial(_check_items, item)
    places = tuple(_check_of(arg) for arg in args)
    return None if places == (None,) * len(places) else partial(_check_places, places)


def _check_of_union(members: tuple[Any, ...]) -> Check | None:
    """``X | None`` is checked as X; a union of models, as the model the object fits."""
    checked = [(member, _check_of(member)) for member in members if member is not type(None)]
    checks = [(member, check) for member, check in checked if check is not None]
    if len(checks) <= 1:
        return checks[0][1] if checks else None
    return partial(_check_fitting, tuple(checks))


def _fits(model: type[BaseModel], value: Any) -> bool:
    """Whether an object could be ``model``'s: its keys are the model's, and each field the
    model fixes to literal values (a GeoJSON ``type``) holds one of them."""
    if not isinstance(value, dict) or not value.keys() <= model.model_fields.keys():
        return False
    for name, field in model.model_fields.items():
        if get_origin(field.annotation) is Literal and value.get(name) not in get_args(
            field.annotation
        ):
            return False
    return True


def _check_fitting(
    checks: tuple[tuple[Any, Check], ...],
    value: Any,
    parent: str,
    key: str,
    found: list[Violation],
) -> None:
    for member, check in checks:
        if not _is_model(member) or _fits(member, value):
            check(value, parent, key, found)
            return


def _is_model(annotation: Any) -> bool:
    # ``list[int]`` passes ``isinstance(..., type)`` but is no class: ask for no origin first.
    return (
        get_origin(annotation) is None
        and isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
    )


def _check_model(
    model: type[BaseModel], value: Any, parent: str, key: str, found: list[Violation]
) -> None:
    _check_fields(model, value, f"{parent}.{key}", found)


def _check_items(check: Check, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if isinstance(value, list):
        path = f"{parent}.{key}"
        for index, item in enumerate(value):
            if item is not None:
                check(item, path, str(index), found)


def _check_places(
    checks: tuple[Check | None, ...], value: Any, parent: str, key: str, found: list[Violation]
) -> None:
    if isinstance(value, list):
        path = f"{parent}.{key}"
        for index, (check, item) in enumerate(zip(checks, value, strict=False)):
            if check is not None and item is not None:
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
    details = implausible_year(kind, date.fromisoformat(value))
    if details is not None:
        found.append(Violation(OUT_OF_RANGE, f"{parent}.{key}", details))


def _text_kind(mark: SignedText) -> tuple[bool, bool]:
    """(multiline, a person's name) of a text mark."""
    return mark.multiline, isinstance(mark, NameText)


def _check_text(
    multiline: bool, person_name: bool, value: Any, parent: str, key: str, found: list[Violation]
) -> None:
    if isinstance(value, str) and (
        broken := text_violation(value, multiline=multiline, person_name=person_name)
    ):
        found.append(Violation(broken[0], f"{parent}.{key}", broken[1]))


def _check_kind(kind: type, value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if type(value) not in _FITS[kind]:
        json_type, expected, expected_th = _EXPECTED[kind]
        details = {"type": json_type, "expected": expected, "expected_th": expected_th}
        got = {"got": "a string", "got_th": "ข้อความ"} if type(value) is str else given(value)
        found.append(Violation(JSON_TYPE, f"{parent}.{key}", details | got))


def _check_money(value: Any, parent: str, key: str, found: list[Violation]) -> None:
    if not isinstance(value, str) or PLAIN_DECIMAL.fullmatch(value) is None:
        found.append(Violation(NOT_PLAIN_DECIMAL, f"{parent}.{key}"))


__all__ = ["JSON_TYPE", "value_violations"]
