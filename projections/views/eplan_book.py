"""The e-Plan book: each plan, project and subsidy as it stands now, with its money in satang.

``projections.views.eplan_status`` keeps the valid times the status table folds; this view
keeps what the e-Plan reads show (``GET /plans``, ``/projects``, ``/subsidies``,
``/projects.geojson``): a plan's vision, strategies, amendments and approvals; each project's
planned years, status, running totals (budget, contracts, disbursements, carry-over), progress
and location; every money line of a project (``money``: one row per event, for a project's own
page); each subsidy item with what was paid. Money is kept as whole satang (``BIGINT``), so
totals add up exactly in SQL and in Python; the queries turn it back into baht
(``projections.views.eplan_book_queries``).

A project belongs to every fiscal year it is planned in, budgeted in or carried over into
(``project_years``), which the fiscal-year filter reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.eplan_status import PLAN_TYPES, PROJECT_TYPES
from projections.views.folding import StreamRows, streams_of
from projections.views.runner import View

SUBSIDY_TYPES = frozenset({"SubsidyAllocated", "SubsidyDisbursed", "SubsidyOutcomeReported"})
PLAN_COLUMNS = (
    "stream", "version", "lao", "province", "first_year", "last_year", "title", "status",
    "vision", "amendment", "approved_amendment", "drafted_on",
)  # fmt: skip
PROJECT_COLUMNS = (
    "stream", "version", "plan", "lao", "province", "strategy", "title", "target", "unit",
    "amendment", "status", "deferred_to", "fiscal_year", "planned", "money_years", "budget",
    "contracted", "disbursed", "carried_over", "progress", "progress_on", "geometry",
    "added_on",
)  # fmt: skip
SUBSIDY_COLUMNS = (
    "stream", "version", "lao", "province", "fiscal_year", "kind", "item", "title", "sector",
    "target", "amount", "disbursed", "status", "result", "target_achieved", "beneficiaries",
    "allocated_on",
)  # fmt: skip
STEP_COLUMNS = (
    "plan", "version", "step", "amendment", "kind", "reason", "approved_on", "approver",
    "effective",
)  # fmt: skip
MONEY_COLUMNS = (
    "notification_id", "project", "kind", "fiscal_year", "amount", "source", "contract_no",
    "party", "on_date", "effective",
)  # fmt: skip
STATUS_AFTER = {
    "PlanProjectRemoved": "removed",
    "BudgetApproved": "budget_approved",
    "DisbursementMade": "disbursing",
    "ProjectCompleted": "completed",
    "ProjectDeferred": "deferred",
    "ProjectCancelled": "cancelled",
    "FundsCarriedOver": "carried_over",
}


def satang(amount: str) -> int:
    """A decimal baht string as whole satang."""
    return int(Decimal(amount) * 100)


class EplanBookView(View):
    """Plans, projects and subsidies as they stand now, for the e-Plan reads."""

    name = "eplan_book"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "plans": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, first_year INTEGER NOT NULL, "
                "last_year INTEGER NOT NULL, title TEXT, status TEXT NOT NULL, vision TEXT, "
                "amendment INTEGER NOT NULL, approved_amendment INTEGER, "
                "drafted_on TEXT NOT NULL"
            ),
            "strategies": (
                "plan TEXT NOT NULL, strategy TEXT NOT NULL, title TEXT NOT NULL, "
                "PRIMARY KEY (plan, strategy)"
            ),
            "steps": (
                "plan TEXT NOT NULL, version BIGINT NOT NULL, step TEXT NOT NULL, "
                "amendment INTEGER NOT NULL, kind TEXT, reason TEXT, approved_on TEXT, "
                "approver TEXT, effective TEXT NOT NULL, PRIMARY KEY (plan, version)"
            ),
            "projects": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, plan TEXT NOT NULL, "
                "lao TEXT NOT NULL, province TEXT NOT NULL, strategy TEXT NOT NULL, "
                "title TEXT NOT NULL, target TEXT, unit TEXT, amendment INTEGER NOT NULL, "
                "status TEXT NOT NULL, deferred_to INTEGER, fiscal_year INTEGER, "
                "planned TEXT NOT NULL, money_years TEXT NOT NULL, budget BIGINT NOT NULL, "
                "contracted BIGINT NOT NULL, disbursed BIGINT NOT NULL, "
                "carried_over BIGINT NOT NULL, progress INTEGER, progress_on TEXT, "
                "geometry TEXT, added_on TEXT NOT NULL"
            ),
            "project_years": (
                "project TEXT NOT NULL, year INTEGER NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, PRIMARY KEY (project, year)"
            ),
            "money": (
                "notification_id BIGINT PRIMARY KEY, project TEXT NOT NULL, kind TEXT NOT NULL, "
                "fiscal_year INTEGER, amount BIGINT NOT NULL, source TEXT, contract_no TEXT, "
                "party TEXT, on_date TEXT, effective TEXT NOT NULL"
            ),
            "subsidies": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, fiscal_year INTEGER NOT NULL, kind TEXT NOT NULL, "
                "item TEXT NOT NULL, title TEXT NOT NULL, sector TEXT NOT NULL, target TEXT, "
                "amount BIGINT NOT NULL, disbursed BIGINT NOT NULL, status TEXT NOT NULL, "
                "result TEXT, target_achieved INTEGER, beneficiaries INTEGER, "
                "allocated_on TEXT NOT NULL"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {
            "plans": ["province, lao"],
            "steps": ["plan"],
            "projects": ["province, lao", "plan"],
            "project_years": ["province, year"],
            "money": ["project"],
            "subsidies": ["province, fiscal_year"],
        }

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        plan_streams = streams_of(events, PLAN_TYPES)
        project_streams = streams_of(events, PROJECT_TYPES)
        subsidy_streams = streams_of(events, SUBSIDY_TYPES)
        if not (plan_streams or project_streams or subsidy_streams):
            return
        plans = StreamRows(cursor, tables["plans"], PLAN_COLUMNS, plan_streams)
        projects = StreamRows(cursor, tables["projects"], PROJECT_COLUMNS, project_streams)
        subsidies = StreamRows(cursor, tables["subsidies"], SUBSIDY_COLUMNS, subsidy_streams)
        strategies: list[tuple[Any, ...]] = []
        steps: list[tuple[Any, ...]] = []
        money: list[tuple[Any, ...]] = []
        for event in events:
            if event.type in PLAN_TYPES and plans.is_new(event):
                _plan(plans, event, strategies, steps)
            elif event.type in PROJECT_TYPES and projects.is_new(event):
                line = _project(projects, event)
                if line is not None:
                    money.append(line)
            elif event.type in SUBSIDY_TYPES and subsidies.is_new(event):
                _subsidy(subsidies, event)
        plans.write()
        projects.write()
        subsidies.write()
        cursor.upsert(tables["strategies"], ("plan", "strategy", "title"), strategies,
                      key=("plan", "strategy"))  # fmt: skip
        cursor.upsert(tables["steps"], STEP_COLUMNS, steps, key=("plan", "version"), update=())
        cursor.upsert(tables["money"], MONEY_COLUMNS, money, key=("notification_id",), update=())
        _write_years(cursor, tables["project_years"], [projects.rows[s] for s in projects.changed])


def _plan(
    plans: StreamRows,
    event: LogEvent,
    strategies: list[tuple[Any, ...]],
    steps: list[tuple[Any, ...]],
) -> None:
    data = event.data
    if event.type == "PlanDrafted":
        plans.create(
            event,
            {name: data[name] for name in ("lao", "province", "first_year", "last_year")}
            | {"title": data.get("title"), "status": "draft", "amendment": 0}
            | {"drafted_on": event.effective},
        )
        return
    if plans.get(event.stream_text) is None:
        return
    row = plans.touch(event)
    if event.type == "VisionRecorded":
        row["vision"] = data["vision"]
    elif event.type == "StrategyAdded":
        strategies.append((row["stream"], data["strategy"], data["title"]))
    elif event.type == "PlanApproved":
        row.update(status="approved", approved_amendment=row["amendment"])
        steps.append((row["stream"], event.version, "approval", row["amendment"], None, None,
                      data.get("approved_on"), data["approver"], event.effective))  # fmt: skip
    elif event.type == "PlanAmended":
        row.update(status="amending", amendment=data["amendment_no"])
        steps.append((row["stream"], event.version, "amendment", data["amendment_no"],
                      data["kind"], data["reason"], None, None, event.effective))  # fmt: skip


def _project(projects: StreamRows, event: LogEvent) -> tuple[Any, ...] | None:
    """Apply a project event; the money line it adds, if any."""
    data = event.data
    if event.type == "PlanProjectAdded":
        projects.create(event, _added(event, data))
        return None
    if projects.get(event.stream_text) is None:
        return None
    row = projects.touch(event)
    row["status"] = STATUS_AFTER.get(event.type, row["status"])
    if event.type == "PlanProjectChanged":
        for name in ("strategy", "title", "target"):
            if data.get(name) is not None:
                row[name] = data[name]
        if data.get("years") is not None:
            row["planned"] = json.dumps(data["years"], sort_keys=True)
    elif event.type == "ProgressReported":
        row.update(progress=data["percent"], progress_on=data["as_of"])
    elif event.type == "ProjectCompleted":
        row.update(progress=100, progress_on=data["completed_on"])
    elif event.type == "ProjectDeferred":
        row["deferred_to"] = data["to_year"]
    elif event.type == "ProjectGeoLocated":
        row["geometry"] = json.dumps(data["geometry"], ensure_ascii=False)
    return _money(row, event, data)


def _added(event: LogEvent, data: dict[str, Any]) -> dict[str, Any]:
    names = ("plan", "lao", "province", "strategy", "title", "target", "unit")
    return {name: data.get(name) for name in names} | {
        "amendment": data.get("amendment", 0),
        "status": "planned",
        "planned": json.dumps(data["years"], sort_keys=True),
        "money_years": "[]",
        "budget": 0,
        "contracted": 0,
        "disbursed": 0,
        "carried_over": 0,
        "added_on": event.effective,
    }


def _money(row: dict[str, Any], event: LogEvent, data: dict[str, Any]) -> tuple[Any, ...] | None:
    """Add a money event to the project's totals; its line of the ``money`` table."""
    if "amount" not in data:
        return None
    kind, amount = event.type, satang(data["amount"])
    year, contract, party, on = None, data.get("contract_no"), None, None
    if kind == "BudgetApproved":
        year = int(data["fiscal_year"])
        row.update(budget=int(row["budget"]) + amount, fiscal_year=year)
        _money_year(row, year)
    elif kind == "ContractSigned":
        row["contracted"] = int(row["contracted"]) + amount
        if row["status"] == "budget_approved":  # a second contract keeps the status
            row["status"] = "contracted"
        party, on = data["party"], data["signed_on"]
    elif kind == "DisbursementMade":
        row["disbursed"] = int(row["disbursed"]) + amount
        on = data["paid_on"]
    elif kind == "FundsCarriedOver":
        year = int(data["from_year"]) + 1
        row.update(carried_over=int(row["carried_over"]) + amount, fiscal_year=year)
        _money_year(row, year)
    else:
        return None
    source = data.get("source")
    return (event.notification_id, row["stream"], kind, year, amount, source, contract, party,
            on, event.effective)  # fmt: skip


def _money_year(row: dict[str, Any], year: int) -> None:
    years = set(json.loads(row["money_years"])) | {year}
    row["money_years"] = json.dumps(sorted(years))


def _subsidy(subsidies: StreamRows, event: LogEvent) -> None:
    data = event.data
    if event.type == "SubsidyAllocated":
        names = ("lao", "province", "fiscal_year", "kind", "item", "title", "sector", "target")
        subsidies.create(
            event,
            {name: data.get(name) for name in names}
            | {"amount": satang(data["amount"]), "disbursed": 0, "status": "allocated"}
            | {"allocated_on": event.effective},
        )
        return
    if subsidies.get(event.stream_text) is None:
        return
    row = subsidies.touch(event)
    if event.type == "SubsidyDisbursed":
        row.update(status="disbursing", disbursed=int(row["disbursed"]) + satang(data["amount"]))
    else:
        achieved = data.get("target_achieved")
        row.update(
            status="reported",
            result=data["result"],
            target_achieved=None if achieved is None else int(achieved),
            beneficiaries=data.get("beneficiaries"),
        )


def _write_years(cursor: Cursor, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Each changed project's fiscal years: planned, budgeted or carried into."""
    streams = [row["stream"] for row in rows]
    for start in range(0, len(streams), 500):
        chunk = streams[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        cursor.execute(f"DELETE FROM {table} WHERE project IN ({marks})", chunk)
    years: list[tuple[Any, ...]] = []
    for row in rows:
        wanted = {int(year) for year in json.loads(row["planned"])}
        wanted |= set(json.loads(row["money_years"]))
        years.extend((row["stream"], year, row["lao"], row["province"]) for year in sorted(wanted))
    cursor.upsert(table, ("project", "year", "lao", "province"), years, key=("project", "year"))
