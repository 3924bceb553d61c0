"""The gate's value types (ledger.domain.values) and their checks (ledger.domain.value_checks):
dates, text and money are checked at admission, and the models read them as before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, get_args, get_origin

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.text import first_violation, text_violation
from ledger.domain.value_checks import value_violations
from ledger.domain.values import (
    Amount,
    BirthDate,
    DeadlineDate,
    EventDate,
    Line,
    Money,
    Name,
    Paragraphs,
    SchoolingDate,
    SignedDate,
)
from tests import domain_data as d


class Form(BaseModel):
    """One field of each value type, each optional, to validate one at a time."""

    model_config = ConfigDict(extra="forbid")

    birth: BirthDate | None = None
    event: EventDate | None = None
    deadline: DeadlineDate | None = None
    schooling: SchoolingDate | None = None
    line: Line | None = None
    paragraphs: Paragraphs | None = None
    name: Name | None = None
    money: Money | None = None
    amount: Amount | None = None


def _admitted(**values: Any) -> Form:
    """The form as admission reads it: the model accepts it and no value breaks a rule."""
    assert [] == value_violations(Form, values)
    return Form.model_validate(values)


def _refused(**values: Any) -> tuple[str, dict[str, Any]]:
    """The rule id and the details of the one value the model accepts but the gate refuses."""
    Form.model_validate(values)
    (violation,) = value_violations(Form, values)
    return violation.id, dict(violation.details)


def test_an_iso_birth_date_is_admitted() -> None:
    """A birth date written YYYY-MM-DD inside its range is read as that date."""
    assert date(1970, 10, 1) == _admitted(birth="1970-10-01").birth


def test_a_date_as_a_number_is_not_iso() -> None:
    """The number 0 (a lax parser's 1970-01-01) is refused, saying a number was given."""
    assert ("date.not_iso", "a number") == (
        _refused(event=0)[0],
        _refused(event=0)[1]["got"],
    )


@pytest.mark.parametrize("written", ["2019-04-01T00:00:00", "1554076800"])
def test_a_moment_or_a_timestamp_is_not_a_signed_date(written: str) -> None:
    """Text pydantic reads as a date but that is not YYYY-MM-DD is refused."""
    assert "date.not_iso" == _refused(event=written)[0]


def test_a_buddhist_year_written_as_iso_shows_both_readings() -> None:
    """2518-01-15 as a birth date is out of range, with 2518 CE and 3061 BE in the details."""
    rule_id, details = _refused(birth="2518-01-15")

    assert ("date.out_of_range", "2518", "3061") == (rule_id, details["year"], details["year_be"])


def test_an_event_date_before_1940_is_out_of_range() -> None:
    """1939 lies before any career on record; 1940 is the range's first year."""
    assert "date.out_of_range" == _refused(event="1939-12-31")[0]
    assert date(1940, 1, 1) == _admitted(event="1940-01-01").event


def test_a_deadline_before_1990_is_out_of_range() -> None:
    """Deadlines belong to certification cycles, which began long after 1989."""
    assert "date.out_of_range" == _refused(deadline="1989-07-31")[0]


def test_schooling_may_precede_any_career() -> None:
    """Primary school in 1931 (a person born in 1925) is admitted as schooling."""
    assert date(1931, 6, 1) == _admitted(schooling="1931-06-01").schooling


def test_replays_read_dates_as_they_always_did() -> None:
    """Without the admission context a stored 0 or 2518-01-15 still loads."""
    form = Form.model_validate({"event": 0, "birth": "2518-01-15"})

    assert (date(1970, 1, 1), date(2518, 1, 15)) == (form.event, form.birth)


def test_a_control_character_in_a_line_is_refused() -> None:
    """U+0001 in a name is text.control_character, naming the code point."""
    assert ("text.control_character", {"code": "U+0001"}) == _refused(name="สม\x01ชาย")


def test_a_line_may_not_break() -> None:
    """A name or a number is one line."""
    assert "text.control_character" == _refused(line="บรรทัด\nสอง")[0]


def test_free_text_may_break_lines() -> None:
    """A reason or a detail may hold line breaks."""
    assert "ก\nข" == _admitted(paragraphs="ก\nข").paragraphs


def test_names_keep_their_length_limits() -> None:
    """Name is still at most 200 characters, with pydantic's own error."""
    with pytest.raises(ValidationError) as refused:
        Form.model_validate({"name": "ก" * 201})

    assert "string_too_long" == refused.value.errors()[0]["type"]


def test_replays_read_text_as_it_was_stored() -> None:
    """Without the admission context a stored control character still loads."""
    assert "สม\x01ชาย" == Form.model_validate({"name": "สม\x01ชาย"}).name


def test_money_with_an_exponent_is_not_a_plain_decimal() -> None:
    """Money "1e5" is refused at admission."""
    assert "money.not_plain_decimal" == _refused(money="1e5")[0]


def test_plain_money_is_admitted() -> None:
    """ "1250.50" is read as the decimal 1250.50."""
    assert Decimal("1250.50") == _admitted(money="1250.50").money


def test_an_old_salary_written_as_a_number_still_loads() -> None:
    """The first record models read JSON numbers: a replay still reads them; admission no."""
    assert Decimal(15000) == Form.model_validate({"amount": 15000}).amount
    assert "money.not_plain_decimal" == _refused(amount=15000)[0]


def test_a_refusal_names_the_field_and_both_readings() -> None:
    """A violation names its field's dotted path, and its message both readings of the year."""
    (violation,) = value_violations(Form, {"birth": "2518-01-15"}, "data")

    assert ("date.out_of_range", "data.birth") == (violation.id, violation.field)
    assert "3061 BE" in violation.en


def test_every_broken_value_is_reported() -> None:
    """Two wrong values are two violations, in the model's field order."""
    found = value_violations(Form, {"name": "\u200b", "birth": 0})

    assert ["data.birth", "data.name"] == [violation.field for violation in found]


class Nested(BaseModel):
    """Marked values inside a nested model, a list and a map."""

    form: Form | None = None
    forms: list[Form] = []
    amounts: dict[int, Money | None] = {}


def test_nested_values_are_checked_with_their_paths() -> None:
    """Values inside nested models, lists and maps are checked, each named by its path."""
    data = {"form": {"event": 0}, "forms": [{}, {"name": "ก\x01"}], "amounts": {"2562": "1e5"}}
    Nested.model_validate(data)

    found = value_violations(Nested, data)

    assert [
        ("date.not_iso", "data.form.event"),
        ("text.control_character", "data.forms.1.name"),
        ("money.not_plain_decimal", "data.amounts.2562"),
    ] == [(violation.id, violation.field) for violation in found]


THAI_AND_MORE = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0E01, 0x0E5C)] + list(" \nAz=-.'(|1\x01\u200b\u202e\u00e9")
    ),
    max_size=12,
)


@given(text=THAI_AND_MORE, multiline=st.booleans(), person_name=st.booleans())
def test_the_fast_path_agrees_with_the_full_check(
    text: str, multiline: bool, person_name: bool
) -> None:
    """text_violation's fast path accepts only what the character-by-character check accepts."""
    multiline = multiline and not person_name  # a person's name is one line
    fast = text_violation(text, multiline=multiline, person_name=person_name)
    full = first_violation(text, multiline=multiline, person_name=person_name)

    assert (fast is None) == (full is None)
    assert fast is None or fast[0] == full[0]


def _bare_dates(annotation: Any, marks: tuple[Any, ...], path: str) -> list[str]:
    """The paths under ``annotation`` that hold a date without a kind."""
    if any(isinstance(mark, SignedDate) for mark in marks):
        return []
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _bare_dates(args[0], args[1:], path)
    if annotation is date:
        return [path]
    if isinstance(annotation, type) and origin is None and issubclass(annotation, BaseModel):
        return [
            bare
            for name, field in annotation.model_fields.items()
            for bare in _bare_dates(field.annotation, tuple(field.metadata), f"{path}.{name}")
        ]
    return [bare for arg in args for bare in _bare_dates(arg, (), path)]


def test_every_date_of_every_event_has_a_kind() -> None:
    """Each date field of each event type's data (nested ones too) is a BirthDate, EventDate,
    DeadlineDate or SchoolingDate, so the gate checks its form and year."""
    bare = [
        found
        for name, spec in EVENT_TYPES.items()
        for found in _bare_dates(spec.data_model, (), name)
    ]

    assert [] == bare


@pytest.mark.parametrize("written", ["yes", 1, "0", "true"])
def test_a_boolean_written_otherwise_is_refused(written: Any) -> None:
    """gpf_member "yes", 1 or "0" (which pydantic reads as booleans) is data.json_type on the
    field, saying JSON boolean; true and false are admitted."""
    model = EVENT_TYPES["PersonalDataRecorded"].data_model

    (violation,) = value_violations(model, {"gpf_member": written})

    assert ("data.json_type", "data.gpf_member") == (violation.id, violation.field)
    assert "JSON boolean" in violation.en
    assert "JSON boolean" in violation.th
    assert [] == value_violations(model, {"gpf_member": True})
    assert [] == value_violations(model, {"gpf_member": False})


@pytest.mark.parametrize("written", ["2560", True, 2560.0])
def test_a_fiscal_year_written_otherwise_is_refused(written: Any) -> None:
    """A BudgetApproved fiscal_year "2560", true (read as 1) or 2560.0 is data.json_type;
    the integer 2560 is admitted."""
    model = EVENT_TYPES["BudgetApproved"].data_model

    (violation,) = value_violations(model, {"fiscal_year": written})

    assert ("data.json_type", "data.fiscal_year") == (violation.id, violation.field)
    assert "JSON integer" in violation.en
    assert [] == value_violations(model, {"fiscal_year": 2560})


def test_numbers_inside_a_geometry_are_checked_by_its_type() -> None:
    """A line's coordinate written as a string, or a point's as true, is refused at its place;
    the GeoJSON type picks the model (a line is not read as a point)."""
    model = EVENT_TYPES["ProjectGeoLocated"].data_model
    line = {"type": "LineString", "coordinates": [[99.1, 16.8], [99, "16.9"]]}
    point = {"type": "Point", "coordinates": [99.1, True]}

    found = value_violations(model, {"geometry": line}) + value_violations(
        model, {"geometry": point}
    )

    assert [
        ("data.json_type", "data.geometry.coordinates.1.1"),
        ("data.json_type", "data.geometry.coordinates.1"),
    ] == [(violation.id, violation.field) for violation in found]
    right = {"type": "LineString", "coordinates": [[99.1, 16.8], [99, 16.9]]}
    assert [] == value_violations(model, {"geometry": right})


def test_replays_read_booleans_and_years_as_they_always_did() -> None:
    """A stored gpf_member "yes" or fiscal_year "2560" still loads (the models stay lax)."""
    personal = EVENT_TYPES["PersonalDataRecorded"].data_model
    budget = EVENT_TYPES["BudgetApproved"].data_model
    stored = {**d.ENTRY_DATA["PersonalDataRecorded"], "gpf_member": "yes"}

    assert personal.model_validate(stored).model_dump()["gpf_member"] is True
    assert (
        2560
        == budget.model_validate({**d.budget(), "fiscal_year": "2560"}).model_dump()["fiscal_year"]
    )
