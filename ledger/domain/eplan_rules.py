"""The rules of e-Plan's plans, projects and subsidies that a status or an earlier event decides
(DOMAIN.md section 4), each a refusal of the catalogue (``ledger.violations``): what may follow
a plan's approval, which plan and version a project belongs to, the years it runs in, and the
steps a project's status or a closed subsidy allows. The money rules are in
``ledger.domain.eplan_execution``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from ledger.domain.base import broken
from ledger.domain.eplan_data import EDITABLE
from ledger.domain.signed import SignedAggregate
from ledger.violations import rule

if TYPE_CHECKING:
    from ledger.domain.eplan import DevelopmentPlan

PROJECT_STATUS = rule(
    "eplan.project_status",
    "บันทึก {event} ไม่ได้ขณะโครงการมีสถานะ {status}",
    "{event} is not allowed while the project is {status}",
)
PLAN_APPROVED = rule(
    "eplan.plan_approved",
    "แผนพัฒนาท้องถิ่นได้รับอนุมัติแล้ว: บันทึกการเพิ่มเติมหรือเปลี่ยนแปลงแผน (PlanAmended) ก่อน",
    "the plan is approved: amend it first (PlanAmended)",
)
PLAN_NOT_APPROVED = rule(
    "eplan.plan_not_approved",
    "แผนพัฒนาท้องถิ่นที่บรรจุโครงการนี้ (ฉบับที่ {amendment}) ยังไม่ได้รับอนุมัติ",
    "the plan version holding this project ({amendment}) is not approved yet",
)
AMEND_UNAPPROVED = rule(
    "eplan.amend_unapproved",
    "เพิ่มเติมหรือเปลี่ยนแปลงได้เฉพาะแผนที่ได้รับอนุมัติแล้ว (แผนนี้มีสถานะ {status})",
    "only an approved plan is amended (this plan is {status})",
)
AMENDMENT_NO = rule(
    "eplan.amendment_no",
    "การเพิ่มเติมหรือเปลี่ยนแปลงแผนครั้งถัดไปคือฉบับที่ {next}",
    "the next amendment of the plan is number {next}",
)
AMENDMENT_OPEN = rule(
    "eplan.amendment_open",
    "แผนนี้กำลังจัดทำฉบับที่ {open} (0 คือแผนฉบับเดิม) โครงการต้องระบุฉบับนั้น",
    "the plan's open version is {open} (0 is the original): the project names it",
)
STRATEGY_EXISTS = rule(
    "eplan.strategy_exists",
    "ยุทธศาสตร์รหัส {strategy} มีอยู่แล้วในแผนนี้",
    "strategy {strategy} already exists in the plan",
)
UNKNOWN_STRATEGY = rule(
    "eplan.unknown_strategy",
    "ยุทธศาสตร์รหัส {strategy} ไม่อยู่ในแผนพัฒนาท้องถิ่นนี้",
    "strategy {strategy} is not a strategy of the plan",
)
YEAR_OUTSIDE_PLAN = rule(
    "eplan.year_outside_plan",
    "ปี {year} อยู่นอกช่วงปีของแผน ({first_year}-{last_year})",
    "year {year} is outside the plan's years ({first_year}-{last_year})",
)
PLAN_MISSING = rule(
    "eplan.plan_missing",
    "ไม่พบแผนพัฒนาท้องถิ่น {plan} ที่บรรจุโครงการนี้",
    "the project's plan {plan} is missing",
)
NOT_PLAN_OF_LAO = rule(
    "eplan.not_plan_of_lao",
    "{plan} ไม่ใช่แผนพัฒนาท้องถิ่นของ อปท. รหัส {lao}",
    "{plan} is not a development plan of LAO {lao}",
)
BUDGET_YEAR = rule(
    "eplan.budget_year",
    "โครงการอยู่ในแผนปี {planned_year} จึงอนุมัติงบประมาณของปีก่อนหน้านั้นไม่ได้",
    "the project is planned for {planned_year}: no budget is approved for an earlier year",
)
CONTRACT_RECORDED = rule(
    "eplan.contract_recorded",
    "สัญญาเลขที่ {contract_no} บันทึกไว้แล้วในโครงการนี้",
    "contract {contract_no} is already recorded on the project",
)
DEFER_YEAR = rule(
    "eplan.defer_year",
    "ปีที่เลื่อนโครงการไปต้องอยู่หลังปี {planned_year} (ได้รับ {to_year})",
    "a project is deferred to a year after {planned_year} (got {to_year})",
)
CARRY_OVER_YEAR = rule(
    "eplan.carry_over_year",
    "เงินของโครงการอยู่ในปีงบประมาณ {fiscal_year} ไม่ใช่ {from_year}",
    "the project's money is in fiscal year {fiscal_year}, not {from_year}",
)
SUBSIDY_CLOSED = rule(
    "eplan.subsidy_closed",
    "รายงานผลการใช้จ่ายเงินอุดหนุนรายการนี้แล้ว รายการปิดแล้วจึงบันทึกเพิ่มไม่ได้",
    "the subsidy's outcome is reported: it is closed",
)


def check_editable(
    event_class: type[SignedAggregate.Event], plan: DevelopmentPlan, field: str = "stream"
) -> None:
    """Raise the broken rule when ``plan`` (named at ``field``) is approved, not open."""
    if plan.status not in EDITABLE:
        raise broken(event_class, PLAN_APPROVED, field)


def check_terms(
    event_class: type[SignedAggregate.Event],
    plan: DevelopmentPlan,
    terms: tuple[str | None, Collection[int]],
    plan_field: str = "stream",
) -> None:
    """A project's terms (its strategy, its years) fit the plan: open for drafting, a strategy
    of it, years within it."""
    strategy, years = terms
    check_editable(event_class, plan, plan_field)
    if strategy is not None and strategy not in plan.strategies:
        raise broken(event_class, UNKNOWN_STRATEGY, "data.strategy", strategy=strategy)
    outside = sorted(year for year in years if year not in plan.years)
    if outside:
        span = {"first_year": str(plan.first_year), "last_year": str(plan.last_year)}
        year = str(outside[0])
        raise broken(event_class, YEAR_OUTSIDE_PLAN, f"data.years.{year}", year=year, **span)
