"""The gate's value types (ledger.domain.values): dates, text and money are checked at
admission (the ``ADMISSION`` validation context) and read as before everywhere else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.domain.text import first_violation, text_violation
from ledger.domain.values import (
    ADMISSION,
    Amount,
    BirthDate,
    DeadlineDate,
    EventDate,
    Line,
    Money,
    Name,
    Paragraphs,
    SchoolingDate,
)
from ledger.errors import model_violations


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
    return Form.model_validate(values, context=ADMISSION)


def _refused(**values: Any) -> tuple[str, dict[str, Any]]:
    """The rule id and the details of the one problem the values have at admission."""
    with pytest.raises(ValidationError) as refused:
        _admitted(**values)
    (problem,) = refused.value.errors()
    return str(problem["type"]), dict(problem.get("ctx") or {})


def test_an_iso_birth_date_is_admitted() -> None:
    """A birth date written YYYY-MM-DD inside its range is read as that date."""
    assert date(1970, 10, 1) == _admitted(birth="1970-10-01").birth


def test_a_date_as_a_number_is_not_iso() -> None:
    """The number 0 (a lax parser's 1970-01-01) is refused, saying a number was given."""
    assert ("date.not_iso", "a number") == (
        _refused(event=0)[0],
        _refused(event=0)[1]["got"],
    )


def test_a_date_without_leading_zeros_is_not_iso() -> None:
    """2019-4-1 is not the signed form: month and day take two digits."""
    assert "date.not_iso" == _refused(event="2019-4-1")[0]


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
    """Name is still at most 200 characters (the check adds to the old constraints)."""
    assert "string_too_long" == _refused(name="ก" * 201)[0]


def test_replays_read_text_as_it_was_stored() -> None:
    """Without the admission context a stored control character still loads."""
    assert "สม\x01ชาย" == Form.model_validate({"name": "สม\x01ชาย"}).name


def test_money_with_an_exponent_is_not_a_plain_decimal() -> None:
    """Money "1e5" is refused at admission."""
    assert "money.not_plain_decimal" == _refused(money="1e5")[0]


def test_money_as_a_json_number_is_not_a_plain_decimal() -> None:
    """Money written as a JSON number is refused with the same rule at admission."""
    assert "money.not_plain_decimal" == _refused(money=1250)[0]


def test_plain_money_is_admitted() -> None:
    """ "1250.50" is read as the decimal 1250.50."""
    assert Decimal("1250.50") == _admitted(money="1250.50").money


def test_an_old_salary_written_as_a_number_still_loads() -> None:
    """The first record models read JSON numbers: a replay still reads them; admission no."""
    assert Decimal(15000) == Form.model_validate({"amount": 15000}).amount
    assert "money.not_plain_decimal" == _refused(amount=15000)[0]


def test_a_refusal_keeps_its_rule_in_the_violation() -> None:
    """model_violations maps a value type's refusal back to its catalogue rule and field."""
    with pytest.raises(ValidationError) as refused:
        _admitted(birth="2518-01-15")

    (violation,) = model_violations(refused.value.errors())

    assert ("date.out_of_range", "data.birth") == (violation.id, violation.field)
    assert "3061 BE" in violation.en


THAI_AND_MORE = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0E01, 0x0E5C)] + list(" \nAz=-\x01\u200b\u202e\u00e9")
    ),
    max_size=12,
)


@given(text=THAI_AND_MORE, multiline=st.booleans())
def test_the_fast_path_agrees_with_the_full_check(text: str, multiline: bool) -> None:
    """text_violation's fast path accepts only what the character-by-character check accepts."""
    fast = text_violation(text, multiline=multiline)
    full = first_violation(text, multiline=multiline)

    assert (fast is None) == (full is None)
    assert fast is None or fast[0] == full[0]
