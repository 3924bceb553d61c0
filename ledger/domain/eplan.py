"""e-Plan: development plans, plan projects and their execution, subsidies (DOMAIN.md section 4).

* ``DevelopmentPlan`` (แผนพัฒนาท้องถิ่น): one stream per LAO and period; the period's length is
  data (the seeds' 3-year plan, today's 5-year plans). ``Draft -> Approved``; an amendment
  (``PlanAmended``, เพิ่มเติม/เปลี่ยนแปลง ฉบับที่ n) reopens it until approved again.
* ``PlanProject``: one stream per project (a random uuid), added to a plan while it is being
  drafted or amended, then executed: ``Planned -> BudgetApproved -> ContractSigned ->
  Disbursing -> Completed`` with side exits ``Deferred``, ``Cancelled``, ``CarriedOver``
  (กันเงิน); a project without a contract may disburse straight after budget approval.
  Engineering staff set its location (a point or a line) at any stage. Each event names the
  statuses it may follow (``allowed_from``) and sets the one it leads to.
* ``Subsidy``: one stream per LAO, fiscal year, kind (general / specific) and item.

The statuses, stream ids and data models are in ``ledger.domain.eplan_data``; which status
each project event follows, and the money rules (contracts within the budget, payments within
the contracts, completion after a contract or a payment, carry-over of unspent money only), in
``ledger.domain.eplan_execution``. Money is a decimal string; a planned year left blank (null)
is "not reported", not zero. Budget beyond the plan's figure is allowed: the reports show it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from ledger.domain.base import (
    CheckContext,
    LaoHeldAggregate,
    LaoOpening,
    LedgerEvent,
    broken,
    check_derived_stream,
    forbidden,
)
from ledger.domain.eplan_data import (
    EXECUTING,
    PLANNABLE,
    PROJECT_TERMINAL,
    BudgetApprovedData,
    ContractSignedData,
    DisbursementMadeData,
    FundingSource,
    FundsCarriedOverData,
    LineString,
    PlanAmendedData,
    PlanApprovedData,
    PlanDraftedData,
    PlanProjectAddedData,
    PlanProjectChangedData,
    PlanStatus,
    Point,
    ProgressReportedData,
    ProjectCompletedData,
    ProjectDeferredData,
    ProjectGeoLocatedData,
    ProjectStatus,
    ReasonData,
    StrategyAddedData,
    SubsidyAllocatedData,
    SubsidyDisbursedData,
    SubsidyKind,
    SubsidyOutcomeReportedData,
    SubsidySector,
    SubsidyStatus,
    VisionRecordedData,
    plan_stream_id,
    subsidy_stream_id,
)
from ledger.domain.eplan_execution import (
    ProjectEvent,
    check_carry_over,
    check_completion,
    check_contract,
    check_disbursement,
)
from ledger.domain.eplan_rules import (
    AMEND_UNAPPROVED,
    AMENDMENT_NO,
    AMENDMENT_OPEN,
    BUDGET_YEAR,
    CARRY_OVER_YEAR,
    CONTRACT_RECORDED,
    DEFER_YEAR,
    NOT_PLAN_OF_LAO,
    PLAN_MISSING,
    PLAN_NOT_APPROVED,
    STRATEGY_EXISTS,
    SUBSIDY_CLOSED,
    check_editable,
    check_terms,
)
from ledger.domain.organizations import RegisteredLaoOpening
from ledger.domain.permissions import (
    ENGINEERING,
    FINANCE,
    PLAN_APPROVERS,
    PLANNING,
    PROGRESS_REPORTERS,
    SUBSIDY_PAYERS,
    SUBSIDY_REPORTERS,
    Role,
)

__all__ = [
    "DevelopmentPlan",
    "PlanProject",
    "PlanStatus",
    "ProjectStatus",
    "Subsidy",
    "SubsidyStatus",
    "plan_stream_id",
    "subsidy_stream_id",
]

D = TypeVar("D")
P = ProjectStatus


# Development plan.


class PlanDraftingEvent(LedgerEvent["DevelopmentPlan", D]):
    """An event of a plan being drafted or amended: an approved plan is amended first."""

    @classmethod
    def check_with(cls, plan: DevelopmentPlan, data: D, context: CheckContext) -> None:
        check_editable(cls, plan)


class DevelopmentPlan(LaoHeldAggregate):
    """แผนพัฒนาท้องถิ่น of one LAO and period."""

    def __init__(self) -> None:
        self.lao = ""
        self.province = ""
        self.first_year = 0
        self.last_year = 0
        self.status = PlanStatus.DRAFT
        self.vision: str | None = None
        self.strategies: dict[str, str] = {}
        self.amendment = 0  # the version being drafted or last approved: 0 is the original
        self.approved_amendment: int | None = None  # the latest approved version
        self.approvals: list[tuple[int, date | None]] = []  # (amendment, approved_on)

    class PlanDrafted(RegisteredLaoOpening["DevelopmentPlan", PlanDraftedData]):
        roles = PLANNING

        @classmethod
        def check_opening_with(cls, data: PlanDraftedData, context: CheckContext) -> None:
            expected = plan_stream_id(data.lao, data.first_year, data.last_year)
            check_derived_stream(cls, context, expected, "lao, first_year, last_year")
            super().check_opening_with(data, context)

        def evolve(self, plan: DevelopmentPlan, data: PlanDraftedData) -> None:
            plan.lao = data.lao
            plan.province = data.province
            plan.first_year = data.first_year
            plan.last_year = data.last_year

    class VisionRecorded(PlanDraftingEvent[VisionRecordedData]):
        roles = PLANNING

        def evolve(self, plan: DevelopmentPlan, data: VisionRecordedData) -> None:
            plan.vision = data.vision

    class StrategyAdded(PlanDraftingEvent[StrategyAddedData]):
        roles = PLANNING

        @classmethod
        def check_with(
            cls, plan: DevelopmentPlan, data: StrategyAddedData, context: CheckContext
        ) -> None:
            super().check_with(plan, data, context)
            if data.strategy in plan.strategies:
                raise broken(cls, STRATEGY_EXISTS, "data.strategy", strategy=data.strategy)

        def evolve(self, plan: DevelopmentPlan, data: StrategyAddedData) -> None:
            plan.strategies[data.strategy] = data.title

    class PlanApproved(PlanDraftingEvent[PlanApprovedData]):
        roles = PLAN_APPROVERS

        def evolve(self, plan: DevelopmentPlan, data: PlanApprovedData) -> None:
            plan.status = PlanStatus.APPROVED
            plan.approved_amendment = plan.amendment
            plan.approvals.append((plan.amendment, data.approved_on))

    class PlanAmended(LedgerEvent["DevelopmentPlan", PlanAmendedData]):
        roles = PLANNING

        @classmethod
        def check_with(
            cls, plan: DevelopmentPlan, data: PlanAmendedData, context: CheckContext
        ) -> None:
            if plan.status is not PlanStatus.APPROVED:
                raise broken(cls, AMEND_UNAPPROVED, "stream", status=plan.status)
            if data.amendment_no != plan.amendment + 1:
                raise broken(cls, AMENDMENT_NO, "data.amendment_no", next=str(plan.amendment + 1))

        def evolve(self, plan: DevelopmentPlan, data: PlanAmendedData) -> None:
            plan.status = PlanStatus.AMENDING
            plan.amendment = data.amendment_no

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


# Plan project.


class PlanBoundEvent(ProjectEvent[D]):
    """A project event whose rules read the project's plan."""

    allowed_from = PLANNABLE

    @classmethod
    def related_streams(cls, project: PlanProject | None, data: D) -> Collection[UUID]:
        return (project.plan,) if project is not None else ()

    @classmethod
    def plan_of(cls, project: PlanProject, context: CheckContext) -> DevelopmentPlan:
        plan = context.find(project.plan, DevelopmentPlan)
        if plan is None:
            raise broken(cls, PLAN_MISSING, "stream", plan=str(project.plan))
        return plan


class PlanProject(LaoHeldAggregate):
    """โครงการในแผนพัฒนา and its execution."""

    def __init__(self) -> None:
        self.plan = UUID(int=0)
        self.lao = ""
        self.province = ""
        self.strategy = ""
        self.title = ""
        self.years: dict[int, Decimal | None] = {}
        self.amendment = 0  # the plan version that added it
        self.status = ProjectStatus.PLANNED
        self.deferred_to: int | None = None
        self.budget: list[tuple[int, Decimal, FundingSource]] = []
        self.fiscal_year: int | None = None  # the year its money belongs to now
        self.contracts: dict[str, Decimal] = {}
        self.disbursed = Decimal("0.00")
        self.progress: int | None = None
        self.geometry: Point | LineString | None = None

    class PlanProjectAdded(LaoOpening["PlanProject", PlanProjectAddedData]):
        roles = PLANNING

        @classmethod
        def related_streams(
            cls, project: PlanProject | None, data: PlanProjectAddedData
        ) -> Collection[UUID]:
            return (data.plan,)

        @classmethod
        def check_opening_with(cls, data: PlanProjectAddedData, context: CheckContext) -> None:
            plan = context.find(data.plan, DevelopmentPlan)
            if plan is None or (plan.lao, plan.province) != (data.lao, data.province):
                raise broken(cls, NOT_PLAN_OF_LAO, "data.plan", plan=str(data.plan), lao=data.lao)
            if data.amendment != plan.amendment:
                raise broken(cls, AMENDMENT_OPEN, "data.amendment", open=str(plan.amendment))
            check_terms(cls, plan, (data.strategy, data.years), "data.plan")

        def evolve(self, project: PlanProject, data: PlanProjectAddedData) -> None:
            project.plan = data.plan
            project.lao = data.lao
            project.province = data.province
            project.strategy = data.strategy
            project.title = data.title
            project.years = dict(data.years)
            project.amendment = data.amendment

    class PlanProjectChanged(PlanBoundEvent[PlanProjectChangedData]):
        roles = PLANNING

        @classmethod
        def check_with(
            cls, project: PlanProject, data: PlanProjectChangedData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            check_terms(cls, cls.plan_of(project, context), (data.strategy, data.years or ()))

        def evolve(self, project: PlanProject, data: PlanProjectChangedData) -> None:
            if data.strategy is not None:
                project.strategy = data.strategy
            if data.title is not None:
                project.title = data.title
            if data.years is not None:
                project.years = dict(data.years)

    class PlanProjectRemoved(PlanBoundEvent[ReasonData]):
        roles = PLANNING

        @classmethod
        def check_with(cls, project: PlanProject, data: ReasonData, context: CheckContext) -> None:
            super().check_with(project, data, context)
            check_editable(cls, cls.plan_of(project, context))

        def evolve(self, project: PlanProject, data: ReasonData) -> None:
            project.status = P.REMOVED

    class BudgetApproved(PlanBoundEvent[BudgetApprovedData]):
        roles = FINANCE

        @classmethod
        def check_with(
            cls, project: PlanProject, data: BudgetApprovedData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            plan = cls.plan_of(project, context)
            if plan.approved_amendment is None or plan.approved_amendment < project.amendment:
                amendment = str(project.amendment)
                raise broken(cls, PLAN_NOT_APPROVED, "stream", amendment=amendment)
            if data.fiscal_year < project.planned_year:
                planned = str(project.planned_year)
                raise broken(cls, BUDGET_YEAR, "data.fiscal_year", planned_year=planned)

        def evolve(self, project: PlanProject, data: BudgetApprovedData) -> None:
            project.status = P.BUDGET_APPROVED
            project.budget.append((data.fiscal_year, data.amount, data.source))
            project.fiscal_year = data.fiscal_year

    class ContractSigned(ProjectEvent[ContractSignedData]):
        roles = FINANCE
        allowed_from = EXECUTING

        @classmethod
        def check_with(
            cls, project: PlanProject, data: ContractSignedData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            if data.contract_no in project.contracts:
                number = data.contract_no
                raise broken(cls, CONTRACT_RECORDED, "data.contract_no", contract_no=number)
            check_contract(cls, project, data.amount)

        def evolve(self, project: PlanProject, data: ContractSignedData) -> None:
            if project.status is P.BUDGET_APPROVED:  # a second contract keeps the status
                project.status = P.CONTRACTED
            project.contracts[data.contract_no] = data.amount

    class DisbursementMade(ProjectEvent[DisbursementMadeData]):
        roles = FINANCE
        allowed_from = EXECUTING

        @classmethod
        def check_with(
            cls, project: PlanProject, data: DisbursementMadeData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            check_disbursement(cls, project, data.amount, data.contract_no)

        def evolve(self, project: PlanProject, data: DisbursementMadeData) -> None:
            project.status = P.DISBURSING
            project.disbursed += data.amount

    class ProgressReported(ProjectEvent[ProgressReportedData]):
        roles = PROGRESS_REPORTERS
        allowed_from = EXECUTING

        def evolve(self, project: PlanProject, data: ProgressReportedData) -> None:
            project.progress = data.percent

    class ProjectCompleted(ProjectEvent[ProjectCompletedData]):
        roles = FINANCE
        allowed_from = EXECUTING

        @classmethod
        def check_with(
            cls, project: PlanProject, data: ProjectCompletedData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            check_completion(cls, project)

        def evolve(self, project: PlanProject, data: ProjectCompletedData) -> None:
            project.status = P.COMPLETED
            project.progress = 100

    class ProjectDeferred(ProjectEvent[ProjectDeferredData]):
        roles = PLANNING
        allowed_from = PLANNABLE

        @classmethod
        def check_with(
            cls, project: PlanProject, data: ProjectDeferredData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            if data.to_year <= project.planned_year:
                years = {"planned_year": str(project.planned_year), "to_year": str(data.to_year)}
                raise broken(cls, DEFER_YEAR, "data.to_year", **years)

        def evolve(self, project: PlanProject, data: ProjectDeferredData) -> None:
            project.status = P.DEFERRED
            project.deferred_to = data.to_year

    class ProjectCancelled(ProjectEvent[ReasonData]):
        roles = PLANNING
        allowed_from = frozenset(ProjectStatus) - PROJECT_TERMINAL

        def evolve(self, project: PlanProject, data: ReasonData) -> None:
            project.status = P.CANCELLED

    class FundsCarriedOver(ProjectEvent[FundsCarriedOverData]):
        roles = FINANCE
        allowed_from = EXECUTING

        @classmethod
        def check_with(
            cls, project: PlanProject, data: FundsCarriedOverData, context: CheckContext
        ) -> None:
            super().check_with(project, data, context)
            if data.from_year != project.fiscal_year:
                years = {"fiscal_year": str(project.fiscal_year), "from_year": str(data.from_year)}
                raise broken(cls, CARRY_OVER_YEAR, "data.from_year", **years)
            check_carry_over(cls, project, data.amount)

        def evolve(self, project: PlanProject, data: FundsCarriedOverData) -> None:
            project.status = P.CARRIED_OVER
            project.fiscal_year = data.from_year + 1

    class ProjectGeoLocated(ProjectEvent[ProjectGeoLocatedData]):
        roles = ENGINEERING
        allowed_from = frozenset(ProjectStatus) - {P.REMOVED}

        def evolve(self, project: PlanProject, data: ProjectGeoLocatedData) -> None:
            project.geometry = data.geometry

    @property
    def planned_year(self) -> int:
        """The plan year it is due in now: its first planned year, or where it was deferred."""
        return self.deferred_to if self.deferred_to is not None else min(self.years)


# Subsidies (เงินอุดหนุน).


class SubsidyEvent(LedgerEvent["Subsidy", D]):
    """An event of an open subsidy item; education staff handle education subsidies only."""

    @classmethod
    def check_with(cls, subsidy: Subsidy, data: D, context: CheckContext) -> None:
        if subsidy.sector is not SubsidySector.EDUCATION and not (
            context.actor.roles & (cls.roles - {Role.EPLAN_EDUCATION})
        ):
            raise forbidden(cls, "education staff handle education subsidies only")
        if subsidy.status is SubsidyStatus.REPORTED:
            raise broken(cls, SUBSIDY_CLOSED, "stream")


class Subsidy(LaoHeldAggregate):
    """เงินอุดหนุน: one item allocated to an LAO in a fiscal year."""

    def __init__(self) -> None:
        self.lao = ""
        self.province = ""
        self.fiscal_year = 0
        self.kind = SubsidyKind.GENERAL
        self.sector = SubsidySector.OTHER
        self.amount = Decimal("0.00")
        self.disbursed = Decimal("0.00")
        self.status = SubsidyStatus.ALLOCATED

    class SubsidyAllocated(RegisteredLaoOpening["Subsidy", SubsidyAllocatedData]):
        roles = FINANCE

        @classmethod
        def check_opening_with(cls, data: SubsidyAllocatedData, context: CheckContext) -> None:
            expected = subsidy_stream_id(data.lao, data.fiscal_year, data.kind, data.item)
            check_derived_stream(cls, context, expected, "lao, fiscal_year, kind, item")
            super().check_opening_with(data, context)

        def evolve(self, subsidy: Subsidy, data: SubsidyAllocatedData) -> None:
            subsidy.lao = data.lao
            subsidy.province = data.province
            subsidy.fiscal_year = data.fiscal_year
            subsidy.kind = data.kind
            subsidy.sector = data.sector
            subsidy.amount = data.amount

    class SubsidyDisbursed(SubsidyEvent[SubsidyDisbursedData]):
        roles = SUBSIDY_PAYERS

        def evolve(self, subsidy: Subsidy, data: SubsidyDisbursedData) -> None:
            subsidy.status = SubsidyStatus.DISBURSING
            subsidy.disbursed += data.amount

    class SubsidyOutcomeReported(SubsidyEvent[SubsidyOutcomeReportedData]):
        roles = SUBSIDY_REPORTERS

        def evolve(self, subsidy: Subsidy, data: SubsidyOutcomeReportedData) -> None:
            subsidy.status = SubsidyStatus.REPORTED
