"""e-Plan money across a project's events (issue 12, item 3): contracts within the approved
budget, payments within the contracts (or the budget without one), completion after a contract
or a payment, carry-over of unspent money only. One behaviour each, on in-memory SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.eplan import PlanProject
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.gate_cases import approved_project
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, first_rule

LAO = NAKHON_PHANOM_LAO
BUDGET = "400000.00"


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="eplan_money"))
    yield app
    app.close()


@pytest.fixture
def approved(kit: LedgerKit) -> tuple[Operator, uuid.UUID]:
    """A project of an approved plan with ``BUDGET`` approved for FY2563, and the LAO's
    finance officer."""
    return approved_project(kit, BUDGET)


@pytest.fixture
def finance(approved: tuple[Operator, uuid.UUID]) -> Operator:
    """The LAO's finance officer, who signs the project's money."""
    return approved[0]


@pytest.fixture
def project(approved: tuple[Operator, uuid.UUID]) -> uuid.UUID:
    """The project's stream."""
    return approved[1]


def pay(amount: str, contract: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"amount": amount, "paid_on": "2020-03-01"}
    if contract is not None:
        data["contract_no"] = contract
    return data


def test_a_contract_beyond_the_budget_is_refused(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """A contract worth three times the approved budget is refused."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "1200000.00"))

    assert ("eplan.contract_over_budget", "data.amount") == first_rule(refused)


def test_a_contract_of_the_whole_budget_is_accepted(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """The contracts may take all of the approved budget."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", BUDGET))

    assert 3 == kit.ledger.head(project)[0]


def test_contracts_together_stay_within_the_budget(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """A second contract counts with the first."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "300000.00"))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "ContractSigned", d.contract("2/2563", "100000.01"))

    assert ("eplan.contract_over_budget", "data.amount") == first_rule(refused)


def test_a_payment_beyond_the_contract_is_refused(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """500,000 against a 400,000 budget and a 390,000 contract is refused."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "390000.00"))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "DisbursementMade", pay("500000.00", "1/2563"))

    assert ("eplan.disbursement_over_contract", "data.amount") == first_rule(refused)


def test_payments_together_stay_within_the_contract(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """Each payment counts with those before it; the whole contract may be paid."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "390000.00"))
    kit.emit(finance, project, "DisbursementMade", pay("200000.00"))
    kit.emit(finance, project, "DisbursementMade", pay("190000.00"))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "DisbursementMade", pay("0.01"))

    assert ("eplan.disbursement_over_contract", "data.amount") == first_rule(refused)


def test_a_payment_without_a_contract_stays_within_the_budget(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """Without a contract, the approved budget bounds the payments."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "DisbursementMade", pay("400000.01"))

    assert ("eplan.disbursement_over_budget", "data.amount") == first_rule(refused)


def test_completion_needs_a_contract_or_a_payment(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """A project nobody contracted nor paid for does not complete."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "ProjectCompleted", {"completed_on": "2020-09-01"})

    assert ("eplan.completed_too_early", "data") == first_rule(refused)


def test_a_project_without_a_contract_completes_after_a_payment(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """Training or a subsidy passed on: the first payment is enough."""
    kit.emit(finance, project, "DisbursementMade", pay("50000.00"))

    kit.emit(finance, project, "ProjectCompleted", {"completed_on": "2020-09-01"})

    assert "completed" == kit.ledger.aggregate(project).status


def test_a_contracted_project_completes(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """A signed contract is enough to complete."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "390000.00"))

    kit.emit(finance, project, "ProjectCompleted", {"completed_on": "2020-09-01"})

    assert "completed" == kit.ledger.aggregate(project).status


def test_only_unspent_money_is_carried_over(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """The budget less the payments may be carried over, no more; the refusal writes the
    amounts as baht with thousands separators."""
    kit.emit(finance, project, "DisbursementMade", pay("150000.00"))
    carried = {"from_year": 2563, "amount": "250000.01"}

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "FundsCarriedOver", carried)
    kit.emit(finance, project, "FundsCarriedOver", {**carried, "amount": "250000.00"})

    assert ("eplan.carry_over_beyond_unspent", "data.amount") == first_rule(refused)
    message = refused.value.violations[0]
    assert "250,000.01" in message.th
    assert "250,000.00" in message.th
    assert "150,000.00 baht disbursed" in message.en
    found = kit.ledger.aggregate(project)
    assert isinstance(found, PlanProject)
    assert ("carried_over", 2564) == (found.status, found.fiscal_year)


def test_a_payment_naming_an_unknown_contract_is_refused_in_thai(
    kit: LedgerKit, finance: Operator, project: uuid.UUID
) -> None:
    """A payment under a contract number the project does not hold is refused by its rule,
    on its field, with a Thai message naming the number."""
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "390000.00"))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(finance, project, "DisbursementMade", pay("1000.00", "ตก 1/2560"))

    assert ("eplan.unknown_contract", "data.contract_no") == first_rule(refused)
    assert "ไม่มีสัญญาเลขที่ ตก 1/2560" in refused.value.violations[0].th
