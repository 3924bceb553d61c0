"""The Section 35 ratio (รายงานค่าใช้จ่ายตาม ม.๓๕): personnel cost over the annual budget.

พ.ร.บ.ระเบียบบริหารงานบุคคลส่วนท้องถิ่น พ.ศ. ๒๕๔๒ ม.๓๕: an LAO's budgeted spending on the
salaries and benefits of its staff must not exceed 40% of its annual expenditure budget.
What counts in the numerator is a DLA ruling and changes over time, so the formula is versioned:
every computed row names the formula that produced it (``FORMULAS``), and a new ruling is a new
formula id, never a silent change to an old one.

The view keeps each LAO's annual expenditure budget per fiscal year (``AnnualBudgetEnacted``,
the latest enactment of a year wins); ``section35_ratios`` computes the numerator from the
registry as of the fiscal year's last day (valid time), as the ledger knows it now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledger.domain.rules import fiscal_year_bounds
from projections.log import LogEvent
from projections.rows import dumps
from projections.store import Cursor
from projections.views.folding import StreamRows
from projections.views.registry_queries import registry_as_of
from projections.views.registry_rows import IN_SERVICE_STATUSES, RegistryEntry
from projections.views.runner import View

LIMIT = Decimal("0.40")
FORMULA = "s35-v1"
FORMULAS = {
    "s35-v1": (
        "numerator: 12 x (salary + position allowance) of every record in service (active or "
        "suspended) held by the LAO on 30 September of the fiscal year, from its "
        "position-and-salary line in force that day; denominator: the LAO's annual expenditure "
        "budget for the fiscal year (AnnualBudgetEnacted, the latest enactment)"
    ),
}
"""Formula id -> what it computes. Add a new id for a new DLA ruling; keep the old ones."""

LAO_COLUMNS = ("stream", "version", "code", "province")
BUDGET_COLUMNS = ("lao", "fiscal_year", "province", "amount", "ordinance", "enacted_on")


class Section35View(View):
    """งบประมาณรายจ่ายประจำปี: each LAO's annual expenditure budget per fiscal year."""

    name = "section35"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "laos": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, code TEXT NOT NULL, "
                "province TEXT NOT NULL"
            ),
            "budgets": (
                "lao TEXT NOT NULL, fiscal_year INTEGER NOT NULL, province TEXT NOT NULL, "
                "amount TEXT NOT NULL, ordinance TEXT, enacted_on TEXT NOT NULL, "
                "PRIMARY KEY (lao, fiscal_year)"
            ),
        }

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        wanted = ("OrganizationRegistered", "AnnualBudgetEnacted")
        streams = {str(event.stream) for event in events if event.type in wanted}
        if not streams:
            return
        laos = StreamRows(cursor, tables["laos"], LAO_COLUMNS, streams)
        budgets: dict[tuple[str, int], tuple[Any, ...]] = {}
        for event in events:
            if event.type not in wanted or not laos.is_new(event):
                continue
            data = event.data
            if event.type == "OrganizationRegistered":
                laos.create(event, {"code": data["code"], "province": data["province"]})
                continue
            if laos.get(str(event.stream)) is None:
                continue
            lao = laos.touch(event)
            year = int(data["fiscal_year"])
            ordinance = data.get("ordinance")
            budgets[(lao["code"], year)] = (
                lao["code"],
                year,
                lao["province"],
                str(data["amount"]),
                None if ordinance is None else dumps(ordinance),
                event.effective,
            )
        laos.write()
        cursor.upsert(
            tables["budgets"], BUDGET_COLUMNS, list(budgets.values()), key=("lao", "fiscal_year")
        )


@dataclass(frozen=True, slots=True)
class Section35Row:
    """One LAO's Section 35 ratio for one fiscal year, and the formula that computed it."""

    lao: str
    province: str
    fiscal_year: int
    staff: int
    personnel_cost: Decimal
    budget: Decimal | None
    formula: str

    @property
    def ratio(self) -> Decimal | None:
        if self.budget is None or self.budget == 0:
            return None
        return (self.personnel_cost / self.budget).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def over_limit(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio > LIMIT

    def as_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "lao": self.lao,
            "province": self.province,
            "fiscal_year": self.fiscal_year,
            "staff": self.staff,
            "personnel_cost": str(self.personnel_cost),
            "budget": None if self.budget is None else str(self.budget),
            "ratio": None if ratio is None else str(ratio),
            "limit": str(LIMIT),
            "over_limit": self.over_limit,
            "formula": self.formula,
        }


def annual_cost(entry: RegistryEntry) -> Decimal:
    """Formula s35-v1's cost of one person: 12 months of salary and position allowance."""
    return 12 * ((entry.salary or Decimal(0)) + (entry.allowance or Decimal(0)))


def section35_ratios(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    section35_tables: Mapping[str, str],
    fiscal_year: int,
    *,
    lao: str | None = None,
    province: str | None = None,
    recorded: datetime | None = None,
) -> list[Section35Row]:
    """Each LAO's ratio for the fiscal year (LAOs with a budget or with staff then)."""
    last_day = fiscal_year_bounds(fiscal_year)[1]
    staff: dict[tuple[str, str], list[RegistryEntry]] = defaultdict(list)
    for entry in registry_as_of(
        cursor, registry_tables, valid=last_day, recorded=recorded, lao=lao, province=province
    ):
        if entry.status in IN_SERVICE_STATUSES:
            staff[(entry.province, entry.lao)].append(entry)
    clauses: list[str] = ["fiscal_year = ?"]
    params: list[Any] = [fiscal_year]
    for column, value in (("lao", lao), ("province", province)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    cursor.execute(
        f"SELECT province, lao, amount FROM {section35_tables['budgets']} "
        f"WHERE {' AND '.join(clauses)}",
        params,
    )
    budgets = {(row[0], row[1]): Decimal(row[2]) for row in cursor.fetchall()}
    return [
        Section35Row(
            lao=key[1],
            province=key[0],
            fiscal_year=fiscal_year,
            staff=len(staff.get(key, [])),
            personnel_cost=sum((annual_cost(e) for e in staff.get(key, [])), Decimal("0.00")),
            budget=budgets.get(key),
            formula=FORMULA,
        )
        for key in sorted(set(staff) | set(budgets))
    ]
