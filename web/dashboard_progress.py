"""The dashboards of progress: certification through the cycle (how many LAOs at each state,
per province, with each LAO's deadlines and what is overdue) and retirements per fiscal year.

They count the report's rows (LAOs per state, people per year) and draw those counts; every
count is in the table under the chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from projections.reports.results import CertificationReport, Table
from projections.reports.retirements import RetirementGroup
from projections.views.certification import CycleRow
from web.charts import Bar, Segment, Stack, column_chart, stacked_chart
from web.dashboard_model import (
    Cell,
    Dashboard,
    DataTable,
    Figure,
    Words,
    count_cell,
    download_link,
)

STATE_ORDER = ("draft", "stale", "submitted", "lao_certified", "province_verified", "dla_accepted")
STATE_FILLS = {
    "draft": ("#4a4a4a", True),
    "stale": ("#a4161a", True),
    "submitted": ("#8a4500", False),
    "lao_certified": ("#0b4f9c", False),
    "province_verified": ("#5b2a86", False),
    "dla_accepted": ("#1b5e20", False),
}
"""Each state's fill (white text on each is above 4.5:1); the states still waiting for the LAO
are striped as well."""


def _overdue(row: CycleRow, today: date, words: Words) -> str:
    late = [
        words.t("อปท. เลยกำหนด", "LAO late") if row.is_overdue("lao", today) else "",
        words.t("จังหวัดเลยกำหนด", "province late") if row.is_overdue("province", today) else "",
    ]
    return ", ".join(item for item in late if item) or "–"


def certification_dashboard(
    report: CertificationReport,
    chosen: str | None,
    cycles: tuple[str, ...],
    today: date,
    words: Words,
    query: dict[str, str],
) -> Dashboard:
    """How many LAOs stand at each state of the ``chosen`` cycle, per province (a stacked bar
    each), and every LAO's state with its deadlines and what is overdue today; ``cycles`` are
    the ones the form offers."""
    t = words.t
    rows = sorted(
        (row for row in report.cycles if row.cycle == chosen),
        key=lambda row: (row.province, report.names.lao(row.lao) or row.lao),
    )
    segments = [
        Segment(state, words.code("cycle", state), *STATE_FILLS[state]) for state in STATE_ORDER
    ]
    by_province: dict[str, Counter[str]] = {}
    for row in rows:
        by_province.setdefault(row.province, Counter())[row.state] += 1
    stacks = [Stack(province, dict(counts)) for province, counts in by_province.items()]
    totals = "; ".join(f"{s.label} {sum(r.state == s.key for r in rows)}" for s in segments)
    title = t(f"ความก้าวหน้าการรับรองข้อมูล รอบ {chosen}", f"Certification progress, cycle {chosen}")
    desc = t(
        f"จำนวน อปท. ในแต่ละสถานะของรอบ {chosen} รวม {len(rows)} แห่ง: {totals}",
        f"LAOs at each state of cycle {chosen}, {len(rows)} in all: {totals}",
    )
    chart = stacked_chart("certification-chart", title, desc, stacks, segments) if rows else None
    certified = sum(row.is_certified for row in rows)
    late = sum(row.is_overdue("lao", today) or row.is_overdue("province", today) for row in rows)
    figure = Figure(
        "certification",
        title if chosen else t("ความก้าวหน้าการรับรองข้อมูล", "Certification progress"),
        chart,
        (_state_table(stacks, segments, words), _cycle_table(report, rows, today, words)),
        download_link("certification", query | {"cycle": chosen or ""}),
        headline=t(
            f"รวม {len(rows)} อปท. · รับรองโดย อปท. แล้วหรือเลยขั้นนั้น {certified} แห่ง · "
            f"เลยกำหนด ณ วันนี้ {late} แห่ง",
            f"{len(rows)} LAOs · {certified} certified by the LAO or further · "
            f"{late} overdue today",
        ),
    )
    return Dashboard((figure,), {"cycle": cycles})


def _state_table(stacks: Sequence[Stack], segments: Sequence[Segment], words: Words) -> DataTable:
    t = words.t
    return DataTable(
        "certification-states-table",
        t("จำนวน อปท. ในแต่ละสถานะ รายจังหวัด", "LAOs at each state, per province"),
        (t("จังหวัด", "Province"), *(s.label for s in segments), t("รวม", "Total")),
        tuple(
            (
                Cell(stack.label, head=True),
                *(count_cell(stack.counts.get(s.key, 0)) for s in segments),
                count_cell(sum(stack.counts.values())),
            )
            for stack in stacks
        ),
    )


def _cycle_table(
    report: CertificationReport, rows: Sequence[CycleRow], today: date, words: Words
) -> DataTable:
    t = words.t
    return DataTable(
        "certification-laos-table",
        t("สถานะและกำหนดเวลา ราย อปท.", "Each LAO's state and deadlines"),
        (
            t("อปท.", "LAO"),
            t("จังหวัด", "Province"),
            t("สถานะ", "State"),
            t("กำหนด อปท. รับรอง", "LAO deadline"),
            t("กำหนดจังหวัดรับรอง", "Province deadline"),
            t("กำหนด สถ. รับข้อมูล", "DLA deadline"),
            t("เลยกำหนด ณ วันนี้", "Overdue today"),
        ),
        tuple(
            (
                Cell(report.names.lao(row.lao) or row.lao, head=True),
                Cell(row.province),
                Cell(words.code("cycle", row.state)),
                Cell(words.day(row.lao_deadline)),
                Cell(words.day(row.province_deadline)),
                Cell(words.day(row.dla_deadline)),
                Cell(_overdue(row, today, words)),
            )
            for row in rows
        ),
    )


# Retirements.


def retirements_dashboard(
    table: Table[RetirementGroup], first: int, last: int, words: Words, query: dict[str, str]
) -> Dashboard:
    """People retiring at the end of each fiscal year (a column each, years with none too), and
    the groups by LAO and position line."""
    t = words.t
    people: Counter[int] = Counter()
    scheduled: Counter[int] = Counter()
    for group in table.rows:
        people[group.fiscal_year] += group.people
        scheduled[group.fiscal_year] += group.scheduled
    years = range(first, last + 1)
    total, busiest = sum(people.values()), max(years, key=lambda y: (people[y], -y))
    title = t(
        f"ผู้เกษียณอายุราชการ ปีงบประมาณ {first}–{last}",
        f"Retirements, fiscal years B.E. {first}–{last}",
    )
    desc = t(
        f"จำนวนผู้เกษียณอายุราชการเมื่อสิ้นปีงบประมาณ รวม {total} คน: "
        + "; ".join(f"ปีงบประมาณ {year} {people[year]} คน" for year in years),
        f"People retiring at the end of each fiscal year, {total} in all: "
        + "; ".join(f"B.E. {year}: {people[year]}" for year in years),
    )
    columns = [Bar(str(year), float(people[year]), str(people[year])) for year in years]
    chart = None
    if table.rows:  # no one in any year: no data, not a chart of zeros
        chart = column_chart("retirements-chart", title, desc, columns, unit=t("คน", "people"))
    totals = DataTable(
        "retirements-years-table",
        t("ผู้เกษียณอายุราชการ รายปีงบประมาณ", "Retirements per fiscal year"),
        (
            t("ปีงบประมาณ (พ.ศ.)", "Fiscal year (B.E.)"),
            t("จำนวน (คน)", "People"),
            t("ระบบแจ้งกำหนดเกษียณแล้ว", "Scheduled by the system"),
        ),
        tuple(
            (Cell(str(year), head=True), count_cell(people[year]), count_cell(scheduled[year]))
            for year in years
            if table.rows
        ),
    )
    headline = t(
        f"รวม {total} คน ในปีงบประมาณ {first}–{last}; มากที่สุดปี {busiest}",
        f"{total} people in fiscal years B.E. {first}–{last}; most in B.E. {busiest}",
    )
    tables = (totals, _groups_table(table, words))
    download = download_link("retirements", query)
    return Dashboard((Figure("retirements", title, chart, tables, download, "", headline),))


def _groups_table(table: Table[RetirementGroup], words: Words) -> DataTable:
    t = words.t
    return DataTable(
        "retirements-groups-table",
        t("ผู้เกษียณอายุราชการ ราย อปท. และสายงาน", "Retirements per LAO and line"),
        (
            t("ปีงบประมาณ (พ.ศ.)", "Fiscal year (B.E.)"),
            t("อปท.", "LAO"),
            t("จังหวัด", "Province"),
            t("สายงาน", "Line"),
            t("จำนวน (คน)", "People"),
        ),
        tuple(
            (
                Cell(str(group.fiscal_year), head=True),
                Cell(table.names.lao(group.lao) or group.lao),
                Cell(group.province),
                Cell(group.line),
                count_cell(group.people),
            )
            for group in table.rows
        ),
    )
