"""The e-Plan reads as JSON: Thai labels beside codes, Buddhist-era dates, money in baht.

Every code (a status, a funding source, a subsidy's kind and sector) travels with its Thai
label in a ``<name>_th`` member; every date as ISO with its Buddhist-era form in ``<name>_th``
(``30/06/2562``); fiscal years are Buddhist-era numbers (FY2562 runs 1 Oct 2561 to 30 Sep 2562);
money is a decimal string of baht with two places (``"50000.00"``), as statements and the
registry write it, never a JSON number (a float would round large sums and lose "0.10").
A project's amounts are its totals to date (every budget approval, contract and payment),
whatever fiscal year the list was asked for; its own page lists each line with its year. Its
``fiscal_year`` is the year its money belongs to (its budget's, or the year it was carried
into); in a list asked for a fiscal year, a project with no budget yet shows the year asked
for, in which it is planned.

The located projects are a GeoJSON FeatureCollection (RFC 7946: WGS 84, longitude before
latitude, as ``ProjectGeoLocated`` signed them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.domain.rules import fiscal_year, format_buddhist_date
from ledger.errors import StreamNotFoundError
from projections.reports.results import Columns, JsonRows
from projections.views.eplan_book_queries import (
    EplanBook,
    MoneyLine,
    PlanRow,
    PlanStep,
    ProjectRow,
    SubsidyRow,
)

PLAN_STATUS_TH = {
    "draft": "ร่างแผน",
    "approved": "อนุมัติและประกาศใช้แล้ว",
    "amending": "อยู่ระหว่างเพิ่มเติม/เปลี่ยนแปลงแผน",
}
PROJECT_STATUS_TH = {
    "planned": "อยู่ในแผน",
    "budget_approved": "อนุมัติงบประมาณแล้ว",
    "contracted": "ลงนามในสัญญาแล้ว",
    "disbursing": "อยู่ระหว่างเบิกจ่าย",
    "completed": "ดำเนินการแล้วเสร็จ",
    "deferred": "เลื่อนไปดำเนินการปีถัดไป",
    "cancelled": "ยกเลิกโครงการ",
    "carried_over": "กันเงินไว้เบิกเหลื่อมปี",
    "removed": "ตัดออกจากแผน",
}
AMENDMENT_KIND_TH = {"addition": "เพิ่มเติม", "change": "เปลี่ยนแปลง"}
FUNDING_SOURCE_TH = {
    "own_revenue": "รายได้ของ อปท.",
    "general_subsidy": "เงินอุดหนุนทั่วไป",
    "specific_subsidy": "เงินอุดหนุนเฉพาะกิจ",
    "accumulated_funds": "เงินสะสม",
    "other": "อื่น ๆ",
}
MONEY_KIND = {
    "BudgetApproved": ("budget", "อนุมัติงบประมาณ"),
    "ContractSigned": ("contract", "ลงนามในสัญญา"),
    "DisbursementMade": ("disbursement", "เบิกจ่าย"),
    "FundsCarriedOver": ("carry_over", "กันเงินไว้เบิกเหลื่อมปี"),
}
SUBSIDY_KIND_TH = {"general": "เงินอุดหนุนทั่วไป", "specific": "เงินอุดหนุนเฉพาะกิจ"}
SUBSIDY_SECTOR_TH = {
    "education": "การศึกษา",
    "infrastructure": "โครงสร้างพื้นฐาน",
    "social": "สวัสดิการสังคม",
    "health": "สาธารณสุข",
    "other": "อื่น ๆ",
}
SUBSIDY_STATUS_TH = {
    "allocated": "ได้รับจัดสรรแล้ว",
    "disbursing": "อยู่ระหว่างเบิกจ่าย",
    "reported": "รายงานผลแล้ว",
}


def money(amount: Decimal | None) -> str | None:
    """Baht as a decimal string with two places, ``"50000.00"`` (None: not reported)."""
    return None if amount is None else f"{amount.quantize(Decimal('0.01')):f}"


def dated(name: str, day: str | None) -> dict[str, Any]:
    """``{name: ISO date, name_th: DD/MM/BBBB}`` (both None for no date)."""
    thai = None if day is None else format_buddhist_date(date.fromisoformat(day))
    return {name: day, f"{name}_th": thai}


def coded(name: str, code: str | None, labels: dict[str, str]) -> dict[str, Any]:
    """``{name: code, name_th: its Thai label}``."""
    return {name: code, f"{name}_th": None if code is None else labels.get(code, code)}


def plan_json(row: PlanRow) -> dict[str, Any]:
    """A plan in a list."""
    return (
        {"id": row.stream, "lao": row.lao, "lao_name": row.lao_name, "province": row.province}
        | {"first_year": row.first_year, "last_year": row.last_year, "title": row.title}
        | coded("status", row.status, PLAN_STATUS_TH)
        | {"vision": row.vision, "amendment": row.amendment}
        | {"approved_amendment": row.approved_amendment, "projects": row.projects}
        | dated("drafted_on", row.drafted_on)
    )


def number_order(text: str | None) -> tuple[Any, ...]:
    """A sort key reading runs of digits as numbers (Thai digits too): "ที่ 2" before "ที่ 10",
    as people number projects and strategies, where plain text order puts "ที่ 121" before
    "ที่ 25"."""
    parts = re.split(r"(\d+)", text or "")
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def plan_detail_json(
    row: PlanRow,
    strategies: Sequence[tuple[str, str]],
    steps: Sequence[PlanStep],
    projects: Sequence[ProjectRow],
) -> dict[str, Any]:
    """A plan's page: its strategies, its projects planned in each year with the year's total,
    its approvals and amendments."""
    years = []
    for year in range(row.first_year, row.last_year + 1):
        held = sorted(
            (p for p in projects if p.status != "removed" and year in p.planned),
            key=lambda p: (number_order(p.strategy), number_order(p.title)),
        )
        total = sum((p.planned[year] or Decimal(0) for p in held), Decimal(0))
        planned = [
            {"id": p.stream, "title": p.title, "strategy": p.strategy}
            | {"planned": money(p.planned[year])}
            | coded("status", p.status, PROJECT_STATUS_TH)
            for p in held
        ]
        years.append({"fiscal_year": year, "planned_total": money(total), "projects": planned})
    return plan_json(row) | {
        "strategies": [{"strategy": number, "title": title} for number, title in strategies],
        "years": years,
        "approvals": [_step_json(step) for step in steps if step.step == "approval"],
        "amendments": [_step_json(step) for step in steps if step.step == "amendment"],
    }


def _step_json(step: PlanStep) -> dict[str, Any]:
    if step.step == "approval":
        return (
            {"amendment": step.amendment, "approver": step.approver}
            | dated("approved_on", step.approved_on)
            | dated("recorded_on", step.effective)
        )
    return (
        {"amendment_no": step.amendment}
        | coded("kind", step.kind, AMENDMENT_KIND_TH)
        | {"reason": step.reason}
        | dated("effective", step.effective)
    )


def project_json(row: ProjectRow, asked_year: int | None = None) -> dict[str, Any]:
    """A project in a list: its place in the plan, status, and totals to date; its fiscal year
    the one its money belongs to, else the year the list was asked for (``asked_year``)."""
    year = row.fiscal_year if row.fiscal_year is not None else asked_year
    return (
        {"id": row.stream, "plan": row.plan, "lao": row.lao, "lao_name": row.lao_name}
        | {"province": row.province, "strategy": row.strategy, "title": row.title}
        | coded("status", row.status, PROJECT_STATUS_TH)
        | {"fiscal_year": year, "deferred_to": row.deferred_to}
        | {
            "planned": [
                {"fiscal_year": year, "amount": money(amount)}
                for year, amount in row.planned.items()
            ],
            "budget": money(row.budget),
            "contracted": money(row.contracted),
            "disbursed": money(row.disbursed),
            "carried_over": money(row.carried_over),
            "progress": row.progress,
        }
        | dated("progress_on", row.progress_on)
        | {"located": row.geometry is not None}
    )


def project_detail_json(row: ProjectRow, lines: Sequence[MoneyLine]) -> dict[str, Any]:
    """A project's page: its target, unit, location and every money line."""
    return project_json(row) | {
        "target": row.target,
        "unit": row.unit,
        "amendment": row.amendment,
        "geometry": row.geometry,
        "money": [_line_json(line) for line in lines],
    }


def _line_json(line: MoneyLine) -> dict[str, Any]:
    kind, kind_th = MONEY_KIND.get(line.kind, (line.kind, line.kind))
    year = line.fiscal_year
    if year is None and line.on_date is not None:
        year = fiscal_year(date.fromisoformat(line.on_date))
    found: dict[str, Any] = {"kind": kind, "kind_th": kind_th, "fiscal_year": year}
    found |= {"amount": money(line.amount)} | coded("source", line.source, FUNDING_SOURCE_TH)
    found |= {"contract_no": line.contract_no}
    if line.party is not None:
        found["party"] = line.party
    return found | dated("on", line.on_date) | dated("recorded_on", line.effective)


def subsidy_json(row: SubsidyRow) -> dict[str, Any]:
    """A subsidy item: what was allocated and paid, and its outcome."""
    return (
        {"id": row.stream, "lao": row.lao, "lao_name": row.lao_name, "province": row.province}
        | {"fiscal_year": row.fiscal_year}
        | coded("kind", row.kind, SUBSIDY_KIND_TH)
        | {"item": row.item, "title": row.title}
        | coded("sector", row.sector, SUBSIDY_SECTOR_TH)
        | {"target": row.target, "amount": money(row.amount), "disbursed": money(row.disbursed)}
        | coded("status", row.status, SUBSIDY_STATUS_TH)
        | {"result": row.result, "target_achieved": row.target_achieved}
        | {"beneficiaries": row.beneficiaries}
    )


def feature_collection(rows: Sequence[ProjectRow], asked_year: int | None = None) -> dict[str, Any]:
    """The located projects as an RFC 7946 FeatureCollection (longitude, latitude), their
    properties as a list's (``project_json``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row.stream,
                "geometry": row.geometry,
                "properties": {
                    name: value
                    for name, value in project_json(row, asked_year).items()
                    if name not in {"id", "planned", "located"}
                },
            }
            for row in rows
            if row.geometry is not None
        ],
    }


@dataclass(frozen=True, slots=True)
class EplanAnswer:
    """An e-Plan read: its JSON body, and the rows of a download (a list's items)."""

    name: str
    body: Any
    items: tuple[dict[str, Any], ...] = ()

    def as_json(self) -> Any:
        return self.body

    def tabulate(self) -> tuple[Columns, JsonRows]:
        rows = [
            {name: value for name, value in item.items() if not isinstance(value, list | dict)}
            for item in self.items
        ]
        return (list(rows[0]) if rows else []), rows


# The reads, each over one transaction's cursor.

MAX_PAGE_SIZE = 500


def read_plans(book: EplanBook) -> EplanAnswer:
    """The plans of the book's scope."""
    items = tuple(plan_json(row) for row in book.plans())
    return EplanAnswer("plans", list(items), items)


def read_plan(book: EplanBook, stream: UUID) -> EplanAnswer:
    """One plan's page; ``StreamNotFoundError`` when it is not a plan within the scope."""
    found = book.plans(str(stream))
    if not found:
        raise StreamNotFoundError(f"{stream} (no development plan within the caller's scope)")
    strategies, steps = book.plan_parts(str(stream))
    _, held = book.projects(plan=str(stream))
    return EplanAnswer(f"plan-{stream}", plan_detail_json(found[0], strategies, steps, held))


def read_projects(book: EplanBook, fiscal_year: int | None, page: int, size: int) -> EplanAnswer:
    """A page of the scope's projects (of a fiscal year), with how many there are in all."""
    total, rows = book.projects(fiscal_year=fiscal_year, page=((page - 1) * size, size))
    items = tuple(project_json(row, fiscal_year) for row in rows)
    body = {"fiscal_year": fiscal_year, "page": page, "size": size, "total": total}
    return EplanAnswer("projects", body | {"items": list(items)}, items)


def read_project(book: EplanBook, stream: UUID) -> EplanAnswer:
    """One project's page; ``StreamNotFoundError`` when it is not a project within the scope."""
    _, found = book.projects(stream=str(stream))
    if not found:
        raise StreamNotFoundError(f"{stream} (no plan project within the caller's scope)")
    lines = book.money_lines(str(stream))
    return EplanAnswer(f"project-{stream}", project_detail_json(found[0], lines))


def read_subsidies(book: EplanBook, fiscal_year: int | None) -> EplanAnswer:
    """The scope's subsidy items (of a fiscal year), with what was allocated and paid in all."""
    rows = book.subsidies(fiscal_year)
    items = tuple(subsidy_json(row) for row in rows)
    body = {
        "fiscal_year": fiscal_year,
        "amount": money(sum((row.amount for row in rows), Decimal(0))),
        "disbursed": money(sum((row.disbursed for row in rows), Decimal(0))),
        "items": list(items),
    }
    return EplanAnswer("subsidies", body, items)


def read_features(book: EplanBook, fiscal_year: int | None) -> EplanAnswer:
    """The scope's located projects (of a fiscal year) as a GeoJSON FeatureCollection."""
    _, rows = book.projects(fiscal_year=fiscal_year, located=True)
    return EplanAnswer("projects-geojson", feature_collection(rows, fiscal_year))
