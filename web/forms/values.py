"""An event's data as the inputs of its form show it: to prefill a correction with the entry's
current values, and to test that what a form shows reads back to the same data.

Dates are shown in the Buddhist era (``01/04/2562``), money with thousands separators
(``21,010.00``), booleans as the select's ``true``/``false``, lists one item per line.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.rules import format_buddhist_date
from web.forms.describe import EFFECTIVE, Form, FormField


def form_values(form: Form, data: dict[str, Any], effective: date | None = None) -> dict[str, str]:
    """Input name -> the text the input shows for ``data`` (a statement's data, as signed)."""
    values: dict[str, str] = {}
    if effective is not None:
        values[EFFECTIVE] = format_buddhist_date(effective)
    for item in form.fields():
        value = _lookup(data, item.name)
        if value is not None:
            values[item.name] = show_value(item, value)
    return values


def show_value(item: FormField, value: Any) -> str:
    """One value as its input shows it."""
    if item.kind == "date" and isinstance(value, str):
        try:
            return format_buddhist_date(date.fromisoformat(value))
        except ValueError:
            return value
    if item.kind == "money":
        return _grouped(value)
    if item.kind == "boolean":
        return "true" if value is True else "false" if value is False else ""
    if item.kind == "lines" and isinstance(value, list):
        return "\n".join(str(line) for line in value)
    if item.kind == "yearly" and isinstance(value, dict):
        return "\n".join(
            f"{year}: {'-' if amount is None else _grouped(amount)}"
            for year, amount in value.items()
        )
    if item.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _grouped(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = max(0, -int(amount.as_tuple().exponent)) if amount == amount else 0
    return f"{amount:,.{places}f}"


def _lookup(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


__all__ = ["form_values", "show_value"]
