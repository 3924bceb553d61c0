"""The e-Plan view: LAOs, plans, strategies, projects and their execution, with valid times.

The view keeps the e-Plan facts with their valid times, so the status table
(``projections.reports.eplan_status``) can be drawn as of a date (the seed's "ข้อมูล ณ
03/10/2559"): the LAOs (``laos``), their plans (``plans``: drafted, vision recorded, approved,
with dates), strategies, projects with the years they are planned in (``projects``,
``project_years``) and each project's execution dates. ``eplan_facts`` reads what one province's
table for one fiscal year needs, as typed rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.folding import StreamRows
from projections.views.runner import View

LAO_TYPES = frozenset(
    {
        "OrganizationRegistered",
        "OrganizationTypeChanged",
        "OrganizationRenamed",
        "OrganizationMerged",
    }
)
PLAN_TYPES = frozenset(
    {"PlanDrafted", "VisionRecorded", "StrategyAdded", "PlanApproved", "PlanAmended"}
)
PROJECT_TYPES = frozenset(
    {
        "PlanProjectAdded",
        "PlanProjectChanged",
        "PlanProjectRemoved",
        "BudgetApproved",
        "ContractSigned",
        "DisbursementMade",
        "ProgressReported",
        "ProjectCompleted",
        "ProjectDeferred",
        "ProjectCancelled",
        "FundsCarriedOver",
        "ProjectGeoLocated",
    }
)
LAO_COLUMNS = ("stream", "version", "code", "name", "type", "province", "district", "merged_into")
PLAN_COLUMNS = (
    "stream",
    "version",
    "lao",
    "province",
    "first_year",
    "last_year",
    "drafted_on",
    "vision_on",
    "approved",
    "approved_on",
    "approval_on",
)
PROJECT_COLUMNS = (
    "stream",
    "version",
    "plan",
    "lao",
    "province",
    "added_on",
    "removed_on",
    "budget_year",
    "budget_on",
    "contract_on",
    "disbursed_on",
    "completed_on",
)
YEAR_COLUMNS = ("project", "year", "plan", "province")
FIRST_STAGE_EVENT = {
    "ContractSigned": "contract_on",
    "DisbursementMade": "disbursed_on",
    "ProjectCompleted": "completed_on",
}


class EplanStatusView(View):
    """e-Plan: LAOs, plans, strategies, projects and their execution, with valid times."""

    name = "eplan"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "laos": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, code TEXT NOT NULL, "
                "name TEXT NOT NULL, type TEXT NOT NULL, province TEXT NOT NULL, "
                "district TEXT NOT NULL, merged_into TEXT"
            ),
            "plans": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, first_year INTEGER NOT NULL, last_year INTEGER NOT NULL, "
                "drafted_on TEXT NOT NULL, vision_on TEXT, approved INTEGER, approved_on TEXT, "
                "approval_on TEXT"
            ),
            "strategies": (
                "plan TEXT NOT NULL, strategy TEXT NOT NULL, province TEXT NOT NULL, "
                "added_on TEXT NOT NULL, PRIMARY KEY (plan, strategy)"
            ),
            "projects": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, plan TEXT NOT NULL, "
                "lao TEXT NOT NULL, province TEXT NOT NULL, added_on TEXT NOT NULL, "
                "removed_on TEXT, budget_year INTEGER, budget_on TEXT, contract_on TEXT, "
                "disbursed_on TEXT, completed_on TEXT"
            ),
            "project_years": (
                "project TEXT NOT NULL, year INTEGER NOT NULL, plan TEXT NOT NULL, "
                "province TEXT NOT NULL, PRIMARY KEY (project, year)"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {
            "laos": ["province"],
            "plans": ["province"],
            "strategies": ["province"],
            "projects": ["province, budget_year"],
            "project_years": ["province, year"],
        }

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        by_kind: dict[str, set[str]] = defaultdict(set)
        for event in events:
            for kind, types in (
                ("lao", LAO_TYPES),
                ("plan", PLAN_TYPES),
                ("project", PROJECT_TYPES),
            ):
                if event.type in types:
                    by_kind[kind].add(str(event.stream))
        if not by_kind:
            return
        laos = StreamRows(cursor, tables["laos"], LAO_COLUMNS, by_kind["lao"])
        plans = StreamRows(cursor, tables["plans"], PLAN_COLUMNS, by_kind["plan"])
        projects = StreamRows(cursor, tables["projects"], PROJECT_COLUMNS, by_kind["project"])
        strategies: list[tuple[Any, ...]] = []
        years: list[tuple[Any, ...]] = []
        replaced: set[str] = set()
        for event in events:
            if event.type in LAO_TYPES:
                _lao(laos, event)
            elif event.type in PLAN_TYPES:
                strategies.extend(_plan(plans, event))
            elif event.type in PROJECT_TYPES:
                change = _project(projects, event)
                if change is not None:
                    project, wanted = change
                    if event.type == "PlanProjectChanged":
                        replaced.add(project["stream"])
                        years = [row for row in years if row[0] != project["stream"]]
                    years.extend(
                        (project["stream"], year, project["plan"], project["province"])
                        for year in wanted
                    )
        laos.write()
        plans.write()
        projects.write()
        cursor.upsert(tables["strategies"], ("plan", "strategy", "province", "added_on"),
                      strategies, key=("plan", "strategy"), update=())  # fmt: skip
        for stream in sorted(replaced):
            cursor.execute(f"DELETE FROM {tables['project_years']} WHERE project = ?", [stream])
        cursor.upsert(tables["project_years"], YEAR_COLUMNS, years, key=("project", "year"))


def _lao(laos: StreamRows, event: LogEvent) -> None:
    if not laos.is_new(event):
        return
    data = event.data
    if event.type == "OrganizationRegistered":
        laos.create(
            event, {name: data[name] for name in ("code", "name", "type", "province", "district")}
        )
        return
    if laos.get(str(event.stream)) is None:
        return
    row = laos.touch(event)
    if event.type == "OrganizationTypeChanged":
        row["type"] = data["to_type"]
    elif event.type == "OrganizationRenamed":
        row["name"] = data["name"]
    else:
        row["merged_into"] = data["into"]


def _plan(plans: StreamRows, event: LogEvent) -> list[tuple[Any, ...]]:
    if not plans.is_new(event):
        return []
    data = event.data
    if event.type == "PlanDrafted":
        plans.create(
            event,
            {
                "lao": data["lao"],
                "province": data["province"],
                "first_year": data["first_year"],
                "last_year": data["last_year"],
                "drafted_on": event.effective,
                "approved": 0,
            },
        )
        return []
    if plans.get(str(event.stream)) is None:
        return []
    row = plans.touch(event)
    if event.type == "VisionRecorded":
        row["vision_on"] = row["vision_on"] or event.effective
    elif event.type == "StrategyAdded":
        return [(row["stream"], data["strategy"], row["province"], event.effective)]
    elif event.type == "PlanApproved":
        row.update(approved=1, approved_on=data.get("approved_on"), approval_on=event.effective)
    return []


def _project(projects: StreamRows, event: LogEvent) -> tuple[dict[str, Any], list[int]] | None:
    """Apply a project event; for an addition or a change of years, the project and its years."""
    if not projects.is_new(event):
        return None
    data = event.data
    if event.type == "PlanProjectAdded":
        row = projects.create(
            event,
            {
                "plan": data["plan"],
                "lao": data["lao"],
                "province": data["province"],
                "added_on": event.effective,
            },
        )
        return row, sorted(int(year) for year in data["years"])
    if projects.get(str(event.stream)) is None:
        return None
    row = projects.touch(event)
    if event.type == "PlanProjectChanged" and data.get("years") is not None:
        return row, sorted(int(year) for year in data["years"])
    if event.type == "PlanProjectRemoved":
        row["removed_on"] = event.effective
    elif event.type == "BudgetApproved":
        row.update(budget_year=int(data["fiscal_year"]), budget_on=event.effective)
    elif event.type in FIRST_STAGE_EVENT:
        column = FIRST_STAGE_EVENT[event.type]
        row[column] = row[column] or event.effective
    return None


# Reading the tables: the facts a status table folds, as typed rows.


@dataclass(frozen=True, slots=True)
class EplanLao:
    """An active (unmerged) LAO of the province."""

    code: str
    name: str
    type: str
    district: str


@dataclass(frozen=True, slots=True)
class EplanPlan:
    """A development plan covering the fiscal year, with the valid dates of its stages."""

    stream: str
    lao: str
    first_year: int
    last_year: int
    drafted_on: str
    vision_on: str | None
    approved: bool
    approved_on: str | None  # the approval's own date, as the approver gave it (may be None)
    approval_on: str | None  # the valid time of the PlanApproved statement


@dataclass(frozen=True, slots=True)
class PlannedYear:
    """A project of a plan planned in one year, and when it was added and removed."""

    plan: str
    year: int
    added_on: str
    removed_on: str | None


@dataclass(frozen=True, slots=True)
class BudgetedProject:
    """A project whose budget was approved for the fiscal year, and its later stages' dates."""

    lao: str
    budget_on: str | None
    contract_on: str | None
    disbursed_on: str | None
    completed_on: str | None
    added_on: str  # the project's first event: before it, the project did not exist


@dataclass(frozen=True, slots=True)
class EplanFacts:
    """What the e-Plan view holds of a province for a fiscal year and the two after it."""

    laos: tuple[EplanLao, ...]
    plans: tuple[EplanPlan, ...]
    strategies: tuple[tuple[str, str], ...]  # (plan, added_on)
    planned: tuple[PlannedYear, ...]
    budgeted: tuple[BudgetedProject, ...]


def eplan_facts(
    cursor: Cursor,
    tables: Mapping[str, str],
    province: str,
    fiscal_year: int,
    *,
    lao: str | None = None,
) -> EplanFacts:
    """The province's active LAOs (or only ``lao``), the plans covering ``fiscal_year``, their
    strategies, the projects planned in the year and the two after it, and the projects
    budgeted for it; every date kept, so the caller can fold them as of any day."""
    lao_clause, lao_params = ("", []) if lao is None else (" AND code = ?", [lao])
    cursor.execute(
        f"SELECT code, name, type, district FROM {tables['laos']} "
        f"WHERE province = ? AND merged_into IS NULL{lao_clause}",
        [province, *lao_params],
    )
    laos = tuple(EplanLao(*row) for row in cursor.fetchall())
    cursor.execute(
        "SELECT stream, lao, first_year, last_year, drafted_on, vision_on, approved, "
        f"approved_on, approval_on FROM {tables['plans']} WHERE province = ? "
        "AND first_year <= ? AND last_year >= ?",
        [province, fiscal_year, fiscal_year],
    )
    plans = tuple(_plan_row(*row) for row in cursor.fetchall())
    cursor.execute(
        f"SELECT plan, added_on FROM {tables['strategies']} WHERE province = ?", [province]
    )
    strategies = tuple((str(plan), str(added_on)) for plan, added_on in cursor.fetchall())
    cursor.execute(
        f"SELECT y.plan, y.year, p.added_on, p.removed_on FROM {tables['project_years']} y "
        f"JOIN {tables['projects']} p ON p.stream = y.project "
        "WHERE y.province = ? AND y.year >= ? AND y.year <= ?",
        [province, fiscal_year, fiscal_year + 2],
    )
    planned = tuple(
        PlannedYear(plan, int(year), added_on, removed_on)
        for plan, year, added_on, removed_on in cursor.fetchall()
    )
    cursor.execute(
        "SELECT lao, budget_on, contract_on, disbursed_on, completed_on, added_on "
        f"FROM {tables['projects']} "
        "WHERE province = ? AND budget_year = ?",
        [province, fiscal_year],
    )
    budgeted = tuple(BudgetedProject(*row) for row in cursor.fetchall())
    return EplanFacts(laos, plans, strategies, planned, budgeted)


def _plan_row(
    stream: str,
    lao: str,
    first_year: int,
    last_year: int,
    drafted_on: str,
    vision_on: str | None,
    approved: int | None,
    approved_on: str | None,
    approval_on: str | None,
) -> EplanPlan:
    return EplanPlan(
        stream,
        lao,
        int(first_year),
        int(last_year),
        drafted_on,
        vision_on,
        bool(approved),
        approved_on,
        approval_on,
    )
