"""Citizen-ID checksum and operator scopes."""

from __future__ import annotations

import pytest

from ledger.domain.permissions import NATIONAL, Scope
from ledger.domain.rules import cid_check_digit, is_valid_cid

LAO_A = Scope(level="lao", province="ตาก", lao="6630101")
LAO_B = Scope(level="lao", province="ตาก", lao="6630102")
TAK = Scope(level="province", province="ตาก")
NAKHON_PHANOM = Scope(level="province", province="นครพนม")


@pytest.mark.parametrize(
    ("cid", "valid"),
    [
        ("3100602735681", True),  # DOMAIN.md's worked example
        ("3100602735682", False),
        ("310060273568", False),
        ("31006027356811", False),
        ("310060273568a", False),
        ("๓๑๐๐๖๐๒๗๓๕๖๘๑", False),  # Thai digits are normalised before, never accepted here
        ("", False),
    ],
)
def test_citizen_id_checksum(cid: str, valid: bool) -> None:
    """The 13th digit must equal (11 - sum(d_i * (14 - i)) mod 11) mod 10."""
    assert valid == is_valid_cid(cid)


def test_check_digit_completes_an_id() -> None:
    """The computed check digit makes any 12 digits a valid ID."""
    assert is_valid_cid("110170020345" + str(cid_check_digit("110170020345")))


@pytest.mark.parametrize(
    ("outer", "inner", "covers"),
    [
        (NATIONAL, LAO_A, True),
        (NATIONAL, TAK, True),
        (TAK, LAO_A, True),
        (TAK, NAKHON_PHANOM, False),
        (TAK, NATIONAL, False),
        (LAO_A, LAO_A, True),
        (LAO_A, LAO_B, False),
        (LAO_A, TAK, False),
    ],
)
def test_scope_coverage(outer: Scope, inner: Scope, covers: bool) -> None:
    """A scope covers what lies inside it and nothing else."""
    assert covers == outer.covers(inner)


@pytest.mark.parametrize(
    "fields",
    [
        {"level": "national", "province": "ตาก"},
        {"level": "province"},
        {"level": "lao", "province": "ตาก"},
        {"level": "lao", "province": "ตาก", "lao": "66301"},
    ],
)
def test_inconsistent_scopes_are_refused(fields: dict[str, str]) -> None:
    """A scope whose fields do not match its level is invalid."""
    with pytest.raises(ValueError, match=r"scope|lao"):
        Scope.model_validate(fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-01", "2019-04-01"),
        ("01/04/2562", "2019-04-01"),
        ("๐๑/๐๔/๒๕๖๒", "2019-04-01"),
        ("29/02/2563", "2020-02-29"),
    ],
)
def test_dates_in_either_era(text: str, expected: str) -> None:
    """Dates are accepted as ISO in CE or DD/MM/YYYY in Buddhist era, with Arabic or Thai
    digits."""
    from ledger.domain.rules import parse_date

    assert expected == parse_date(text).isoformat()


@pytest.mark.parametrize(
    "text",
    ["70/06/2562", "2019-02-30", "yesterday", "29/02/2562", "2562-04-01", "01/04/2062"],
)
def test_impossible_dates_are_named(text: str) -> None:
    """An impossible date (such as the OCR'd ๗๐ มิถุนายน), or a year of the era its form does
    not use (ISO is CE, DD/MM/YYYY is BE), raises an error quoting it."""
    from ledger.domain.rules import parse_date

    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_buddhist_era_display() -> None:
    """Dates are shown as DD/MM/BBBB in Buddhist era."""
    from datetime import date

    from ledger.domain.rules import format_buddhist_date

    assert "01/04/2562" == format_buddhist_date(date(2019, 4, 1))
