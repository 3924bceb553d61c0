"""The e-Plan status table (รายงานสถานะการทำงานของแต่ละอปท.): per LAO of a province, for a
fiscal year, how far its development plan and its budget execution got (DOMAIN.md section 4).

The view keeps the e-Plan facts with their valid times, so the table can be drawn as of a date
(the seed's "ข้อมูล ณ 03/10/2559"): the LAOs (``laos``), their plans (``plans``: drafted, vision
recorded, approved, with dates), strategies, projects with the years they are planned in
(``projects``, ``project_years``) and each project's execution dates.

For province P and fiscal year Y, each active LAO of P, in the order Thai reports list them
(PAO, city, town and subdistrict municipalities, SAOs; then DLA code), gets one row:

* the plan: the LAO's plan covering Y (the latest drafted, if several);
* vision: ``ทำแล้ว`` when the plan's vision is recorded, else ``-``;
* strategies: how many; plan projects for Y, Y+1, Y+2: how many projects (not removed) the plan
  holds for each year. Blank when there are none: blank means never reported, never 0;
* plan approval: ``ทำแล้ว`` and its date (the approval may carry no date), else ``ยังไม่อนุมัติ``;
* budget-approved projects: the LAO's projects whose budget was approved for FY Y; contracts,
  disbursed and 100% completed count among those. When no project reached budget approval the
  four stay blank; once some did, a later stage none reached shows 0 (it was reported, as zero).

The totals row counts the LAOs with a vision and with an approved plan, and sums the rest
(blank cells add nothing; a column blank in every row stays blank).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.folding import StreamRows
from projections.views.organizations import TYPE_ORDER
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


# The report.


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


def eplan_status(
    cursor: Cursor,
    tables: Mapping[str, str],
    province: str,
    fiscal_year: int,
    *,
    as_of: date | None = None,
    lao: str | None = None,
) -> EplanStatusReport:
    """The status table of every active LAO of ``province`` (or only ``lao``) for
    ``fiscal_year``, as of a valid date (None: everything recorded)."""
    on = None if as_of is None else as_of.isoformat()
    cursor.execute(
        f"SELECT code, name, type, district FROM {tables['laos']} "
        "WHERE province = ? AND merged_into IS NULL",
        [province],
    )
    laos = sorted(
        (row for row in cursor.fetchall() if lao is None or row[0] == lao),
        key=lambda row: (TYPE_ORDER.get(row[2], 9), row[0]),
    )
    cursor.execute(
        f"SELECT stream, lao, first_year, last_year, drafted_on, vision_on, approved, "
        f"approved_on, approval_on FROM {tables['plans']} WHERE province = ? "
        "AND first_year <= ? AND last_year >= ?",
        [province, fiscal_year, fiscal_year],
    )
    plans: dict[str, tuple[Any, ...]] = {}
    for row in cursor.fetchall():
        if _by(row[4], on) and (row[1] not in plans or row[2] > plans[row[1]][2]):
            plans[row[1]] = row
    chosen = {row[0] for row in plans.values()}
    cursor.execute(
        f"SELECT plan, added_on FROM {tables['strategies']} WHERE province = ?", [province]
    )
    strategies = Counter(
        row[0] for row in cursor.fetchall() if row[0] in chosen and _by(row[1], on)
    )
    wanted_years = (fiscal_year, fiscal_year + 1, fiscal_year + 2)
    cursor.execute(
        f"SELECT y.plan, y.year, p.added_on, p.removed_on FROM {tables['project_years']} y "
        f"JOIN {tables['projects']} p ON p.stream = y.project "
        "WHERE y.province = ? AND y.year >= ? AND y.year <= ?",
        [province, wanted_years[0], wanted_years[-1]],
    )
    planned: Counter[tuple[str, int]] = Counter(
        (row[0], int(row[1]))
        for row in cursor.fetchall()
        if row[0] in chosen and _by(row[2], on) and not _by(row[3], on)
    )
    cursor.execute(
        f"SELECT lao, budget_on, contract_on, disbursed_on, completed_on FROM {tables['projects']} "
        "WHERE province = ? AND budget_year = ?",
        [province, fiscal_year],
    )
    stages: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for holder, budget_on, *later in cursor.fetchall():
        if not _by(budget_on, on):
            continue
        counts = stages[holder]
        counts[0] += 1
        for index, stage_on in enumerate(later, start=1):
            counts[index] += _by(stage_on, on)
    rows = []
    for no, (code, name, lao_type, district) in enumerate(laos, start=1):
        plan = plans.get(code)
        executed = stages.get(code)
        approved = plan is not None and bool(plan[6]) and _by(plan[8], on)
        rows.append(
            EplanStatusRow(
                no=no,
                lao=code,
                label=lao_label(lao_type, name, district),
                vision_done=plan is not None and _by(plan[5], on),
                strategies=_blank_if_zero(strategies[plan[0]]) if plan else None,
                plan_projects=(
                    (
                        _blank_if_zero(planned[(plan[0], wanted_years[0])]),
                        _blank_if_zero(planned[(plan[0], wanted_years[1])]),
                        _blank_if_zero(planned[(plan[0], wanted_years[2])]),
                    )
                    if plan
                    else (None, None, None)
                ),
                plan_approved=approved,
                plan_approved_on=(
                    date.fromisoformat(plan[7]) if approved and plan and plan[7] else None
                ),
                budget_approved=executed[0] if executed else None,
                contracts_signed=executed[1] if executed else None,
                disbursed=executed[2] if executed else None,
                completed=executed[3] if executed else None,
            )
        )
    totals = EplanTotals(
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
    return EplanStatusReport(province, fiscal_year, as_of, tuple(rows), totals)
