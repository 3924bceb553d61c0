"""What each dashboard shows: figures (a chart and its data table) built from the Reports
facade's answers, in Thai or English.

Each figure (``web.dashboard_model.Figure``) is a chart and the table of exactly the numbers it
draws, so it reads without the picture. The numbers are the report's
(``LaoKpi.percent``, ``Section35Row.ratio``...): nothing here computes a KPI of its own, it only
counts rows for the certification and retirement totals.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from markupsafe import Markup

from projections.reports.kpi import TARGET_PERCENT
from projections.reports.results import CertificationReport, KpiReport, Section35Report, Table
from projections.reports.retirements import RetirementGroup
from projections.views.certification import CycleRow
from projections.views.section35 import LIMIT
from web.charts import Bar, Segment, Stack, axis_max, bar_chart, column_chart, stacked_chart
from web.dashboard_model import (
    Cell,
    Dashboard,
    DataTable,
    Figure,
    Words,
    count_cell,
    download_link,
    percent,
)
from web.rendering import format_money

CAP_PERCENT = float(LIMIT * 100)
MAX_BARS = 30
"""The most LAOs one chart draws (a province can have a hundred); the table lists them all."""


# Completeness KPI and LPA 2.9.


def kpi_dashboard(report: KpiReport, words: Words, query: dict[str, str]) -> Dashboard:
    """Two figures: each province's share of complete LAOs, and each LAO's share of complete
    and certified records, both against the 90% target; the LPA 2.9 scores in the tables."""
    t, download = words.t, download_link("kpi", query)
    target = t(f"เป้าหมาย {TARGET_PERCENT:g}%", f"target {TARGET_PERCENT:g}%")
    legend = (t("ถึงเป้าหมาย", "meets the target"), t("ต่ำกว่าเป้าหมาย", "below the target"))
    provinces = sorted(report.provinces, key=lambda p: (p.percent, p.province))
    province_bars = [
        Bar(p.province, p.percent, f"{percent(p.percent)} ({p.laos_complete}/{p.laos})")
        for p in provinces
    ]
    met = sum(p.meets_target for p in provinces)
    province_desc = t(
        f"ร้อยละของ อปท. ที่ข้อมูลครบถ้วนและรับรองแล้วทุกฉบับ รายจังหวัด เทียบเป้าหมายร้อยละ "
        f"{TARGET_PERCENT:g}: ถึงเป้าหมาย {met} จาก {len(provinces)} จังหวัด; "
        + "; ".join(f"{p.province} {percent(p.percent)}" for p in provinces),
        f"Share of LAOs whose records are all complete and certified, per province, against the "
        f"{TARGET_PERCENT:g}% target: {met} of {len(provinces)} provinces meet it; "
        + "; ".join(f"{p.province} {percent(p.percent)}" for p in provinces),
    )
    province_title = t("ความครบถ้วนรายจังหวัด", "Completeness per province")
    province_table = DataTable(
        "kpi-provinces-table",
        t("อปท. ที่ข้อมูลครบถ้วนและรับรองแล้ว รายจังหวัด", "LAOs complete and certified"),
        (
            t("จังหวัด", "Province"),
            t("จำนวน อปท.", "LAOs"),
            t("อปท. ที่ครบถ้วน", "LAOs complete"),
            t("ร้อยละ", "Percent"),
            t("ผ่านเป้าหมาย", "Meets target"),
            t("ทะเบียนครบถ้วนและรับรอง", "Records complete and certified"),
            t("อปท. ได้คะแนน LPA 2.9 เต็ม", "LAOs with full LPA 2.9"),
        ),
        tuple(
            (
                Cell(p.province, head=True, href="?" + urlencode({"province": p.province})),
                count_cell(p.laos),
                count_cell(p.laos_complete),
                Cell(percent(p.percent), number=True),
                Cell(t("ผ่าน", "yes") if p.meets_target else t("ไม่ผ่าน", "no")),
                Cell(f"{p.complete_and_certified:,}/{p.records:,}", number=True),
                count_cell(p.lpa_2_9_full_marks),
            )
            for p in provinces
        ),
    )
    laos = sorted(report.laos, key=lambda k: (k.percent, report.names.lao(k.lao) or k.lao))
    lao_name = {k.lao: report.names.lao(k.lao) or k.lao for k in laos}
    with_records = [k for k in laos if k.records > 0]
    charted = with_records[:MAX_BARS]  # the furthest from the target first
    left_out = t(
        f"แผนภูมิแสดง {len(charted)} แห่งที่มีทะเบียนประวัติ (ต่ำสุดก่อน); ยังไม่มีทะเบียนประวัติ "
        f"{len(laos) - len(with_records)} แห่ง และไม่ได้แสดงอีก "
        f"{len(with_records) - len(charted)} แห่ง: ดูครบทุกแห่งในตาราง",
        f"The chart shows {len(charted)} LAOs with records (lowest first); "
        f"{len(laos) - len(with_records)} have no records yet and "
        f"{len(with_records) - len(charted)} more are not drawn: the table lists them all.",
    )
    lao_bars = [
        Bar(
            lao_name[k.lao],
            k.percent,
            f"{percent(k.percent)} ({k.complete_and_certified}/{k.records})",
        )
        for k in charted
    ]
    lao_met = sum(k.meets_target for k in laos)
    full = sum(k.lpa_2_9 > 0 for k in laos)
    lao_desc = t(
        f"ร้อยละของทะเบียนประวัติที่ครบถ้วนและรับรองแล้ว ราย อปท. เทียบเป้าหมายร้อยละ "
        f"{TARGET_PERCENT:g}: ถึงเป้าหมาย {lao_met} จาก {len(laos)} แห่ง; "
        + "; ".join(f"{lao_name[k.lao]} {percent(k.percent)}" for k in charted),
        f"Share of records complete and certified, per LAO, against the {TARGET_PERCENT:g}% "
        f"target: {lao_met} of {len(laos)} LAOs meet it; "
        + "; ".join(f"{lao_name[k.lao]} {percent(k.percent)}" for k in charted),
    )
    if len(charted) < len(laos):
        lao_desc += " (" + left_out + ")"
    lao_title = t("ความครบถ้วนราย อปท.", "Completeness per LAO")
    lao_table = DataTable(
        "kpi-laos-table",
        t("ความครบถ้วนและการรับรองข้อมูล ราย อปท.", "Completeness and certification per LAO"),
        (
            t("อปท.", "LAO"),
            t("จังหวัด", "Province"),
            t("รอบ", "Cycle"),
            t("สถานะการรับรอง", "Certification state"),
            t("ทะเบียน", "Records"),
            t("ครบถ้วน", "Complete"),
            t("รับรองแล้ว", "Certified"),
            t("ครบถ้วนและรับรอง", "Complete and certified"),
            t("ร้อยละ", "Percent"),
            t("ผ่านเป้าหมาย", "Meets target"),
            t("คะแนน LPA 2.9", "LPA 2.9 score"),
        ),
        tuple(
            (
                Cell(lao_name[k.lao], head=True),
                Cell(k.province),
                Cell(k.cycle or "–"),
                Cell(words.code("cycle", k.cycle_state)),
                count_cell(k.records),
                count_cell(k.complete),
                count_cell(k.certified),
                count_cell(k.complete_and_certified),
                Cell(percent(k.percent), number=True),
                Cell(t("ผ่าน", "yes") if k.meets_target else t("ไม่ผ่าน", "no")),
                Cell(t(f"{k.lpa_2_9} คะแนน", f"{k.lpa_2_9} points"), number=True),
            )
            for k in laos
        ),
    )

    def chart(chart_id: str, title: str, desc: str, bars: list[Bar]) -> Markup | None:
        if not bars:
            return None
        return bar_chart(
            chart_id, title, desc, bars, target=TARGET_PERCENT, target_label=target, legend=legend
        )

    return Dashboard(
        (
            Figure(
                "kpi-provinces",
                province_title,
                chart("kpi-provinces-chart", province_title, province_desc, province_bars),
                (province_table,),
                download,
                headline=t(
                    f"ถึงเป้าหมาย {met} จาก {len(provinces)} จังหวัด",
                    f"{met} of {len(provinces)} provinces meet the target",
                ),
            ),
            Figure(
                "kpi-laos",
                lao_title,
                chart("kpi-laos-chart", lao_title, lao_desc, lao_bars),
                (lao_table,),
                download,
                t(
                    "คะแนน LPA 2.9: 5 คะแนนเมื่อทะเบียนทุกฉบับครบถ้วนและรับรองแล้ว และหัวหน้า อปท. "
                    "รับรองภายในกำหนด (ตามวันที่ระบบบันทึก)",
                    "LPA 2.9: 5 points when every record is complete and certified and the head's "
                    "certification was recorded by the deadline.",
                )
                + (" " + left_out if len(charted) < len(laos) else ""),
                t(
                    f"ถึงเป้าหมาย {lao_met} จาก {len(laos)} อปท. · ได้คะแนน LPA 2.9 เต็ม {full} แห่ง",
                    f"{lao_met} of {len(laos)} LAOs meet the target · {full} with full LPA 2.9",
                ),
            ),
        )
    )


# Certification progress.

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
    totals = Counter(row.state for row in rows)
    title = t(f"ความก้าวหน้าการรับรองข้อมูล รอบ {chosen}", f"Certification progress, cycle {chosen}")
    desc = t(
        f"จำนวน อปท. ในแต่ละสถานะของรอบ {chosen} รวม {len(rows)} แห่ง: "
        + "; ".join(f"{s.label} {totals[s.key]}" for s in segments),
        f"LAOs at each state of cycle {chosen}, {len(rows)} in all: "
        + "; ".join(f"{s.label} {totals[s.key]}" for s in segments),
    )
    state_table = DataTable(
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
    lao_table = DataTable(
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
    chart = stacked_chart("certification-chart", title, desc, stacks, segments) if rows else None
    certified = sum(row.is_certified for row in rows)
    late = sum(row.is_overdue("lao", today) or row.is_overdue("province", today) for row in rows)
    figure = Figure(
        "certification",
        title if chosen else t("ความก้าวหน้าการรับรองข้อมูล", "Certification progress"),
        chart,
        (state_table, lao_table),
        download_link("certification", query | {"cycle": chosen or ""}),
        headline=t(
            f"รวม {len(rows)} อปท. · รับรองโดย อปท. แล้วหรือเลยขั้นนั้น {certified} แห่ง · "
            f"เลยกำหนด ณ วันนี้ {late} แห่ง",
            f"{len(rows)} LAOs · {certified} certified by the LAO or further · "
            f"{late} overdue today",
        ),
    )
    return Dashboard((figure,), {"cycle": cycles})


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
    columns = [Bar(str(year), float(people[year]), str(people[year])) for year in years]
    title = t(
        f"ผู้เกษียณอายุราชการ ปีงบประมาณ {first}–{last}", f"Retirements, fiscal years {first}–{last}"
    )
    desc = t(
        f"จำนวนผู้เกษียณอายุราชการเมื่อสิ้นปีงบประมาณ รวม {sum(people.values())} คน: "
        + "; ".join(f"ปีงบประมาณ {year} {people[year]} คน" for year in years),
        f"People retiring at the end of each fiscal year, {sum(people.values())} in all: "
        + "; ".join(f"FY{year} {people[year]}" for year in years),
    )
    totals = DataTable(
        "retirements-years-table",
        t("ผู้เกษียณอายุราชการ รายปีงบประมาณ", "Retirements per fiscal year"),
        (
            t("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"),
            t("จำนวน (คน)", "People"),
            t("ระบบแจ้งกำหนดเกษียณแล้ว", "Scheduled by the system"),
        ),
        tuple(
            (Cell(str(year), head=True), count_cell(people[year]), count_cell(scheduled[year]))
            for year in years
            if table.rows  # no one in any year: no data, not a table of zeros
        ),
    )
    groups = DataTable(
        "retirements-groups-table",
        t("ผู้เกษียณอายุราชการ ราย อปท. และสายงาน", "Retirements per LAO and line"),
        (
            t("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"),
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
    chart = (
        column_chart("retirements-chart", title, desc, columns, unit=t("คน", "people"))
        if table.rows
        else None
    )
    figure = Figure(
        "retirements",
        title,
        chart,
        (totals, groups),
        download_link("retirements", query),
        headline=t(
            f"รวม {sum(people.values())} คน ในปีงบประมาณ {first}–{last}; มากที่สุดปี "
            f"{max(years, key=lambda y: (people[y], -y))}",
            f"{sum(people.values())} people in FY{first}–{last}; most in "
            f"FY{max(years, key=lambda y: (people[y], -y))}",
        )
        if table.rows
        else "",
    )
    return Dashboard((figure,))


# Section 35.


def _ratio_percent(ratio: Decimal | None) -> float | None:
    return None if ratio is None else float(ratio * 100)


def section35_dashboard(report: Section35Report, words: Words, query: dict[str, str]) -> Dashboard:
    """Each LAO's personnel cost over its annual budget against the 40% cap (Section 35)."""
    t, year = words.t, report.fiscal_year
    rows = sorted(report.laos, key=lambda row: report.names.lao(row.lao) or row.lao)
    name = {row.lao: report.names.lao(row.lao) or row.lao for row in rows}
    no_budget = t("ไม่มีงบประมาณรายจ่าย", "no budget enacted")

    def shown(row_ratio: Decimal | None) -> str:
        value = _ratio_percent(row_ratio)
        return no_budget if value is None else f"{value:.2f}%"

    budgeted = sorted(
        (row for row in rows if row.ratio is not None),
        key=lambda row: (-(row.ratio or 0), name[row.lao]),
    )
    charted = budgeted[:MAX_BARS]  # the highest ratios first
    bars = [Bar(name[row.lao], _ratio_percent(row.ratio), shown(row.ratio)) for row in charted]
    over = sum(row.over_limit for row in rows)
    left_out = t(
        f"แผนภูมิแสดง {len(charted)} แห่งที่มีงบประมาณรายจ่าย (สูงสุดก่อน); ไม่มีงบประมาณรายจ่าย "
        f"{len(rows) - len(budgeted)} แห่ง และไม่ได้แสดงอีก {len(budgeted) - len(charted)} แห่ง: "
        "ดูครบทุกแห่งในตาราง",
        f"The chart shows {len(charted)} LAOs with a budget (highest first); "
        f"{len(rows) - len(budgeted)} have no budget enacted and "
        f"{len(budgeted) - len(charted)} more are not drawn: the table lists them all.",
    )
    title = t(
        f"สัดส่วนค่าใช้จ่ายด้านบุคคล (มาตรา 35) ปีงบประมาณ {year}",
        f"Personnel cost ratio (Section 35), FY{year}",
    )
    desc = t(
        f"ค่าใช้จ่ายด้านบุคคลต่องบประมาณรายจ่ายประจำปี ราย อปท. เทียบเพดานร้อยละ {CAP_PERCENT:g}: "
        f"เกินเพดาน {over} จาก {len(rows)} แห่ง; "
        + "; ".join(f"{name[row.lao]} {shown(row.ratio)}" for row in charted),
        f"Personnel cost over the annual expenditure budget per LAO against the {CAP_PERCENT:g}% "
        f"cap: {over} of {len(rows)} LAOs over it; "
        + "; ".join(f"{name[row.lao]} {shown(row.ratio)}" for row in charted),
    )
    if len(charted) < len(rows):
        desc += " (" + left_out + ")"
    table = DataTable(
        "section35-table",
        t(f"สัดส่วนค่าใช้จ่ายด้านบุคคล ปีงบประมาณ {year}", f"Personnel cost ratio, FY{year}"),
        (
            t("อปท.", "LAO"),
            t("จังหวัด", "Province"),
            t("บุคลากร (คน)", "Staff"),
            t("ค่าใช้จ่ายด้านบุคคล (บาท)", "Personnel cost (THB)"),
            t("งบประมาณรายจ่าย (บาท)", "Expenditure budget (THB)"),
            t("ร้อยละ", "Ratio"),
            t("เกินเพดาน 40%", "Over the 40% cap"),
        ),
        tuple(
            (
                Cell(name[row.lao], head=True),
                Cell(row.province),
                count_cell(row.staff),
                Cell(format_money(row.personnel_cost), number=True),
                Cell(format_money(row.budget) or "–", number=True),
                Cell(shown(row.ratio), number=True),
                Cell(t("เกิน", "over") if row.over_limit else t("ไม่เกิน", "within")),
            )
            for row in rows
        ),
    )
    chart = None
    if any(bar.value is not None for bar in bars):
        chart = bar_chart(
            "section35-chart",
            title,
            desc,
            bars,
            target=CAP_PERCENT,
            target_label=t(f"เพดาน {CAP_PERCENT:g}%", f"cap {CAP_PERCENT:g}%"),
            legend=(t("ไม่เกินเพดาน", "within the cap"), t("เกินเพดาน", "over the cap")),
            maximum=axis_max([bar.value for bar in bars], CAP_PERCENT + 20),
            over_is_bad=True,
        )
    figure = Figure(
        "section35",
        title,
        chart,
        (table,),
        download_link("section35", query),
        note=left_out if chart is not None and len(charted) < len(rows) else "",
        headline=t(
            f"เกินเพดานร้อยละ {CAP_PERCENT:g}: {over} จาก {len(rows)} อปท.",
            f"Over the {CAP_PERCENT:g}% cap: {over} of {len(rows)} LAOs",
        )
        if chart is not None
        else "",
    )
    return Dashboard((figure,))
