"""The event schemas (``ledger.domain.event_schemas``): valid JSON Schema 2020-12 for every
event type, a Thai title on every field and a Thai label on every coded value, the rules that
may refuse each type, and the names of every type, stream kind and role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ledger.domain.catalog import AGGREGATES, EVENT_TYPES
from ledger.domain.event_labels import EVENT_LABELS, ROLE_LABELS, STREAM_LABELS
from ledger.domain.event_schemas import DECIMAL, DIALECT, event_schema
from ledger.domain.natural_streams import NATURAL_STREAMS
from ledger.domain.permissions import Role
from ledger.errors import UnknownEventTypeError
from ledger.violations import RULES
from tests.ledger_kit import education_data, record_data

THAI = range(0x0E00, 0x0E80)


def _has_thai(text: str) -> bool:
    return any(ord(character) in THAI for character in text)


def _nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object of a schema, nested ones included."""
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _nodes(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _nodes(item)


@pytest.mark.parametrize("name", list(EVENT_TYPES))
def test_every_schema_is_valid_json_schema_2020_12(name: str) -> None:
    """The metaschema accepts each event type's schema, which says its dialect and id."""
    schema = event_schema(name)

    Draft202012Validator.check_schema(schema)
    assert DIALECT == schema["$schema"]
    assert schema["$id"].endswith(f":{name}")


@pytest.mark.parametrize("name", list(EVENT_TYPES))
def test_every_field_has_a_thai_title_and_an_english_description(name: str) -> None:
    schema = event_schema(name)

    untitled = [
        field
        for node in _nodes(schema)
        for field, prop in node.get("properties", {}).items()
        if not _has_thai(prop.get("title", "")) or not prop.get("description")
    ]

    assert [] == untitled
    assert _has_thai(schema["title"])


@pytest.mark.parametrize("name", list(EVENT_TYPES))
def test_every_coded_value_has_a_thai_label(name: str) -> None:
    """Enumerations list each value with its Thai title (``oneOf`` of ``const``)."""
    schema = event_schema(name)

    for node in _nodes(schema):
        if "enum" in node:
            labelled = {choice["const"]: choice["title"] for choice in node["oneOf"]}
            assert set(node["enum"]) == set(labelled)
            assert all(_has_thai(title) for title in labelled.values()), labelled


def test_money_is_a_decimal_string_and_dates_are_dates() -> None:
    """Money is signed as a plain decimal string only; a date field is ``format: date``."""
    budget = event_schema("AnnualBudgetEnacted")
    validator = Draft202012Validator(budget, format_checker=Draft202012Validator.FORMAT_CHECKER)

    assert validator.is_valid({"fiscal_year": 2562, "amount": "1250000.50"})
    assert not validator.is_valid({"fiscal_year": 2562, "amount": 1250000.5})
    assert not validator.is_valid({"fiscal_year": 2562, "amount": "1e6"})
    assert "date" == event_schema("EducationAdded")["properties"]["finished"]["format"]


def test_optional_money_is_a_decimal_string_or_null() -> None:
    """An allowance (optional money) is a plain decimal string or null, as a salary is a
    string: the agent and the forms read it as money (it was "a number or any string")."""
    allowance = event_schema("PositionSalaryEntryAdded")["properties"]["allowance"]

    assert [{"type": "string", "pattern": DECIMAL}, {"type": "null"}] == allowance["anyOf"]


def test_samples_validate_and_unknown_fields_do_not() -> None:
    """The tests' own sample data fits the schemas; a field the model forbids does not."""
    opened = Draft202012Validator(event_schema("RecordOpened"))
    education = Draft202012Validator(event_schema("EducationAdded"))

    assert opened.is_valid(record_data())
    assert education.is_valid(education_data())
    assert not education.is_valid(education_data() | {"grade": "A"})


def test_thai_labels_of_leave_types() -> None:
    leave = event_schema("LeaveTaken")["$defs"]["LeaveType"]

    assert {"const": "sick", "title": "ลาป่วย"} in leave["oneOf"]


def test_a_schema_names_the_rules_that_may_refuse_it() -> None:
    """Leave names the overlap and service rules, an entry the separation rule, every type
    ``data.invalid``; every id is in the catalogue (``GET /rules``)."""
    leave = event_schema("LeaveTaken")["x-rules"]
    budget = event_schema("AnnualBudgetEnacted")["x-rules"]

    assert {"record.leave_overlap", "record.leave_outside_service"} <= set(leave)
    assert {"record.after_separation", "text.not_nfc", "date.not_iso"} <= set(leave)
    assert "money.not_plain_decimal" in budget
    assert "record.after_separation" not in budget
    for name in EVENT_TYPES:
        rules = event_schema(name)["x-rules"]
        assert "data.invalid" in rules
        assert set(rules) <= set(RULES), name


def test_a_schema_names_its_stream_and_signers() -> None:
    schema = event_schema("EducationAdded")

    assert "PersonnelRecord" == schema["x-stream"]["kind"]
    assert ["lao_hr_officer"] == schema["x-roles"]
    assert schema["x-opens-stream"] is False
    assert event_schema("RecordOpened")["x-opens-stream"] is True


def test_every_type_stream_and_role_has_its_names() -> None:
    assert set(EVENT_TYPES) == set(EVENT_LABELS)
    assert {aggregate.__name__ for aggregate in AGGREGATES} == set(STREAM_LABELS)
    assert {role.value for role in Role} == set(ROLE_LABELS)
    assert all(_has_thai(label.th) for label in EVENT_LABELS.values())


def test_an_unknown_type_is_refused_with_its_rule() -> None:
    with pytest.raises(UnknownEventTypeError) as refused:
        event_schema("EducationAddedd")

    assert "schema.unknown_type" == refused.value.violations[0].id


def test_a_schema_is_a_copy() -> None:
    """A caller changing the schema it got does not change the next caller's."""
    event_schema("EducationAdded")["properties"].clear()

    assert "institution" in event_schema("EducationAdded")["properties"]


def test_openings_named_by_their_data_say_which_fields_name_them() -> None:
    """Every type whose stream its data names opens a stream, and its schema says how."""
    assert all(EVENT_TYPES[name].opens_stream for name in NATURAL_STREAMS)
    assert ["lao", "number"] == event_schema("PositionCreated")["x-stream"]["derived_from"]
    assert "derived_from" not in event_schema("RecordOpened")["x-stream"]
