"""Reading the e-Plan book (``projections.views.eplan_book``): plans, projects, money lines and
subsidies as typed rows, money back in baht (``Decimal``, two places).

``EplanBook`` reads them in one transaction, narrowed by LAO and province (the caller's scope)
and, where it applies, by fiscal year; a project list is paged in SQL (``limit``, ``offset``)
with its total count, so a list of a province's thousands of projects costs one page. LAO
names come from the e-Plan status view's ``laos`` table (the registered name, after renames).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projections.store import Cursor
from projections.views.eplan_book import satang

CENT = Decimal("0.01")


def baht(amount: int) -> Decimal:
    """Whole satang as baht with two places."""
    return (Decimal(int(amount)) / 100).quantize(CENT)


def _where(**filters: Any) -> tuple[str, list[Any]]:
    """``WHERE`` clauses for the filters that are not None (``name`` = value; the name may
    carry a table alias, written ``alias__column``)."""
    clauses, params = [], []
    for name, value in filters.items():
        if value is not None:
            clauses.append(f"{name.replace('__', '.')} = ?")
            params.append(value)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A development plan as it stands now."""

    stream: str
    lao: str
    lao_name: str | None
    province: str
    first_year: int
    last_year: int
    title: str | None
    status: str
    vision: str | None
    amendment: int
    approved_amendment: int | None
    drafted_on: str
    projects: int


@dataclass(frozen=True, slots=True)
class PlanStep:
    """An approval or an amendment of a plan."""

    step: str  # "approval" or "amendment"
    amendment: int
    kind: str | None  # an amendment's: addition or change
    reason: str | None
    approved_on: str | None
    approver: str | None
    effective: str


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A plan project as it stands now, with its totals to date."""

    stream: str
    plan: str
    lao: str
    lao_name: str | None
    province: str
    strategy: str
    title: str
    target: str | None
    unit: str | None
    amendment: int
    status: str
    deferred_to: int | None
    fiscal_year: int | None
    planned: dict[int, Decimal | None]
    budget: Decimal
    contracted: Decimal
    disbursed: Decimal
    carried_over: Decimal
    progress: int | None
    progress_on: str | None
    geometry: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """One money event of a project: a budget, a contract, a payment or a carry-over."""

    kind: str
    fiscal_year: int | None
    amount: Decimal
    source: str | None
    contract_no: str | None
    party: str | None
    on_date: str | None
    effective: str


@dataclass(frozen=True, slots=True)
class SubsidyRow:
    """A subsidy item of an LAO in a fiscal year."""

    stream: str
    lao: str
    lao_name: str | None
    province: str
    fiscal_year: int
    kind: str
    item: str
    title: str
    sector: str
    target: str | None
    amount: Decimal
    disbursed: Decimal
    status: str
    result: str | None
    target_achieved: bool | None
    beneficiaries: int | None


PLAN_SELECT = (
    "p.stream, p.lao, l.name, p.province, p.first_year, p.last_year, p.title, p.status, "
    "p.vision, p.amendment, p.approved_amendment, p.drafted_on"
)
PROJECT_SELECT = (
    "p.stream, p.plan, p.lao, l.name, p.province, p.strategy, p.title, p.target, p.unit, "
    "p.amendment, p.status, p.deferred_to, p.fiscal_year, p.planned, p.budget, p.contracted, "
    "p.disbursed, p.carried_over, p.progress, p.progress_on, p.geometry"
)


@dataclass(frozen=True, slots=True)
class EplanBook:
    """The e-Plan book's tables read in one transaction, narrowed to an LAO and/or a province
    (None: not narrowed); ``laos`` is the status view's LAO table, for the LAOs' names."""

    cursor: Cursor
    tables: Mapping[str, str]
    laos: str
    lao: str | None = None
    province: str | None = None

    def plans(self, stream: str | None = None) -> list[PlanRow]:
        """Plans, with their LAO's name and how many projects they hold (removed ones left
        out); by province, LAO and first year."""
        where, params = _where(p__lao=self.lao, p__province=self.province, p__stream=stream)
        self.cursor.execute(
            f"SELECT {PLAN_SELECT}, (SELECT COUNT(*) FROM {self.tables['projects']} j "
            "WHERE j.plan = p.stream AND j.status <> 'removed') "
            f"FROM {self.tables['plans']} p LEFT JOIN {self.laos} l ON l.code = p.lao{where} "
            "ORDER BY p.province, p.lao, p.first_year, p.stream",
            params,
        )
        return [PlanRow(*row) for row in self.cursor.fetchall()]

    def plan_parts(self, plan: str) -> tuple[list[tuple[str, str]], list[PlanStep]]:
        """A plan's strategies (number, title) and its approvals and amendments, in order."""
        self.cursor.execute(
            f"SELECT strategy, title FROM {self.tables['strategies']} WHERE plan = ?", [plan]
        )
        found = ((str(number), str(title)) for number, title in self.cursor.fetchall())
        strategies = sorted(found, key=_strategy_order)
        self.cursor.execute(
            "SELECT step, amendment, kind, reason, approved_on, approver, effective "
            f"FROM {self.tables['steps']} WHERE plan = ? ORDER BY version",
            [plan],
        )
        return strategies, [PlanStep(*row) for row in self.cursor.fetchall()]

    def projects(
        self,
        *,
        fiscal_year: int | None = None,
        plan: str | None = None,
        stream: str | None = None,
        located: bool = False,
        page: tuple[int, int] | None = None,
    ) -> tuple[int, list[ProjectRow]]:
        """Projects (removed ones too: their status says so) and how many match; ``page`` is
        (offset, limit); ``located``: only projects with a location."""
        where, params = _where(
            p__lao=self.lao, p__province=self.province, p__plan=plan, p__stream=stream
        )
        if fiscal_year is not None:
            where += " AND" if where else " WHERE"
            where += (
                f" p.stream IN (SELECT project FROM {self.tables['project_years']} WHERE year = ?)"
            )
            params.append(fiscal_year)
        if located:
            where += (" AND" if where else " WHERE") + " p.geometry IS NOT NULL"
        source = (
            f"FROM {self.tables['projects']} p LEFT JOIN {self.laos} l ON l.code = p.lao{where}"
        )
        self.cursor.execute(f"SELECT COUNT(*) {source}", params)
        found = self.cursor.fetchone()
        total = int(found[0]) if found else 0
        limit = "" if page is None else f" LIMIT {int(page[1])} OFFSET {int(page[0])}"
        self.cursor.execute(
            f"SELECT {PROJECT_SELECT} {source} ORDER BY p.province, p.lao, p.strategy, p.title, "
            f"p.stream{limit}",
            params,
        )
        return total, [_project(row) for row in self.cursor.fetchall()]

    def money_lines(self, project: str) -> list[MoneyLine]:
        """A project's budgets, contracts, payments and carry-overs, in log order."""
        self.cursor.execute(
            "SELECT kind, fiscal_year, amount, source, contract_no, party, on_date, effective "
            f"FROM {self.tables['money']} WHERE project = ? ORDER BY notification_id",
            [project],
        )
        return [
            MoneyLine(kind, year, baht(amount), *rest)
            for kind, year, amount, *rest in self.cursor.fetchall()
        ]

    def subsidies(self, fiscal_year: int | None = None) -> list[SubsidyRow]:
        """Subsidy items, by province, LAO, fiscal year, kind and item."""
        where, params = _where(
            s__lao=self.lao, s__province=self.province, s__fiscal_year=fiscal_year
        )
        self.cursor.execute(
            "SELECT s.stream, s.lao, l.name, s.province, s.fiscal_year, s.kind, s.item, "
            "s.title, s.sector, s.target, s.amount, s.disbursed, s.status, s.result, "
            f"s.target_achieved, s.beneficiaries FROM {self.tables['subsidies']} s "
            f"LEFT JOIN {self.laos} l ON l.code = s.lao{where} "
            "ORDER BY s.province, s.lao, s.fiscal_year, s.kind, s.item",
            params,
        )
        return [_subsidy(row) for row in self.cursor.fetchall()]


def _strategy_order(strategy: tuple[str, str]) -> tuple[int, str]:
    number = strategy[0]
    return (int(number), number) if number.isdigit() else (1 << 30, number)


def _project(row: Sequence[Any]) -> ProjectRow:
    values = list(row)
    planned = json.loads(values[13])
    values[13] = {
        int(year): None if amount is None else baht(satang(amount))
        for year, amount in sorted(planned.items())
    }
    for index in (14, 15, 16, 17):
        values[index] = baht(values[index])
    values[20] = None if values[20] is None else json.loads(values[20])
    return ProjectRow(*values)


def _subsidy(row: Sequence[Any]) -> SubsidyRow:
    values = list(row)
    values[10], values[11] = baht(values[10]), baht(values[11])
    values[14] = None if values[14] is None else bool(values[14])
    return SubsidyRow(*values)
