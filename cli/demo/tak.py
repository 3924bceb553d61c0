"""The demo's Tak province: its 69 LAOs and the e-Plan data of the seed's status table (FY2560).

For each row of ``tak_eplan_rows()`` (the seed's table, OCR errors corrected), DLA registers the
LAO (type, district), and the LAO's planning and finance staff sign what the row reports, and
nothing it leaves blank:

* the 3-year development plan 2560-2562 (``PlanDrafted``) when the row reports anything of it;
  its vision when done; its strategies, as many as the row counts;
* its projects: as many as the largest of the three yearly counts, project *i* planned in every
  year whose count exceeds *i* (so each year counts exactly as the table says; a project planned
  in several years is one project, as in a real 3-year plan, which also keeps the demo at about
  11,000 project events rather than 27,000);
* the plan's approval, with its date (row 56 says done with no date);
* budget approval for FY2560 of as many of its 2560 projects as the row counts. No contract,
  disbursement or completion is signed (the table's 0s): the report shows 0 for those stages
  once budget approval is reported, blank before.

Valid times are the dates the table implies (plans drafted from October 2558, approvals on their
dates, budgets approved on 1 October 2559), all before the table's "ข้อมูล ณ 03/10/2559", so the
report as of that date reproduces the table row for row. DLA codes are made up, numbered in the
table's order within each LAO type (the order the report lists LAOs in).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from cli.demo.data import LAO_TYPE_PREFIX, TakEplanRow, tak_eplan_rows
from cli.demo.writer import BatchWriter, Operator
from ledger.domain.eplan import plan_stream_id
from ledger.domain.organizations import organization_stream_id

PROVINCE = "ตาก"
PLAN_YEARS = (2560, 2561, 2562)
AS_OF = date(2016, 10, 3)
"""The table's "ข้อมูล ณ 03/10/2559"."""

ORGANIZATION_TYPE = {
    "pao": "pao",
    "city": "city_municipality",
    "town": "town_municipality",
    "subdistrict": "subdistrict_municipality",
    "sao": "sao",
}
TYPE_DIGIT = {"pao": "1", "city": "2", "town": "3", "subdistrict": "5", "sao": "6"}
DRAFTED_ON = date(2015, 10, 1)
VISION_ON = date(2015, 11, 2)
PROJECTS_ON = date(2016, 1, 15)
UNDATED_APPROVAL_ON = date(2016, 9, 30)
BUDGET_ON = date(2016, 10, 1)
TAK_NAMESPACE = UUID("4f6b8a0e-2c1d-4b5e-9f3a-7d2c1b0e6a58")

STRATEGY_TITLES = (
    "การพัฒนาโครงสร้างพื้นฐาน",
    "การพัฒนาเศรษฐกิจและการท่องเที่ยว",
    "การพัฒนาคุณภาพชีวิตและสังคม",
    "การพัฒนาการศึกษา ศาสนาและวัฒนธรรม",
    "การจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "การพัฒนาการเมืองและการบริหาร",
    "การรักษาความสงบเรียบร้อยและความมั่นคง",
    "การพัฒนาด้านสาธารณสุข",
)
PROJECT_KINDS = (
    "ก่อสร้างถนนคอนกรีตเสริมเหล็ก",
    "ก่อสร้างรางระบายน้ำ",
    "ขยายเขตไฟฟ้าสาธารณะ",
    "ขุดลอกคลองและแหล่งน้ำ",
    "ฝึกอบรมอาชีพ",
    "ส่งเสริมกีฬาและนันทนาการ",
    "อาหารเสริม (นม) โรงเรียน",
    "รณรงค์ป้องกันโรคไข้เลือดออก",
)


def lao_code(row: TakEplanRow) -> str:
    """A made-up 7-digit DLA code: type digit, province 63, the row number."""
    return f"{TYPE_DIGIT[row.lao_type]}63{row.no:04d}"


def lao_name(row: TakEplanRow) -> str:
    return f"{LAO_TYPE_PREFIX[row.lao_type]}{row.name}"


def load_organizations(writer: BatchWriter, admin: Operator) -> list[str]:
    """DLA registers the 69 LAOs of Tak; their DLA codes, in the table's order."""
    codes = []
    for row in tak_eplan_rows():
        code = lao_code(row)
        stream = organization_stream_id(code)
        writer.new_stream(stream)
        writer.add(
            admin,
            stream,
            "OrganizationRegistered",
            {
                "code": code,
                "name": lao_name(row),
                "type": ORGANIZATION_TYPE[row.lao_type],
                "province": PROVINCE,
                "district": row.district,
            },
            DRAFTED_ON,
        )
        codes.append(code)
    return codes


def reports_a_plan(row: TakEplanRow) -> bool:
    return (
        row.vision_done
        or row.strategies is not None
        or any(count is not None for count in row.plan_projects.values())
        or row.plan_approved
    )


def load_eplan(writer: BatchWriter, planning: Operator, finance: Operator) -> None:
    """Every row's plan, vision, strategies, projects, approval and budget approvals."""
    for row in tak_eplan_rows():
        if reports_a_plan(row):
            _load_row(writer, planning, finance, row)


def _load_row(writer: BatchWriter, planning: Operator, finance: Operator, row: TakEplanRow) -> None:
    code = lao_code(row)
    plan = plan_stream_id(code, PLAN_YEARS[0], PLAN_YEARS[-1])
    strategies = _load_plan(writer, planning, row, code, plan)
    counts = [row.plan_projects[year] or 0 for year in PLAN_YEARS]
    projects = [
        _load_project(writer, planning, code, plan, strategies, counts, index)
        for index in range(max(counts))
    ]
    if row.plan_approved:
        approval: dict[str, str] = {"approver": f"นายก{lao_name(row)}"}
        if row.plan_approved_on is not None:
            approval["approved_on"] = row.plan_approved_on.isoformat()
        writer.add(
            planning, plan, "PlanApproved", approval, row.plan_approved_on or UNDATED_APPROVAL_ON
        )
    first_year = [p for index, p in enumerate(projects) if index < counts[0]]
    for stream in first_year[: row.budget_approved or 0]:
        writer.add(
            finance,
            stream,
            "BudgetApproved",
            {"fiscal_year": PLAN_YEARS[0], "amount": "50000.00", "source": "own_revenue"},
            BUDGET_ON,
        )


def _load_plan(
    writer: BatchWriter, planning: Operator, row: TakEplanRow, code: str, plan: UUID
) -> list[str]:
    """The 3-year plan, its vision when done and its strategies; the strategies' numbers."""
    writer.new_stream(plan)
    writer.add(
        planning,
        plan,
        "PlanDrafted",
        {
            "lao": code,
            "province": PROVINCE,
            "first_year": PLAN_YEARS[0],
            "last_year": PLAN_YEARS[-1],
            "title": f"แผนพัฒนาสามปี (พ.ศ. 2560-2562) {lao_name(row)}",
        },
        DRAFTED_ON,
    )
    if row.vision_done:
        writer.add(
            planning,
            plan,
            "VisionRecorded",
            {"vision": f"{lao_name(row)} น่าอยู่ ประชาชนมีคุณภาพชีวิตที่ดี เศรษฐกิจพอเพียง"},
            VISION_ON,
        )
    strategies = [str(n) for n in range(1, (row.strategies or 0) + 1)]
    for strategy in strategies:
        title = STRATEGY_TITLES[(int(strategy) - 1) % len(STRATEGY_TITLES)]
        writer.add(
            planning, plan, "StrategyAdded", {"strategy": strategy, "title": title}, VISION_ON
        )
    return strategies


def _load_project(
    writer: BatchWriter,
    planning: Operator,
    code: str,
    plan: UUID,
    strategies: list[str],
    counts: list[int],
    index: int,
) -> UUID:
    """Project ``index`` of the plan, planned in every year whose count exceeds it; its stream."""
    stream = uuid5(TAK_NAMESPACE, f"{code}:project:{index + 1}")
    writer.new_stream(stream)
    years = {
        str(year): f"{50_000 * (1 + (index + offset) % 20)}.00"
        for offset, (year, count) in enumerate(zip(PLAN_YEARS, counts, strict=True))
        if index < count
    }
    writer.add(
        planning,
        stream,
        "PlanProjectAdded",
        {
            "plan": str(plan),
            "lao": code,
            "province": PROVINCE,
            "strategy": strategies[index % len(strategies)],
            "title": f"{PROJECT_KINDS[index % len(PROJECT_KINDS)]} ที่ {index + 1}",
            "years": years,
        },
        PROJECTS_ON,
    )
    return stream
