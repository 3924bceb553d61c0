"""The e-Plan status table (รายงานสถานะการทำงานของแต่ละอปท.): per LAO of a province, for a
fiscal year, how far its development plan and its budget execution got (DOMAIN.md section 4).

Folded from the e-Plan view's facts (``projections.views.eplan_status.eplan_facts``) as of a
valid date. For province P and fiscal year Y, each active LAO of P, in the order Thai reports
list them (PAO, city, town and subdistrict municipalities, SAOs; then DLA code), gets one row:

* the plan: the LAO's plan covering Y (the latest drafted, if several);
* vision: ``ทำแล้ว`` when the plan's vision is recorded, else ``-``;
* strategies: how many; plan projects for Y, Y+1, Y+2: how many projects (not removed) the plan
  holds for each year. Blank when there are none: blank means never reported, never 0;
* plan approval: ``ทำแล้ว`` and its date (the approval may carry no date), else ``ยังไม่อนุมัติ``;
* budget-approved projects: the LAO's projects whose budget was approved for FY Y; contracts,
  disbursed and 100% completed count among those. When no project reached budget approval the
  four stay blank; once some did, a later stage none reached shows 0 (it was reported, as zero).

The totals row counts the LAOs with a vision and with an approved plan, and sums the rest
(blank cells add nothing; a column blank in every row stays blank). The layouts it is drawn in
(CSV, XLSX, HTML) are ``projections.reports.eplan_layout``'s.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.views.eplan_status import EplanFacts, EplanLao, EplanPlan
from projections.views.organizations import TYPE_ORDER

LAO_TYPE_LABELS = {
    "pao": ("องค์การบริหารส่วนจังหวัด", "อบจ."),
    "city_municipality": ("เทศบาลนคร", "เทศบาลนคร"),
    "town_municipality": ("เทศบาลเมือง", "เทศบาลเมือง"),
    "subdistrict_municipality": ("เทศบาลตำบล", "เทศบาลตำบล"),
    "sao": ("องค์การบริหารส่วนตำบล", "อบต."),
    "pattaya": ("เมืองพัทยา", "เมืองพัทยา"),
}
"""LAO type -> (the prefix of its full name, the abbreviation reports print)."""


def lao_label(lao_type: str, name: str, district: str) -> str:
    """The row label of a report: ``อบต.ตากออก (อ.บ้านตาก)``."""
    full, short = LAO_TYPE_LABELS.get(lao_type, ("", ""))
    for prefix in (full, short):
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return f"{short}{name} (อ.{district})"


@dataclass(frozen=True, slots=True)
class EplanStatusRow:
    """One LAO's line of the table; None is a blank cell (never reported)."""

    no: int
    lao: str
    label: str
    vision_done: bool
    strategies: int | None
    plan_projects: tuple[int | None, int | None, int | None]
    plan_approved: bool
    plan_approved_on: date | None
    budget_approved: int | None
    contracts_signed: int | None
    disbursed: int | None
    completed: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "lao": self.lao,
            "label": self.label,
            "vision_done": self.vision_done,
            "strategies": self.strategies,
            "plan_projects": list(self.plan_projects),
            "plan_approved": self.plan_approved,
            "plan_approved_on": (
                None if self.plan_approved_on is None else self.plan_approved_on.isoformat()
            ),
            "budget_approved": self.budget_approved,
            "contracts_signed": self.contracts_signed,
            "disbursed": self.disbursed,
            "completed": self.completed,
        }


@dataclass(frozen=True, slots=True)
class EplanTotals:
    """The totals row: LAOs with a vision, with an approved plan; sums of the rest."""

    laos: int
    vision_done: int
    strategies: int | None
    plan_projects: tuple[int | None, int | None, int | None]
    plan_approved: int
    budget_approved: int | None
    contracts_signed: int | None
    disbursed: int | None
    completed: int | None

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "plan_projects": list(self.plan_projects)
        }


@dataclass(frozen=True, slots=True)
class EplanStatusReport:
    """รายงานสถานะการทำงานของแต่ละอปท. จังหวัด ... ปี ...: rows and totals, as of a date."""

    province: str
    fiscal_year: int
    as_of: date | None
    rows: tuple[EplanStatusRow, ...]
    totals: EplanTotals

    @property
    def name(self) -> str:
        """The name of its download."""
        return f"eplan-status-{self.fiscal_year}"

    @property
    def years(self) -> tuple[int, int, int]:
        return (self.fiscal_year, self.fiscal_year + 1, self.fiscal_year + 2)

    def as_json(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "fiscal_year": self.fiscal_year,
            "plan_years": list(self.years),
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "rows": [row.as_json() for row in self.rows],
            "totals": self.totals.as_json(),
        }


def _by(on: str | None, as_of: str | None) -> bool:
    """Whether something dated ``on`` (None: never) had happened by ``as_of`` (None: ever)."""
    return on is not None and (as_of is None or on <= as_of)


def _blank_if_zero(count: int) -> int | None:
    return count or None


def _sum(values: Sequence[int | None]) -> int | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


@dataclass(frozen=True, slots=True)
class _Counts:
    """The facts counted as of the date: each LAO's plan, and what its rows count."""

    plans: dict[str, EplanPlan]  # by LAO
    strategies: Counter[str]  # by plan
    planned: Counter[tuple[str, int]]  # by (plan, year)
    stages: dict[str, list[int]]  # by LAO: budgeted, contracted, disbursed, completed


def _count(facts: EplanFacts, on: str | None) -> _Counts:
    """What had happened by ``on``: the plans drafted (the latest-starting one per LAO), their
    strategies and projects per year, and per LAO the budgeted projects' stages."""
    plans: dict[str, EplanPlan] = {}
    for plan in facts.plans:
        if _by(plan.drafted_on, on) and (
            plan.lao not in plans or plan.first_year > plans[plan.lao].first_year
        ):
            plans[plan.lao] = plan
    chosen = {plan.stream for plan in plans.values()}
    strategies = Counter(
        plan for plan, added_on in facts.strategies if plan in chosen and _by(added_on, on)
    )
    planned = Counter(
        (item.plan, item.year)
        for item in facts.planned
        if item.plan in chosen and _by(item.added_on, on) and not _by(item.removed_on, on)
    )
    stages: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for project in facts.budgeted:
        if not (_by(project.budget_on, on) and _by(project.added_on, on)):
            continue  # not budgeted by then, or a project added (valid time) only later
        counts = stages[project.lao]
        counts[0] += 1
        later = (project.contract_on, project.disbursed_on, project.completed_on)
        for index, stage_on in enumerate(later, start=1):
            counts[index] += _by(stage_on, on)
    return _Counts(plans, strategies, planned, dict(stages))


def _row(
    no: int, lao: EplanLao, counts: _Counts, years: tuple[int, int, int], on: str | None
) -> EplanStatusRow:
    """One LAO's line from what was counted."""
    plan = counts.plans.get(lao.code)
    executed = counts.stages.get(lao.code)
    approved = plan is not None and plan.approved and _by(plan.approval_on, on)
    return EplanStatusRow(
        no=no,
        lao=lao.code,
        label=lao_label(lao.type, lao.name, lao.district),
        vision_done=plan is not None and _by(plan.vision_on, on),
        strategies=_blank_if_zero(counts.strategies[plan.stream]) if plan else None,
        plan_projects=(
            (
                _blank_if_zero(counts.planned[(plan.stream, years[0])]),
                _blank_if_zero(counts.planned[(plan.stream, years[1])]),
                _blank_if_zero(counts.planned[(plan.stream, years[2])]),
            )
            if plan
            else (None, None, None)
        ),
        plan_approved=approved,
        plan_approved_on=(
            date.fromisoformat(plan.approved_on) if approved and plan and plan.approved_on else None
        ),
        budget_approved=executed[0] if executed else None,
        contracts_signed=executed[1] if executed else None,
        disbursed=executed[2] if executed else None,
        completed=executed[3] if executed else None,
    )


def _totals(rows: Sequence[EplanStatusRow]) -> EplanTotals:
    return EplanTotals(
        laos=len(rows),
        vision_done=sum(row.vision_done for row in rows),
        strategies=_sum([row.strategies for row in rows]),
        plan_projects=(
            _sum([row.plan_projects[0] for row in rows]),
            _sum([row.plan_projects[1] for row in rows]),
            _sum([row.plan_projects[2] for row in rows]),
        ),
        plan_approved=sum(row.plan_approved for row in rows),
        budget_approved=_sum([row.budget_approved for row in rows]),
        contracts_signed=_sum([row.contracts_signed for row in rows]),
        disbursed=_sum([row.disbursed for row in rows]),
        completed=_sum([row.completed for row in rows]),
    )


def eplan_status(
    facts: EplanFacts, province: str, fiscal_year: int, as_of: date | None = None
) -> EplanStatusReport:
    """The status table of the LAOs in ``facts`` for ``fiscal_year``, as of a valid date (None:
    everything recorded)."""
    on = None if as_of is None else as_of.isoformat()
    counts = _count(facts, on)
    years = (fiscal_year, fiscal_year + 1, fiscal_year + 2)
    laos = sorted(facts.laos, key=lambda lao: (TYPE_ORDER.get(lao.type, 9), lao.code))
    rows = tuple(_row(no, lao, counts, years, on) for no, lao in enumerate(laos, start=1))
    return EplanStatusReport(province, fiscal_year, as_of, rows, _totals(rows))


def last_steps(facts: EplanFacts, as_of: date | None = None) -> dict[str, date | None]:
    """Per LAO of ``facts``, the latest valid date, by ``as_of`` (None: ever), of any step the
    status table counts (a plan drafted, its vision, a strategy, its approval, a project added,
    a budget, contract, payment or completion); None for an LAO with none. The pages show the
    days since it ("days since last update"), so a province sees which LAO's table is behind.
    Valid dates, as the table itself is folded: a step entered late counts from its own date."""
    on = None if as_of is None else as_of.isoformat()
    lao_of = {plan.stream: plan.lao for plan in facts.plans}
    found: dict[str, list[str]] = {lao.code: [] for lao in facts.laos}

    def seen(lao: str | None, *days: str | None) -> None:
        if lao in found:
            found[lao].extend(day for day in days if day is not None and _by(day, on))

    for plan in facts.plans:
        seen(plan.lao, plan.drafted_on, plan.vision_on, plan.approval_on)
    for plan_stream, added_on in facts.strategies:
        seen(lao_of.get(plan_stream), added_on)
    for item in facts.planned:
        seen(lao_of.get(item.plan), item.added_on)
    for project in facts.budgeted:
        seen(
            project.lao,
            project.added_on,
            project.budget_on,
            project.contract_on,
            project.disbursed_on,
            project.completed_on,
        )
    return {lao: date.fromisoformat(max(days)) if days else None for lao, days in found.items()}
