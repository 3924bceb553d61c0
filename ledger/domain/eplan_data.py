"""e-Plan's values (DOMAIN.md section 4): the statuses, stream ids and data models of the plan,
plan project and subsidy events; the aggregates are in ``ledger.domain.eplan``.

Money is a decimal string; a planned year left blank (null) is "not reported", not zero.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from ledger.domain.values import (
    BuddhistYear,
    Code,
    Data,
    DlaCode,
    EventDate,
    Line,
    Money,
    Name,
    OrderRef,
    PositiveMoney,
    Province,
    Text,
    natural_id,
)

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
    approved_on: EventDate | None = None  # None: approved, the date not reported (Tak row 56)
    approver: Name  # the LAO's executive (ผู้บริหารท้องถิ่น)
    announcement: OrderRef | None = None  # ประกาศใช้แผน


class PlanAmendedData(Data):
    amendment_no: int = Field(ge=1)  # ฉบับที่ n
    kind: Literal["addition", "change"]  # เพิ่มเติม / เปลี่ยนแปลง
    reason: Text


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
PLANNABLE = frozenset({P.PLANNED, P.DEFERRED})
"""Statuses of a project not yet executing: it may still change, be removed or be deferred."""


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
    contract_no: Line = Field(min_length=1, max_length=50)
    party: Name  # คู่สัญญา
    amount: PositiveMoney
    signed_on: EventDate
    ends_on: EventDate | None = None


class DisbursementMadeData(Data):
    amount: PositiveMoney
    paid_on: EventDate
    contract_no: Line | None = Field(default=None, min_length=1, max_length=50)


class ProgressReportedData(Data):
    percent: int = Field(ge=0, le=100)
    as_of: EventDate
    note: Text | None = None


class ProjectCompletedData(Data):
    completed_on: EventDate
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
    paid_on: EventDate
    note: Text | None = None


class SubsidyOutcomeReportedData(Data):
    result: Text  # ผลการดำเนินงาน
    target_achieved: bool | None = None
    beneficiaries: int | None = Field(default=None, ge=0)
