"""The rules catalogue and how refusals carry it (ledger.violations, ledger.errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from pydantic import AfterValidator, BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from ledger.errors import InvalidDataError, model_violations
from ledger.violations import RULES, Rule, Violation, rule

SAMPLE = Rule("test.sample_rule", "ตัวอย่าง {what}", "a sample about {what}")


@pytest.fixture
def declared() -> Iterator[Rule]:
    """The sample rule in the catalogue for one test, and out of it afterwards (the catalogue
    is the product's: docs/rules.md lists it)."""
    RULES[SAMPLE.id] = SAMPLE
    yield SAMPLE
    del RULES[SAMPLE.id]


def _refuse(value: str) -> str:
    raise PydanticCustomError("test.sample_rule", "a sample about {what}", {"what": "x"})


class _Model(BaseModel):
    name: Annotated[str, AfterValidator(_refuse)]
    count: int


def test_a_rule_is_declared_once(declared: Rule) -> None:
    """Declaring the same id twice is a programming error."""
    with pytest.raises(ValueError, match="declared twice"):
        rule("test.sample_rule", "ซ้ำ", "again")


def test_a_violation_fills_its_messages_from_its_details() -> None:
    """Both messages name the details; the JSON carries rule, field, Thai and English."""
    found = Violation(SAMPLE, "data.name", {"what": "ชื่อ"})

    assert {
        "rule": "test.sample_rule",
        "field": "data.name",
        "th": "ตัวอย่าง ชื่อ",
        "en": "a sample about ชื่อ",
    } == found.as_json()


def test_model_errors_become_violations_of_the_catalogue(declared: Rule) -> None:
    """A custom pydantic error whose type is a declared rule keeps its rule; any other error is
    data.invalid on its field."""
    with pytest.raises(ValidationError) as refused:
        _Model.model_validate({"name": "a", "count": "many"})

    found = {(v.id, v.field) for v in model_violations(refused.value.errors())}

    assert {("test.sample_rule", "data.name"), ("data.invalid", "data.count")} == found


def test_a_plain_problem_counts_as_data_invalid_on_its_field() -> None:
    """Domain checks that still raise text name their field through the text."""
    error = InvalidDataError("RecordOpened", ["data.cid: checksum fails"])

    assert [("data.invalid", "data.cid")] == [(v.id, v.field) for v in error.violations]


def test_every_rule_speaks_thai_and_english() -> None:
    """No rule of the catalogue lacks a Thai or an English message."""
    assert [] == [r.id for r in RULES.values() if not (r.th.strip() and r.en.strip())]


def test_money_placeholders_are_shown_with_thousands_separators() -> None:
    """A rule's money placeholders read 45,000.00 in both messages, the details keep the plain
    decimal, other placeholders and text that is not a number are left as they are."""
    money = Rule("test.money", "รวม {total} บาท ปี {year}", "{total} baht in {year}", ("total",))
    found = Violation(money, "data.amount", {"total": "45000.00", "year": "2569"})
    odd = Violation(money, "data.amount", {"total": "n/a", "year": "2569"})

    assert "รวม 45,000.00 บาท ปี 2569" == found.th
    assert "45,000.00 baht in 2569" == found.en
    assert "45000.00" == found.details["total"]
    assert "n/a baht in 2569" == odd.en
