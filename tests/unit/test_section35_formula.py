"""The Section 35 formula: versioned, 12 months of salary and allowance over the budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.views.registry_rows import RegistryEntry
from projections.views.section35 import FORMULA, FORMULAS, LIMIT, Section35Row, annual_cost


def _person(salary: str | None, allowance: str | None) -> RegistryEntry:
    return RegistryEntry(
        stream="s",
        cid="1",
        category="official",
        birth_date=date(1980, 1, 1),
        lao="6480101",
        province="นครพนม",
        status="active",
        prefix=None,
        first_name=None,
        last_name=None,
        position_no=None,
        position_title=None,
        line=None,
        level=None,
        salary=None if salary is None else Decimal(salary),
        allowance=None if allowance is None else Decimal(allowance),
    )


def _row(cost: str, budget: str | None) -> Section35Row:
    return Section35Row(
        lao="6480101",
        province="นครพนม",
        fiscal_year=2563,
        staff=3,
        personnel_cost=Decimal(cost),
        budget=None if budget is None else Decimal(budget),
        formula=FORMULA,
    )


def test_annual_cost_is_twelve_months_of_salary_and_allowance() -> None:
    """s35-v1 counts 12 x (salary + position allowance); a missing amount counts 0."""
    assert Decimal("258000.00") == annual_cost(_person("20000.00", "1500.00"))
    assert Decimal("240000.00") == annual_cost(_person("20000.00", None))
    assert Decimal("0") == annual_cost(_person(None, None))


def test_ratio_is_rounded_to_four_places() -> None:
    """Personnel cost over the budget, half up to 0.0001."""
    assert Decimal("0.3333") == _row("1000000.00", "3000000.00").ratio


def test_exactly_forty_percent_is_not_over_the_limit() -> None:
    """The Act says "not exceed 40%": 40% passes, anything above is flagged."""
    assert not _row("400000.00", "1000000.00").over_limit
    assert _row("400100.00", "1000000.00").over_limit
    assert Decimal("0.40") == LIMIT


def test_no_budget_no_ratio() -> None:
    """Without an enacted budget the ratio is unknown, never flagged."""
    row = _row("400000.00", None)

    assert (None, False) == (row.ratio, row.over_limit)


def test_every_row_names_a_described_formula() -> None:
    """The formula id is stored with each row and described in the registry of formulas."""
    row = _row("1.00", "2.00")

    assert "s35-v1" == row.formula == row.as_json()["formula"]
    assert row.formula in FORMULAS
