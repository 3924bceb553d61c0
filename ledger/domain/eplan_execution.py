"""How a plan project executes (DOMAIN.md section 4): the statuses each of its events may follow
(``ProjectEvent``), and the money rules that read its earlier events.

The money rules bound each stage by the one before it:

* the contracts together are at most the approved budget (the year's ordinance, or a transfer
  recorded as the budget's source: every ``BudgetApproved`` of the project counts);
* the disbursements together are at most the contracts where a contract was signed, else at
  most the approved budget (not every project has a contract: training, subsidies passed on);
* a project completes after a contract was signed or, where none was, after its first
  disbursement: a project nobody contracted nor paid for has not been carried out;
* only what is not yet paid (the budget less the disbursements) is carried over (กันเงิน).

Budget beyond the plan's figure stays allowed (the reports show it). The rules run when a
statement is admitted; a replay of stored events never re-checks them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, TypeVar

from ledger.domain.base import CheckContext, LedgerEvent, broken
from ledger.domain.eplan_data import ProjectStatus
from ledger.domain.eplan_rules import PROJECT_STATUS
from ledger.domain.signed import SignedAggregate
from ledger.violations import rule

if TYPE_CHECKING:
    from ledger.domain.eplan import PlanProject

D = TypeVar("D")

CONTRACT_OVER_BUDGET = rule(
    "eplan.contract_over_budget",
    "สัญญารวม {total} บาท เกินงบประมาณที่อนุมัติ {budget} บาท",
    "the contracts would total {total} baht, more than the approved budget of {budget} baht",
    money=("total", "budget"),
)
UNKNOWN_CONTRACT = rule(
    "eplan.unknown_contract",
    "โครงการนี้ไม่มีสัญญาเลขที่ {contract_no}",
    "the project has no contract numbered {contract_no}",
)
DISBURSEMENT_OVER_CONTRACT = rule(
    "eplan.disbursement_over_contract",
    "การเบิกจ่ายรวม {total} บาท เกินวงเงินตามสัญญา {limit} บาท",
    "the disbursements would total {total} baht, more than the contracted {limit} baht",
    money=("total", "limit"),
)
DISBURSEMENT_OVER_BUDGET = rule(
    "eplan.disbursement_over_budget",
    "การเบิกจ่ายรวม {total} บาท เกินงบประมาณที่อนุมัติ {limit} บาท (โครงการไม่มีสัญญา)",
    "the disbursements would total {total} baht, more than the approved budget of {limit} baht "
    "(no contract was signed)",
    money=("total", "limit"),
)
COMPLETED_TOO_EARLY = rule(
    "eplan.completed_too_early",
    "โครงการจะแล้วเสร็จได้เมื่อลงนามในสัญญาแล้ว หรือเมื่อเบิกจ่ายแล้วหากโครงการไม่มีสัญญา",
    "a project completes after a contract is signed or, without a contract, after its first "
    "disbursement",
)
CARRY_OVER_BEYOND_UNSPENT = rule(
    "eplan.carry_over_beyond_unspent",
    "กันเงินไว้เบิกเหลื่อมปี {amount} บาท เกินเงินที่ยังไม่ได้เบิกจ่าย {unspent} บาท "
    "(งบประมาณ {budget} บาท เบิกจ่ายแล้ว {disbursed} บาท)",
    "a carry-over of {amount} baht is more than the unspent {unspent} baht (budget {budget} "
    "baht, {disbursed} baht disbursed)",
    money=("amount", "unspent", "budget", "disbursed"),
)


class ProjectEvent(LedgerEvent["PlanProject", D]):
    """An event of a plan project, allowed only from the statuses it names."""

    allowed_from: ClassVar[frozenset[ProjectStatus]]

    @classmethod
    def check_with(cls, project: PlanProject, data: D, context: CheckContext) -> None:
        if project.status not in cls.allowed_from:
            status = project.status
            raise broken(cls, PROJECT_STATUS, "stream", event=cls.__name__, status=status)


def approved_budget(project: PlanProject) -> Decimal:
    """What was approved for the project, all its budget approvals together."""
    return sum((amount for _, amount, _ in project.budget), Decimal("0.00"))


def contracted(project: PlanProject) -> Decimal:
    """What the project's contracts are worth together."""
    return sum(project.contracts.values(), Decimal("0.00"))


def check_contract(
    event_class: type[SignedAggregate.Event], project: PlanProject, amount: Decimal
) -> None:
    """Raise the broken rule when a new contract of ``amount`` takes the contracts beyond the
    approved budget."""
    total, budget = contracted(project) + amount, approved_budget(project)
    if total > budget:
        raise broken(
            event_class, CONTRACT_OVER_BUDGET, "data.amount", total=str(total), budget=str(budget)
        )


def check_disbursement(
    event_class: type[SignedAggregate.Event],
    project: PlanProject,
    amount: Decimal,
    contract_no: str | None = None,
) -> None:
    """Raise the broken rule when a payment names a contract the project does not hold, or
    of ``amount`` takes the disbursements beyond the contracts (or, without a contract, the
    approved budget)."""
    if contract_no is not None and contract_no not in project.contracts:
        raise broken(event_class, UNKNOWN_CONTRACT, "data.contract_no", contract_no=contract_no)
    total = project.disbursed + amount
    if project.contracts:
        limit, broken_rule = contracted(project), DISBURSEMENT_OVER_CONTRACT
    else:
        limit, broken_rule = approved_budget(project), DISBURSEMENT_OVER_BUDGET
    if total > limit:
        raise broken(event_class, broken_rule, "data.amount", total=str(total), limit=str(limit))


def check_completion(event_class: type[SignedAggregate.Event], project: PlanProject) -> None:
    """Raise the broken rule when the project has neither a contract nor a disbursement."""
    if not project.contracts and project.disbursed == 0:
        raise broken(event_class, COMPLETED_TOO_EARLY, "data")


def check_carry_over(
    event_class: type[SignedAggregate.Event], project: PlanProject, amount: Decimal
) -> None:
    """Raise the broken rule when ``amount`` is more than the project's unspent money."""
    budget = approved_budget(project)
    unspent = budget - project.disbursed
    if amount > unspent:
        raise broken(
            event_class,
            CARRY_OVER_BEYOND_UNSPENT,
            "data.amount",
            amount=str(amount),
            unspent=str(unspent),
            budget=str(budget),
            disbursed=str(project.disbursed),
        )
