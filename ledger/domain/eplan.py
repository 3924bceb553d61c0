"""e-Plan: development plans, plan projects and their execution, subsidies (DOMAIN.md section 4).

* ``DevelopmentPlan`` (แผนพัฒนาท้องถิ่น): one stream per LAO and period; the period's length is
  data (the seeds' 3-year plan, today's 5-year plans). ``Draft -> Approved``; an amendment
  (``PlanAmended``, เพิ่มเติม/เปลี่ยนแปลง ฉบับที่ n) reopens it until approved again.
* ``PlanProject``: one stream per project (a random uuid), added to a plan while it is being
  drafted or amended, then executed: ``Planned -> BudgetApproved -> ContractSigned ->
  Disbursing -> Completed`` with side exits ``Deferred``, ``Cancelled``, ``CarriedOver``
  (กันเงิน); a project without a contract may disburse straight after budget approval.
  Engineering staff set its location (a point or a line) at any stage.
* ``Subsidy``: one stream per LAO, fiscal year, kind (general / specific) and item.

Money is a decimal string; a planned year left blank (null) is "not reported", not zero.
Budget beyond plan, contracts beyond budget and disbursement beyond budget are allowed: the
reports flag them (DOMAIN.md 5.5: warn, do not block).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from ledger.domain.base import CheckContext, LaoHeldAggregate, forbidden, invalid
from ledger.domain.organizations import organization_stream_id, registered_organization
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
from ledger.domain.signed import SignedAggregate
from ledger.domain.values import (
    BuddhistYear,
    Code,
    Data,
    DlaCode,
    Money,
    Name,
    OrderRef,
    PositiveMoney,
    Province,
    Text,
    natural_id,
)
from ledger.statement import Statement

MAX_PLAN_YEARS = 10


def plan_stream_id(lao: str, first_year: int, last_year: int) -> UUID:
    """The stream of the LAO's development plan for fiscal years ``first_year``-``last_year``."""
    return natural_id("plan", lao, f"{first_year}-{last_year}")


def subsidy_stream_id(lao: str, fiscal_year: int, kind: str, item: str) -> UUID:
    """The stream of one subsidy item of an LAO in a fiscal year."""
    return natural_id("subsidy", lao, str(fiscal_year), kind, item)


# Development plan.


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # อนุมัติและประกาศใช้
    AMENDING = "amending"  # an amendment is being drafted


EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.AMENDING})


class PlanDraftedData(Data):
    lao: DlaCode
    province: Province
    first_year: BuddhistYear  # fiscal years, Buddhist era
    last_year: BuddhistYear
    title: Name | None = None

    @model_validator(mode="after")
    def _period(self) -> PlanDraftedData:
        if not 0 <= self.last_year - self.first_year < MAX_PLAN_YEARS:
            raise ValueError(f"a plan covers 1 to {MAX_PLAN_YEARS} years from first_year")
        return self


class VisionRecordedData(Data):
    vision: Text  # วิสัยทัศน์


class StrategyAddedData(Data):
    strategy: Code  # e.g. "1"
    title: Name  # ยุทธศาสตร์


class PlanApprovedData(Data):
    approved_on: date | None = None  # None: approved, the date not reported (Tak row 56)
    approver: Name  # the LAO's executive (ผู้บริหารท้องถิ่น)
    announcement: OrderRef | None = None  # ประกาศใช้แผน


class PlanAmendedData(Data):
    amendment_no: int = Field(ge=1)  # ฉบับที่ n
    kind: Literal["addition", "change"]  # เพิ่มเติม / เปลี่ยนแปลง
    reason: Text


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

    class PlanDrafted(SignedAggregate.Created):
        Data = PlanDraftedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.lao = data.lao
            aggregate.province = data.province
            aggregate.first_year = data.first_year
            aggregate.last_year = data.last_year

    class VisionRecorded(SignedAggregate.Event):
        Data = VisionRecordedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.vision = data.vision

    class StrategyAdded(SignedAggregate.Event):
        Data = StrategyAddedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.strategies[data.strategy] = data.title

    class PlanApproved(SignedAggregate.Event):
        Data = PlanApprovedData
        roles = PLAN_APPROVERS

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PlanStatus.APPROVED
            aggregate.approved_amendment = aggregate.amendment
            aggregate.approvals.append((aggregate.amendment, data.approved_on))

    class PlanAmended(SignedAggregate.Event):
        Data = PlanAmendedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PlanStatus.AMENDING
            aggregate.amendment = data.amendment_no

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: Any, current: Self | None
    ) -> Collection[UUID]:
        if event_class is DevelopmentPlan.PlanDrafted:
            return (organization_stream_id(data.lao),)
        return ()

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        expected = plan_stream_id(data.lao, data.first_year, data.last_year)
        if context.stream != expected:
            raise invalid(event_class, f"this plan lives on stream {expected}")
        registered_organization(event_class, context, data.lao, data.province)

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        plan = DevelopmentPlan
        if event_class is plan.PlanAmended:
            if self.status is not PlanStatus.APPROVED:
                raise invalid(event_class, f"only an approved plan is amended ({self.status})")
            if data.amendment_no != self.amendment + 1:
                raise invalid(event_class, f"amendment_no: the next is {self.amendment + 1}")
            return
        if self.status not in EDITABLE:
            raise invalid(event_class, "the plan is approved: amend it first (PlanAmended)")
        if event_class is plan.StrategyAdded and data.strategy in self.strategies:
            raise invalid(event_class, f"strategy: {data.strategy} already exists")


# Plan project.


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    BUDGET_APPROVED = "budget_approved"  # อนุมัติงบประมาณ
    CONTRACTED = "contracted"  # ลงนามในสัญญา
    DISBURSING = "disbursing"  # เบิกจ่าย
    COMPLETED = "completed"  # ดำเนินการ 100%
    DEFERRED = "deferred"  # moved to a later plan year
    CANCELLED = "cancelled"
    CARRIED_OVER = "carried_over"  # กันเงินไว้เบิกเหลื่อมปี
    REMOVED = "removed"  # taken out of the plan before execution


P = ProjectStatus
EXECUTING = frozenset({P.BUDGET_APPROVED, P.CONTRACTED, P.DISBURSING, P.CARRIED_OVER})
PROJECT_TERMINAL = frozenset({P.COMPLETED, P.CANCELLED, P.REMOVED})

PROJECT_TRANSITIONS: dict[str, tuple[frozenset[ProjectStatus], ProjectStatus | None]] = {
    "PlanProjectChanged": (frozenset({P.PLANNED, P.DEFERRED}), None),
    "PlanProjectRemoved": (frozenset({P.PLANNED, P.DEFERRED}), P.REMOVED),
    "BudgetApproved": (frozenset({P.PLANNED, P.DEFERRED}), P.BUDGET_APPROVED),
    "ContractSigned": (EXECUTING, P.CONTRACTED),
    "DisbursementMade": (EXECUTING, P.DISBURSING),
    "ProgressReported": (EXECUTING, None),
    "ProjectCompleted": (EXECUTING, P.COMPLETED),
    "ProjectDeferred": (frozenset({P.PLANNED, P.DEFERRED}), P.DEFERRED),
    "ProjectCancelled": (frozenset(ProjectStatus) - PROJECT_TERMINAL, P.CANCELLED),
    "FundsCarriedOver": (EXECUTING, P.CARRIED_OVER),
    "ProjectGeoLocated": (frozenset(ProjectStatus) - {P.REMOVED}, None),
}
"""Event type -> (the statuses it may follow, the status it leads to; None keeps the status).
A second contract keeps a disbursing or carried-over project where it is."""


def next_project_status(event_type: str, current: ProjectStatus) -> ProjectStatus | None:
    """The status after ``event_type``, or None when it may not follow ``current``."""
    sources, target = PROJECT_TRANSITIONS[event_type]
    if current not in sources:
        return None
    if target is None or (event_type == "ContractSigned" and current is not P.BUDGET_APPROVED):
        return current
    return target


PlannedYears = dict[BuddhistYear, Money | None]


class PlanProjectAddedData(Data):
    plan: UUID
    lao: DlaCode
    province: Province
    strategy: Code
    title: Name
    target: Text | None = None  # เป้าหมาย
    unit: Code | None = None  # the responsible unit
    years: PlannedYears = Field(min_length=1)  # fiscal year -> planned amount (null: blank)
    amendment: int = Field(default=0, ge=0)  # the plan version adding it: 0 is the original


class PlanProjectChangedData(Data):
    strategy: Code | None = None
    title: Name | None = None
    target: Text | None = None
    years: PlannedYears | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _changes_something(self) -> PlanProjectChangedData:
        if all(v is None for v in (self.strategy, self.title, self.target, self.years)):
            raise ValueError("name at least one of strategy, title, target, years")
        return self


class ReasonData(Data):
    """PlanProjectRemoved, ProjectCancelled."""

    reason: Text


class FundingSource(StrEnum):
    OWN_REVENUE = "own_revenue"  # รายได้ของ อปท.
    GENERAL_SUBSIDY = "general_subsidy"  # เงินอุดหนุนทั่วไป
    SPECIFIC_SUBSIDY = "specific_subsidy"  # เงินอุดหนุนเฉพาะกิจ
    ACCUMULATED_FUNDS = "accumulated_funds"  # เงินสะสม
    OTHER = "other"


class BudgetApprovedData(Data):
    fiscal_year: BuddhistYear
    amount: Money
    source: FundingSource
    ordinance: OrderRef | None = None  # ข้อบัญญัติ / เทศบัญญัติงบประมาณ, or a transfer


class ContractSignedData(Data):
    contract_no: str = Field(min_length=1, max_length=50)
    party: Name  # คู่สัญญา
    amount: PositiveMoney
    signed_on: date
    ends_on: date | None = None


class DisbursementMadeData(Data):
    amount: PositiveMoney
    paid_on: date
    contract_no: str | None = Field(default=None, min_length=1, max_length=50)


class ProgressReportedData(Data):
    percent: int = Field(ge=0, le=100)
    as_of: date
    note: Text | None = None


class ProjectCompletedData(Data):
    completed_on: date
    note: Text | None = None


class ProjectDeferredData(Data):
    to_year: BuddhistYear
    reason: Text


class FundsCarriedOverData(Data):
    from_year: BuddhistYear
    amount: Money
    reference: OrderRef | None = None


Longitude = Annotated[float, Field(ge=97.0, le=106.0)]  # Thailand lies within these bounds
Latitude = Annotated[float, Field(ge=5.0, le=21.0)]


class Point(Data):
    type: Literal["Point"]
    coordinates: tuple[Longitude, Latitude]  # GeoJSON order: longitude, latitude


class LineString(Data):
    type: Literal["LineString"]
    coordinates: list[tuple[Longitude, Latitude]] = Field(min_length=2, max_length=10_000)


class ProjectGeoLocatedData(Data):
    """ลงค่าพิกัดโครงการ: a point (a building) or a line (a road), WGS 84."""

    geometry: Point | LineString = Field(discriminator="type")


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

    class PlanProjectAdded(SignedAggregate.Created):
        Data = PlanProjectAddedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.plan = data.plan
            aggregate.lao = data.lao
            aggregate.province = data.province
            aggregate.strategy = data.strategy
            aggregate.title = data.title
            aggregate.years = dict(data.years)
            aggregate.amendment = data.amendment

    class PlanProjectChanged(SignedAggregate.Event):
        Data = PlanProjectChangedData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            for name in ("strategy", "title"):
                if getattr(data, name) is not None:
                    setattr(aggregate, name, getattr(data, name))
            if data.years is not None:
                aggregate.years = dict(data.years)

    class PlanProjectRemoved(SignedAggregate.Event):
        Data = ReasonData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("PlanProjectRemoved")

    class BudgetApproved(SignedAggregate.Event):
        Data = BudgetApprovedData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("BudgetApproved")
            aggregate.budget.append((data.fiscal_year, data.amount, data.source))
            aggregate.fiscal_year = data.fiscal_year

    class ContractSigned(SignedAggregate.Event):
        Data = ContractSignedData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("ContractSigned")
            aggregate.contracts[data.contract_no] = data.amount

    class DisbursementMade(SignedAggregate.Event):
        Data = DisbursementMadeData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("DisbursementMade")
            aggregate.disbursed += data.amount

    class ProgressReported(SignedAggregate.Event):
        Data = ProgressReportedData
        roles = PROGRESS_REPORTERS

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.progress = data.percent

    class ProjectCompleted(SignedAggregate.Event):
        Data = ProjectCompletedData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("ProjectCompleted")
            aggregate.progress = 100

    class ProjectDeferred(SignedAggregate.Event):
        Data = ProjectDeferredData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("ProjectDeferred")
            aggregate.deferred_to = data.to_year

    class ProjectCancelled(SignedAggregate.Event):
        Data = ReasonData
        roles = PLANNING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("ProjectCancelled")

    class FundsCarriedOver(SignedAggregate.Event):
        Data = FundsCarriedOverData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.move("FundsCarriedOver")
            aggregate.fiscal_year = data.from_year + 1

    class ProjectGeoLocated(SignedAggregate.Event):
        Data = ProjectGeoLocatedData
        roles = ENGINEERING

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.geometry = data.geometry

    def move(self, event_type: str) -> None:
        """Apply a status change the ledger has already checked (no validation on replay)."""
        target = PROJECT_TRANSITIONS[event_type][1]
        keeps = event_type == "ContractSigned" and self.status is not P.BUDGET_APPROVED
        if target is not None and not keeps:
            self.status = target

    @property
    def planned_year(self) -> int:
        """The plan year it is due in now: its first planned year, or where it was deferred."""
        return self.deferred_to if self.deferred_to is not None else min(self.years)

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: Any, current: Self | None
    ) -> Collection[UUID]:
        if event_class is PlanProject.PlanProjectAdded:
            return (data.plan,)
        if current is not None and event_class in (
            PlanProject.PlanProjectChanged,
            PlanProject.PlanProjectRemoved,
            PlanProject.BudgetApproved,
        ):
            return (current.plan,)
        return ()

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        plan = context.find(data.plan, DevelopmentPlan)
        if plan is None or (plan.lao, plan.province) != (data.lao, data.province):
            raise invalid(event_class, f"plan: {data.plan} is not a plan of LAO {data.lao}")
        if data.amendment != plan.amendment:
            raise invalid(event_class, f"amendment: the plan's open version is {plan.amendment}")
        _check_plan_terms(event_class, plan, data.strategy, data.years)

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        name = event_class.__name__
        if next_project_status(name, self.status) is None:
            raise invalid(event_class, f"not allowed while the project is {self.status}")
        if name in ("PlanProjectChanged", "PlanProjectRemoved", "BudgetApproved"):
            plan = context.find(self.plan, DevelopmentPlan)
            if plan is None:
                raise invalid(event_class, f"the project's plan {self.plan} is missing")
            if name == "BudgetApproved":
                self._check_budget(event_class, data, plan)
            elif plan.status not in EDITABLE:
                raise invalid(event_class, "the plan is approved: amend it first (PlanAmended)")
            elif name == "PlanProjectChanged":
                _check_plan_terms(event_class, plan, data.strategy, data.years)
        elif name == "ContractSigned" and data.contract_no in self.contracts:
            raise invalid(event_class, f"contract_no: {data.contract_no} is already recorded")
        elif (
            name == "DisbursementMade"
            and data.contract_no is not None
            and data.contract_no not in self.contracts
        ):
            raise invalid(event_class, f"contract_no: {data.contract_no} is not a contract")
        elif name == "ProjectDeferred" and data.to_year <= self.planned_year:
            raise invalid(event_class, f"to_year: it must be after {self.planned_year}")
        elif name == "FundsCarriedOver" and data.from_year != self.fiscal_year:
            raise invalid(event_class, f"from_year: the project's money is in FY{self.fiscal_year}")

    def _check_budget(
        self, event_class: type[SignedAggregate.Event], data: Any, plan: DevelopmentPlan
    ) -> None:
        if plan.approved_amendment is None or plan.approved_amendment < self.amendment:
            raise invalid(event_class, "the plan holding this project is not approved yet")
        if data.fiscal_year < self.planned_year:
            raise invalid(
                event_class, f"fiscal_year: the project is planned for {self.planned_year}"
            )


def _check_plan_terms(
    event_class: type[SignedAggregate.Event],
    plan: DevelopmentPlan,
    strategy: str | None,
    years: dict[int, Decimal | None] | None,
) -> None:
    if plan.status not in EDITABLE:
        raise invalid(event_class, "the plan is approved: amend it first (PlanAmended)")
    if strategy is not None and strategy not in plan.strategies:
        raise invalid(event_class, f"strategy: {strategy} is not a strategy of the plan")
    outside = sorted(year for year in years or {} if year not in plan.years)
    if outside:
        raise invalid(
            event_class,
            f"years: {outside[0]} is outside the plan {plan.first_year}-{plan.last_year}",
        )


# Subsidies (เงินอุดหนุน).


class SubsidyKind(StrEnum):
    GENERAL = "general"  # เงินอุดหนุนทั่วไป
    SPECIFIC = "specific"  # เงินอุดหนุนเฉพาะกิจ


class SubsidySector(StrEnum):
    """What the subsidy pays for; education staff handle the education ones."""

    EDUCATION = "education"  # e.g. school lunch, school milk, CDC support
    INFRASTRUCTURE = "infrastructure"
    SOCIAL = "social"  # e.g. allowances for the elderly and the disabled
    HEALTH = "health"
    OTHER = "other"


class SubsidyStatus(StrEnum):
    ALLOCATED = "allocated"
    DISBURSING = "disbursing"
    REPORTED = "reported"  # outcome reported: closed


class SubsidyAllocatedData(Data):
    lao: DlaCode
    province: Province
    fiscal_year: BuddhistYear
    kind: SubsidyKind
    item: Code  # รายการ
    title: Name
    sector: SubsidySector
    amount: Money  # money received
    target: Text | None = None  # เป้าหมาย


class SubsidyDisbursedData(Data):
    amount: PositiveMoney
    paid_on: date
    note: Text | None = None


class SubsidyOutcomeReportedData(Data):
    result: Text  # ผลการดำเนินงาน
    target_achieved: bool | None = None
    beneficiaries: int | None = Field(default=None, ge=0)


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

    class SubsidyAllocated(SignedAggregate.Created):
        Data = SubsidyAllocatedData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.lao = data.lao
            aggregate.province = data.province
            aggregate.fiscal_year = data.fiscal_year
            aggregate.kind = data.kind
            aggregate.sector = data.sector
            aggregate.amount = data.amount

    class SubsidyDisbursed(SignedAggregate.Event):
        Data = SubsidyDisbursedData
        roles = SUBSIDY_PAYERS

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = SubsidyStatus.DISBURSING
            aggregate.disbursed += data.amount

    class SubsidyOutcomeReported(SignedAggregate.Event):
        Data = SubsidyOutcomeReportedData
        roles = SUBSIDY_REPORTERS

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = SubsidyStatus.REPORTED

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: Any, current: Self | None
    ) -> Collection[UUID]:
        if event_class is Subsidy.SubsidyAllocated:
            return (organization_stream_id(data.lao),)
        return ()

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        expected = subsidy_stream_id(data.lao, data.fiscal_year, data.kind, data.item)
        if context.stream != expected:
            raise invalid(event_class, f"this subsidy item lives on stream {expected}")
        registered_organization(event_class, context, data.lao, data.province)

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        if self.sector is not SubsidySector.EDUCATION and not (
            context.actor.roles & (event_class.roles - {Role.EPLAN_EDUCATION})
        ):
            raise forbidden(event_class, "education staff handle education subsidies only")
        if self.status is SubsidyStatus.REPORTED:
            raise invalid(event_class, "the subsidy's outcome is reported: it is closed")
