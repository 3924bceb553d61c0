"""Table tests for the Thai rules of DOMAIN.md section 3 (``ledger.domain.rules``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.domain.rules import (
    SalaryRound,
    buddhist_year_of,
    fiscal_year,
    fiscal_year_bounds,
    format_buddhist_date,
    from_buddhist_date,
    from_buddhist_year,
    is_buddhist_year,
    is_valid_cid,
    next_salary_round,
    parse_date,
    retirement_date,
    retirement_fiscal_year,
    salary_round_date,
    salary_round_of,
    separation_date,
    sixty_full_years,
    to_ascii_digits,
    to_buddhist_year,
    to_thai_digits,
)
from tests.people import made_up_cid


@pytest.mark.parametrize(
    ("birth", "full", "last_day"),
    [
        # DOMAIN.md's confirmed pair: born 1 Oct 2492 retires in FY2552, born 2 Oct in FY2553.
        (date(1949, 10, 1), date(2009, 9, 30), date(2009, 9, 30)),
        (date(1949, 10, 2), date(2009, 10, 1), date(2010, 9, 30)),
        (date(1960, 1, 1), date(2019, 12, 31), date(2020, 9, 30)),
        (date(1960, 1, 2), date(2020, 1, 1), date(2020, 9, 30)),
        (date(1960, 9, 30), date(2020, 9, 29), date(2020, 9, 30)),
        (date(1960, 12, 31), date(2020, 12, 30), date(2021, 9, 30)),
        # 29 February: the 60th birthday of a leap-day child falls in a leap year...
        (date(1960, 2, 29), date(2020, 2, 28), date(2020, 9, 30)),
        (date(1964, 2, 29), date(2024, 2, 28), date(2024, 9, 30)),
        # ...except across a century that is not a leap year (2100): birthday 1 March.
        (date(2040, 2, 29), date(2100, 2, 28), date(2100, 9, 30)),
    ],
)
def test_retirement_date(birth: date, full: date, last_day: date) -> None:
    """60 full years fall the day before the 60th birthday; service ends 30 Sep of that FY."""
    assert (full, last_day) == (sixty_full_years(birth), retirement_date(birth))


@pytest.mark.parametrize(
    ("birth", "fiscal", "effective"),
    [
        (date(1949, 10, 1), 2552, date(2009, 10, 1)),
        (date(1949, 10, 2), 2553, date(2010, 10, 1)),
        (date(1961, 5, 10), 2564, date(2021, 10, 1)),
    ],
)
def test_retirement_fiscal_year_and_separation(birth: date, fiscal: int, effective: date) -> None:
    """Retirement belongs to the fiscal year of the last day and takes effect on 1 October."""
    assert (fiscal, effective) == (retirement_fiscal_year(birth), separation_date(birth))


def test_retirement_rule_of_thumb() -> None:
    """Born 1 Jan - 1 Oct: retire in birth year + 60; born 2 Oct - 31 Dec: in birth year + 61."""
    year = 1965
    expected = {
        day: date(year + (61 if (day.month, day.day) > (10, 1) else 60), 9, 30)
        for day in (date(year, m, d) for m in range(1, 13) for d in (1, 2, 15, 28))
    }

    actual = {day: retirement_date(day) for day in expected}

    assert expected == actual


@pytest.mark.parametrize(
    ("day", "fiscal"),
    [
        (date(2019, 10, 1), 2563),  # FY2563 = 1 Oct 2562 - 30 Sep 2563
        (date(2020, 9, 30), 2563),
        (date(2019, 9, 30), 2562),
        (date(2016, 10, 3), 2560),  # the Tak table "ปี 2560", data as of 03/10/2559
        (date(2020, 1, 1), 2563),
    ],
)
def test_fiscal_year(day: date, fiscal: int) -> None:
    """A fiscal year runs 1 October - 30 September and is named by the BE year it ends in."""
    assert fiscal == fiscal_year(day)


def test_fiscal_year_bounds() -> None:
    """FY2563's first and last days."""
    assert (date(2019, 10, 1), date(2020, 9, 30)) == fiscal_year_bounds(2563)


@given(st.dates(min_value=date(1941, 1, 1), max_value=date(2200, 12, 31)))
def test_fiscal_year_contains_its_days(day: date) -> None:
    """Every day lies within the bounds of its own fiscal year."""
    first, last = fiscal_year_bounds(fiscal_year(day))

    assert first <= day <= last


@pytest.mark.parametrize(("be", "ce"), [(2562, 2019), (2484, 1941), (2543, 2000), (2600, 2057)])
def test_buddhist_year_both_ways(be: int, ce: int) -> None:
    """พ.ศ. = ค.ศ. + 543, and back."""
    assert (be, ce) == (to_buddhist_year(ce), from_buddhist_year(be))


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2019, 4, 1), "01/04/2562"),
        (date(2020, 2, 29), "29/02/2563"),
        (date(1941, 1, 1), "01/01/2484"),  # the first BE year to begin on 1 January
        (date(1940, 12, 31), "31/12/2483"),
        (date(1940, 4, 1), "01/04/2483"),
        (date(1940, 3, 31), "31/03/2482"),  # before 2484 the BE year began on 1 April
        (date(1937, 1, 15), "15/01/2479"),
    ],
)
def test_buddhist_dates_both_ways(day: date, text: str) -> None:
    """Dates show in BE as their time wrote them, and read back to the same day."""
    assert (text, day) == (format_buddhist_date(day), parse_date(text))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2156, 12, 31)))
def test_gregorian_to_buddhist_round_trip(day: date) -> None:
    """Any date written in BE (Arabic or Thai digits) reads back as the same date."""
    text = format_buddhist_date(day)

    assert day == parse_date(text) == parse_date(to_thai_digits(text))


@given(
    st.integers(min_value=2443, max_value=2700),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=28),
)
def test_buddhist_to_gregorian_round_trip(be: int, month: int, day: int) -> None:
    """Any BE date converts to CE and back, but the Jan-Mar of 2483 that never existed."""
    assume(not (be == 2483 and month <= 3))  # BE 2483 ran from 1 April to 31 December 1940
    converted = from_buddhist_date(be, month, day)

    assert be == buddhist_year_of(converted)
    assert (month, day) == (converted.month, converted.day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("๒๕๖๒", "2562"), ("คำสั่งที่ ๑๒๓/๒๕๖๒", "คำสั่งที่ 123/2562"), ("abc", "abc")],
)
def test_thai_digits(text: str, expected: str) -> None:
    """Thai digits become ASCII digits and back, leaving other text alone."""
    assert expected == to_ascii_digits(text)
    assert to_ascii_digits(to_thai_digits(expected)) == expected
    assert text == to_thai_digits(expected)


@pytest.mark.parametrize(
    ("year", "is_be"), [(2562, True), (2400, True), (2019, False), (2601, False)]
)
def test_buddhist_year_flag(year: int, is_be: bool) -> None:
    """Years 2400-2600 can only be Buddhist era in these records."""
    assert is_be == is_buddhist_year(year)


@pytest.mark.parametrize(
    ("fiscal", "salary_round", "day"),
    [
        (2562, SalaryRound.APRIL, date(2019, 4, 1)),
        (2562, SalaryRound.OCTOBER, date(2019, 10, 1)),
        (2563, SalaryRound.APRIL, date(2020, 4, 1)),
    ],
)
def test_salary_rounds(fiscal: int, salary_round: SalaryRound, day: date) -> None:
    """Two rounds a fiscal year: 1 April and 1 October (the day after the year's end)."""
    assert day == salary_round_date(fiscal, salary_round)
    assert (fiscal, salary_round) == salary_round_of(day)


@pytest.mark.parametrize("day", [date(2019, 4, 2), date(2019, 3, 31), date(2019, 1, 1)])
def test_other_days_are_no_salary_round(day: date) -> None:
    """A salary-round promotion takes effect on no other day."""
    assert salary_round_of(day) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 1, 10), (2562, SalaryRound.APRIL)),
        (date(2019, 4, 1), (2562, SalaryRound.APRIL)),
        (date(2019, 4, 2), (2562, SalaryRound.OCTOBER)),
        (date(2019, 10, 2), (2563, SalaryRound.APRIL)),
    ],
)
def test_next_salary_round(day: date, expected: tuple[int, SalaryRound]) -> None:
    """The next round on or after a day."""
    assert expected == next_salary_round(day)


@given(st.integers(min_value=0, max_value=10**6))
def test_made_up_citizen_ids_pass_the_checksum(seed: int) -> None:
    """The tests' made-up citizen IDs are valid by the checksum (and belong to nobody)."""
    assert is_valid_cid(made_up_cid(seed))
