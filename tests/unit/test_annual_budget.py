"""The annual expenditure budget (AnnualBudgetEnacted) and an approval with no date, through the
ledger on in-memory SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledger.application import Ledger
from ledger.domain.eplan import DevelopmentPlan, plan_stream_id
from ledger.domain.organizations import Organization, organization_stream_id
from ledger.domain.permissions import Role
from ledger.errors import ForbiddenError, InvalidDataError, UnseenStreamError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator

ORG = organization_stream_id(str(NAKHON_PHANOM_LAO.lao))


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="budget"))
    yield app
    app.close()


@pytest.fixture
def finance(kit: LedgerKit) -> Operator:
    """The finance officer of the kit's (registered) LAO."""
    return kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO)


def _organization(kit: LedgerKit) -> Organization:
    found = kit.ledger.aggregate(ORG)
    assert isinstance(found, Organization)
    return found


def test_budget_is_recorded_per_fiscal_year(kit: LedgerKit, finance: Operator) -> None:
    """Each fiscal year keeps its budget."""
    kit.emit(finance, ORG, "AnnualBudgetEnacted", {"fiscal_year": 2562, "amount": "7500000.00"})
    kit.emit(finance, ORG, "AnnualBudgetEnacted", {"fiscal_year": 2563, "amount": "9000000.00"})

    assert {2562: Decimal("7500000.00"), 2563: Decimal("9000000.00")} == _organization(kit).budgets


def test_a_later_enactment_supersedes(kit: LedgerKit, finance: Operator) -> None:
    """An amended ordinance for the same year replaces the amount."""
    kit.emit(finance, ORG, "AnnualBudgetEnacted", {"fiscal_year": 2562, "amount": "7500000.00"})
    kit.emit(
        finance,
        ORG,
        "AnnualBudgetEnacted",
        {"fiscal_year": 2562, "amount": "7800000.00", "ordinance": d.order("2/2562")},
    )

    assert Decimal("7800000.00") == _organization(kit).budgets[2562]


def test_budget_must_be_positive(kit: LedgerKit, finance: Operator) -> None:
    """A zero budget is refused."""
    with pytest.raises(InvalidDataError, match="amount"):
        kit.emit(finance, ORG, "AnnualBudgetEnacted", {"fiscal_year": 2562, "amount": "0.00"})


def test_only_the_lao_finance_staff_sign_it(kit: LedgerKit, finance: Operator) -> None:
    """Another LAO's finance officer is out of scope; an HR officer lacks the role."""
    outsider = kit.operator([Role.EPLAN_FINANCE], TAK_LAO)
    data = {"fiscal_year": 2562, "amount": "7500000.00"}

    with pytest.raises(UnseenStreamError):  # outside its scope: not found, as if not there
        kit.emit(outsider, ORG, "AnnualBudgetEnacted", data)
    with pytest.raises(ForbiddenError):
        kit.emit(kit.hr, ORG, "AnnualBudgetEnacted", data)


def test_a_plan_approval_may_carry_no_date(kit: LedgerKit, finance: Operator) -> None:
    """Tak row 56 reports the plan approved with no date: the approval is recorded dateless."""
    planning = kit.operator([Role.EPLAN_PLANNING], NAKHON_PHANOM_LAO)
    plan = plan_stream_id(str(NAKHON_PHANOM_LAO.lao), 2560, 2562)
    kit.emit(planning, plan, "PlanDrafted", d.plan(NAKHON_PHANOM_LAO, 2560, 2562))

    kit.emit(planning, plan, "PlanApproved", {"approver": "นายก"})

    found = kit.ledger.aggregate(plan)
    assert isinstance(found, DevelopmentPlan)
    assert [(0, None)] == found.approvals
