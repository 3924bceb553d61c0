"""The rules the gate enforces, each with a stable id and a message in Thai and English.

A refusal names the rule and the field it concerns, so an HR officer reads what to put right
(in Thai) and a client program can act on the id. ``RULES`` is the catalogue (served as
``GET /rules`` and listed in the README); ``Violation`` is one broken rule on one field.
Messages may hold ``{placeholders}`` filled from the violation's details; they never carry a
citizen ID or a name (PDPA): the field path says where, the details say what was expected.
A rule names its placeholders that are amounts of money (``money``): the details keep the
plain decimal ("45000.00"), the messages show it as people write baht ("45,000.00"), in Thai
and English alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the gate: a stable id (``kind.name``), its Thai and English message."""

    id: str
    th: str
    en: str
    money: tuple[str, ...] = ()  # placeholders shown with thousands separators


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule broken by the value at ``field`` (a dotted path such as ``data.birth_date``)."""

    rule: Rule
    field: str
    details: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def th(self) -> str:
        return self.rule.th.format_map(self._shown())

    @property
    def en(self) -> str:
        return self.rule.en.format_map(self._shown())

    def _shown(self) -> _Missing:
        """The details as the messages write them: the rule's money with separators."""
        shown = _Missing(self.details)
        for name in self.rule.money:
            if name in shown:
                shown[name] = baht(shown[name])
        return shown

    def describe(self) -> str:
        """One line in English naming the field and the rule (for logs and the CLI)."""
        return f"{self.field}: {self.en} [{self.id}]"

    def as_json(self) -> dict[str, str]:
        return {"rule": self.id, "field": self.field, "th": self.th, "en": self.en}


class _Missing(dict[str, str]):
    """Leaves an unknown placeholder visible rather than failing to format."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


RULES: dict[str, Rule] = {}
"""Every rule of the gate, by id."""


def baht(amount: str) -> str:
    """``45000.00`` as ``45,000.00`` (two decimals); text that is not a number, unchanged."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError):
        return amount
    return f"{value:,.2f}" if value.is_finite() else amount


def rule(rule_id: str, th: str, en: str, *, money: tuple[str, ...] = ()) -> Rule:
    """Declare a rule once (at import time of the module that enforces it); ``money``: the
    placeholders that are amounts of money."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} is declared twice")
    declared = Rule(rule_id, th, en, money)
    RULES[rule_id] = declared
    return declared


__all__ = ["RULES", "Rule", "Violation", "baht", "rule"]
