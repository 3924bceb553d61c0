"""``ledger submit``'s drafts made ready to sign (ledger.drafting.prepare): NFC text, ISO dates."""

from __future__ import annotations

import unicodedata

import pytest

from ledger.drafting.prepare import DraftError, prepare_data


def test_a_buddhist_era_date_becomes_iso() -> None:
    """01/04/2562 in a date field is signed as 2019-04-01."""
    assert {"birth_date": "2019-04-01"} == prepare_data(
        "RecordOpened", {"birth_date": "01/04/2562"}
    )


def test_thai_digits_and_month_names_become_iso() -> None:
    """Thai digits and a Thai month name are read as the same date."""
    data = {"received": "๕ ธ.ค. ๒๕๖๑", "returned": "1 เมษายน 2562"}

    assert {"received": "2018-12-05", "returned": "2019-04-01"} == prepare_data(
        "DecorationRecorded", data
    )


def test_a_nested_date_becomes_iso() -> None:
    """The date of a legal reference inside the data is converted too."""
    data = {"order": {"number": "1/2562", "date": "25/03/2562", "issuer": "นายก อบต."}}

    assert "2019-03-25" == prepare_data("PenaltyImposed", data)["order"]["date"]


def test_a_two_digit_year_is_refused_with_its_rule() -> None:
    """1/4/62 could be 2562, 1962 or 0062: refused, naming the field and the rule."""
    with pytest.raises(DraftError) as refused:
        prepare_data("RecordOpened", {"birth_date": "1/4/62"})

    assert ("data.birth_date", "date.two_digit_year") == (
        refused.value.field,
        refused.value.rule_id,
    )


@pytest.mark.parametrize(
    ("written", "rule_id"),
    [("01/04/2062", "date.be_form_ce_year"), ("2562-04-01", "date.iso_form_be_year")],
)
def test_a_year_of_the_other_era_is_refused_not_guessed(written: str, rule_id: str) -> None:
    """Day/month/year is BE and ISO is CE: 01/04/2062 was once signed as 2062 CE and
    2562-04-01 as 2019; both are refused before signing, naming the field and the rule."""
    with pytest.raises(DraftError) as refused:
        prepare_data("PersonalDataRecorded", {"appointed_on": written})

    assert ("data.appointed_on", rule_id) == (refused.value.field, refused.value.rule_id)


def test_a_date_as_a_number_is_refused() -> None:
    """A date field written as a JSON number is refused before signing."""
    with pytest.raises(DraftError) as refused:
        prepare_data("RetirementScheduled", {"fiscal_year": 2563, "last_day": 0})

    assert "date.not_iso" == refused.value.rule_id


def test_text_is_normalised_to_nfc() -> None:
    """A name typed in decomposed form is signed in NFC."""
    decomposed = unicodedata.normalize("NFD", "Café")

    assert {"first_name": "Café"} == prepare_data("NameChanged", {"first_name": decomposed})


def test_fields_that_are_not_dates_stay_as_written() -> None:
    """A code or a year that looks like a date is not converted."""
    data = {"number": "01/04/2562", "fiscal_year": 2562}

    assert data == prepare_data("AnnualBudgetEnacted", data)


def test_an_unknown_type_is_only_normalised() -> None:
    """The ledger refuses an unknown type; the draft's text is still made NFC."""
    assert {"x": "é"} == prepare_data("NoSuchEvent", {"x": "e\u0301"})


def test_one_line_text_is_tidied_free_text_is_not() -> None:
    """A first name typed "  ทดสอบ  ชื่อ " and an issuer with a double space are signed with
    single spaces and none around them; a free-text reason keeps its spacing."""
    named = {"prefix": "นาย", "first_name": "  ทดสอบ  ชื่อ ", "last_name": "ใจดี", "reason": "สมรส  "}
    order = {"number": "1/2562", "date": "25/03/2562", "issuer": "นายก  อบต. "}

    prepared = prepare_data("NameChanged", named)

    assert "ทดสอบ ชื่อ" == prepared["first_name"]
    assert "สมรส  " == prepared["reason"]
    assert "นายก อบต." == prepare_data("PenaltyImposed", {"order": order})["order"]["issuer"]
