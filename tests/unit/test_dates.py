"""Dates as people type them (ledger.domain.dates): Buddhist era, Thai digits, month names."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.dates import (
    DATE_RANGES,
    DateInputError,
    DateKind,
    implausible_year,
    parse_human_date,
)
from ledger.domain.rules import format_buddhist_date, to_thai_digits

# After the 1941 new-year reform a BE date converts by adding 543 to the year alone.
modern_days = st.dates(min_value=date(1941, 1, 1), max_value=date(2150, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-01", date(2019, 4, 1)),
        ("01/04/2562", date(2019, 4, 1)),
        ("1/4/2562", date(2019, 4, 1)),
        ("01-04-2562", date(2019, 4, 1)),
        ("01.04.2562", date(2019, 4, 1)),
        ("๐๑/๐๔/๒๕๖๒", date(2019, 4, 1)),
        ("1 เมษายน 2562", date(2019, 4, 1)),
        ("1 เม.ย. 2562", date(2019, 4, 1)),
        ("1 เมย 2562", date(2019, 4, 1)),
        ("วันที่ ๑ เมษายน พ.ศ. ๒๕๖๒", date(2019, 4, 1)),
        ("1 เม.ย. ค.ศ. 2019", date(2019, 4, 1)),
        ("1 April 2019", date(2019, 4, 1)),
        ("  31 ธ.ค. 2563 ", date(2020, 12, 31)),
    ],
)
def test_reads_the_ways_thai_users_write_a_date(text: str, expected: date) -> None:
    """ISO (CE), day/month/year (BE), Thai digits and Thai or English month names all read."""
    assert expected == parse_human_date(text)


@pytest.mark.parametrize("text", ["1/4/62", "01/04/62", "62-04-01", "1 เม.ย. 62", "1 April 19"])
def test_refuses_two_digit_years(text: str) -> None:
    """A two-digit year is refused with its own rule: 62 could be 2562, 1962 or 0062."""
    with pytest.raises(DateInputError) as refused:
        parse_human_date(text)

    assert "date.two_digit_year" == refused.value.rule_id


@pytest.mark.parametrize("text", ["0062-04-01", "3000-01-01", "1/4/2300", "31/02/2562", "hello"])
def test_refuses_what_is_no_date_in_either_era(text: str) -> None:
    """Years that are neither CE nor BE, impossible days and words are refused, never guessed."""
    with pytest.raises(DateInputError):
        parse_human_date(text)


@pytest.mark.parametrize(
    ("text", "rule_id", "suggestion"),
    [
        ("01/04/2062", "date.be_form_ce_year", "01/04/2605"),
        ("01/04/2019", "date.be_form_ce_year", "01/04/2562"),
        ("๐๑/๐๔/๒๐๑๙", "date.be_form_ce_year", "01/04/2562"),
        ("15/01/1940", "date.be_form_ce_year", "15/01/2482"),  # before 2484 BE began 1 April
        ("1 เมษายน 2019", "date.be_form_ce_year", "01/04/2562"),
        ("2562-04-01", "date.iso_form_be_year", "2019-04-01"),
        ("2482-01-15", "date.iso_form_be_year", "1940-01-15"),
        ("1 April 2562", "date.iso_form_be_year", "2019-04-01"),
    ],
)
def test_the_form_says_the_era_never_the_number(text: str, rule_id: str, suggestion: str) -> None:
    """Day/month/year is always BE and ISO always CE: a year of the other era is refused, its
    messages giving the date as the form would write it, never read silently in that era."""
    with pytest.raises(DateInputError) as refused:
        parse_human_date(text)

    assert rule_id == refused.value.rule_id
    assert suggestion in refused.value.th
    assert suggestion in refused.value.en


def test_a_written_era_decides_over_the_month_names() -> None:
    """An era written beside a month name decides: ค.ศ. with a Thai month, BE with English."""
    assert (date(2019, 4, 1), date(2019, 4, 1)) == (
        parse_human_date("1 เม.ย. ค.ศ. 2019"),
        parse_human_date("1 April BE 2562"),
    )


def test_refusals_speak_thai_and_english() -> None:
    """A refusal carries a Thai and an English message naming what was typed."""
    with pytest.raises(DateInputError) as refused:
        parse_human_date("1/4/62")

    assert "1/4/62" in refused.value.th
    assert "four digits" in refused.value.en


@given(modern_days)
def test_buddhist_era_round_trip(day: date) -> None:
    """Any date written in BE as Thai forms show it reads back as the same date."""
    assert day == parse_human_date(format_buddhist_date(day))


@given(modern_days)
def test_thai_digits_round_trip(day: date) -> None:
    """The same in Thai digits."""
    assert day == parse_human_date(to_thai_digits(format_buddhist_date(day)))


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_round_trip(day: date) -> None:
    """Any ISO date with a common-era year reads back as itself."""
    assert day == parse_human_date(day.isoformat())


@given(st.integers(min_value=0, max_value=99), modern_days)
def test_every_two_digit_year_is_refused(year: int, day: date) -> None:
    """No two-digit year is ever read as a date, whatever the day and month."""
    with pytest.raises(DateInputError) as refused:
        parse_human_date(f"{day.day}/{day.month}/{year:02d}")

    assert "date.two_digit_year" == refused.value.rule_id


def test_a_buddhist_year_written_as_iso_in_signed_data_is_out_of_range() -> None:
    """2518-01-15 as a birth date lies outside the range, and the details show both readings."""
    details = implausible_year(DateKind.BIRTH, date(2518, 1, 15))

    assert details is not None
    assert ("2518", "3061") == (details["year"], details["year_be"])


def test_plausible_dates_pass_their_range() -> None:
    """A date inside its kind's range has no violation."""
    assert all(
        implausible_year(kind, date(bounds.low, 1, 1)) is None
        for kind, bounds in DATE_RANGES.items()
    )
