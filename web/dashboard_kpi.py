"""The dashboards of targets: completeness against the 90% KPI target (with LPA 2.9) and the
Section 35 ratio against the 40% cap, each as horizontal bars with the target line.

The numbers are the report's (``LaoKpi.percent``, ``ProvinceKpi.percent``,
``Section35Row.ratio``): nothing here computes a KPI. A chart draws at most ``MAX_BARS`` LAOs,
and only those with something to draw (records; a budget), saying how many it leaves to the
table, which lists every LAO of the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlencode

from markupsafe import Markup

from projections.reports.kpi import TARGET_PERCENT, LaoKpi, ProvinceKpi
from projections.reports.results import KpiReport, Section35Report
from projections.views.section35 import LIMIT, Section35Row
from web.charts import Bar, axis_max, bar_chart
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


def kpi_dashboard(report: KpiReport, words: Words, query: dict[str, str]) -> Dashboard:
    """Two figures: each province's share of complete LAOs, and each LAO's share of complete
    and certified records, both against the 90% target; the LPA 2.9 scores in the tables."""
    download = download_link("kpi", query)
    return Dashboard(
        (_province_figure(report, words, download), _lao_figure(report, words, download))
    )


def _kpi_chart(
    chart_id: str, title: str, desc: str, bars: list[Bar], words: Words
) -> Markup | None:
    t = words.t
    if not bars:
        return None
    return bar_chart(
        chart_id,
        title,
        desc,
        bars,
        target=TARGET_PERCENT,
        target_label=t(f"เป้าหมาย {TARGET_PERCENT:g}%", f"target {TARGET_PERCENT:g}%"),
        legend=(t("ถึงเป้าหมาย", "meets the target"), t("ต่ำกว่าเป้าหมาย", "below the target")),
    )


def _yes(words: Words, value: bool) -> Cell:
    return Cell(words.t("ผ่าน", "yes") if value else words.t("ไม่ผ่าน", "no"))


def _province_figure(report: KpiReport, words: Words, download: str) -> Figure:
    t = words.t
    provinces = sorted(report.provinces, key=lambda p: (p.percent, p.province))
    bars = [
        Bar(p.province, p.percent, f"{percent(p.percent)} ({p.laos_complete}/{p.laos})")
        for p in provinces
    ]
    met = sum(p.meets_target for p in provinces)
    listed = "; ".join(f"{p.province} {percent(p.percent)}" for p in provinces)
    desc = t(
        f"ร้อยละของ อปท. ที่ข้อมูลครบถ้วนและรับรองแล้วทุกฉบับ รายจังหวัด เทียบเป้าหมายร้อยละ "
        f"{TARGET_PERCENT:g}: ถึงเป้าหมาย {met} จาก {len(provinces)} จังหวัด; {listed}",
        f"Share of LAOs whose records are all complete and certified, per province, against the "
        f"{TARGET_PERCENT:g}% target: {met} of {len(provinces)} provinces meet it; {listed}",
    )
    title = t("ความครบถ้วนรายจังหวัด", "Completeness per province")
    return Figure(
        "kpi-provinces",
        title,
        _kpi_chart("kpi-provinces-chart", title, desc, bars, words),
        (_province_table(provinces, words),),
        download,
        headline=t(
            f"ถึงเป้าหมาย {met} จาก {len(provinces)} จังหวัด",
            f"{met} of {len(provinces)} provinces meet the target",
        ),
    )


def _province_table(provinces: Sequence[ProvinceKpi], words: Words) -> DataTable:
    t = words.t
    return DataTable(
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
                _yes(words, p.meets_target),
                Cell(f"{p.complete_and_certified:,}/{p.records:,}", number=True),
                count_cell(p.lpa_2_9_full_marks),
            )
            for p in provinces
        ),
    )


def _left_out(words: Words, drawn: int, empty: int, more: int, what: tuple[str, str]) -> str:
    """What a chart leaves to the table: LAOs with nothing to draw, and those past the limit."""
    th, en = what
    return words.t(
        f"แผนภูมิแสดง {drawn} แห่ง; {th} {empty} แห่ง และไม่ได้แสดงอีก {more} แห่ง: ดูครบทุกแห่งในตาราง",
        f"The chart shows {drawn} LAOs; {empty} {en} and {more} more are not drawn: the table "
        "lists them all.",
    )


def _lao_figure(report: KpiReport, words: Words, download: str) -> Figure:
    t = words.t
    name = {k.lao: report.names.lao(k.lao) or k.lao for k in report.laos}
    laos = sorted(report.laos, key=lambda k: (k.percent, name[k.lao]))
    with_records = [k for k in laos if k.records > 0]
    charted = with_records[:MAX_BARS]  # the furthest from the target first
    bars = [Bar(name[k.lao], k.percent, _kpi_text(k)) for k in charted]
    met, full = sum(k.meets_target for k in laos), sum(k.lpa_2_9 > 0 for k in laos)
    listed = "; ".join(f"{name[k.lao]} {percent(k.percent)}" for k in charted)
    left_out = ""
    if len(charted) < len(laos):
        empty, more = len(laos) - len(with_records), len(with_records) - len(charted)
        what = ("ยังไม่มีทะเบียนประวัติ", "have no records yet")
        left_out = " " + _left_out(words, len(charted), empty, more, what)
    desc = t(
        f"ร้อยละของทะเบียนประวัติที่ครบถ้วนและรับรองแล้ว ราย อปท. เทียบเป้าหมายร้อยละ "
        f"{TARGET_PERCENT:g}: ถึงเป้าหมาย {met} จาก {len(laos)} แห่ง; {listed}",
        f"Share of records complete and certified, per LAO, against the {TARGET_PERCENT:g}% "
        f"target: {met} of {len(laos)} LAOs meet it; {listed}",
    )
    title = t("ความครบถ้วนราย อปท.", "Completeness per LAO")
    note = t(
        "คะแนน LPA 2.9: 5 คะแนนเมื่อทะเบียนทุกฉบับครบถ้วนและรับรองแล้ว และหัวหน้า อปท. "
        "รับรองภายในกำหนด (ตามวันที่ระบบบันทึก)",
        "LPA 2.9: 5 points when every record is complete and certified and the head's "
        "certification was recorded by the deadline.",
    )
    return Figure(
        "kpi-laos",
        title,
        _kpi_chart("kpi-laos-chart", title, desc + left_out, bars, words),
        (_lao_table(laos, name, words),),
        download,
        note + left_out,
        t(
            f"ถึงเป้าหมาย {met} จาก {len(laos)} อปท. · ได้คะแนน LPA 2.9 เต็ม {full} แห่ง",
            f"{met} of {len(laos)} LAOs meet the target · {full} with full LPA 2.9",
        ),
    )


def _kpi_text(kpi: LaoKpi) -> str:
    """What a bar says: the percent and the records behind it (66.67% (6/9))."""
    return f"{percent(kpi.percent)} ({kpi.complete_and_certified}/{kpi.records})"


def _lao_table(laos: Sequence[LaoKpi], name: dict[str, str], words: Words) -> DataTable:
    t = words.t
    return DataTable(
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
                Cell(name[k.lao], head=True),
                Cell(k.province),
                Cell(k.cycle or "–"),
                Cell(words.code("cycle", k.cycle_state)),
                count_cell(k.records),
                count_cell(k.complete),
                count_cell(k.certified),
                count_cell(k.complete_and_certified),
                Cell(percent(k.percent), number=True),
                _yes(words, k.meets_target),
                Cell(t(f"{k.lpa_2_9} คะแนน", f"{k.lpa_2_9} points"), number=True),
            )
            for k in laos
        ),
    )


# Section 35.


def _ratio_percent(ratio: Decimal | None) -> float | None:
    return None if ratio is None else float(ratio * 100)


def section35_dashboard(report: Section35Report, words: Words, query: dict[str, str]) -> Dashboard:
    """Each LAO's personnel cost over its annual budget against the 40% cap (Section 35): the
    highest ratios drawn first, LAOs without a budget left to the table."""
    t, year = words.t, report.fiscal_year
    name = {row.lao: report.names.lao(row.lao) or row.lao for row in report.laos}
    rows = sorted(report.laos, key=lambda row: name[row.lao])
    budgeted = sorted(
        (row for row in rows if row.ratio is not None),
        key=lambda row: (-(row.ratio or 0), name[row.lao]),
    )
    charted = budgeted[:MAX_BARS]
    bars = [Bar(name[row.lao], _ratio_percent(row.ratio), _shown(row, words)) for row in charted]
    over = sum(row.over_limit for row in rows)
    listed = "; ".join(f"{name[row.lao]} {_shown(row, words)}" for row in charted)
    left_out = ""
    if len(charted) < len(rows):
        empty, more = len(rows) - len(budgeted), len(budgeted) - len(charted)
        what = ("ไม่มีงบประมาณรายจ่าย", "have no budget enacted")
        left_out = _left_out(words, len(charted), empty, more, what)
    title = t(
        f"สัดส่วนค่าใช้จ่ายด้านบุคคล (มาตรา 35) ปีงบประมาณ {year}",
        f"Personnel cost ratio (Section 35), fiscal year B.E. {year}",
    )
    desc = t(
        f"ค่าใช้จ่ายด้านบุคคลต่องบประมาณรายจ่ายประจำปี ราย อปท. เทียบเพดานร้อยละ {CAP_PERCENT:g}: "
        f"เกินเพดาน {over} จาก {len(rows)} แห่ง; {listed} {left_out}",
        f"Personnel cost over the annual expenditure budget per LAO against the {CAP_PERCENT:g}% "
        f"cap: {over} of {len(rows)} LAOs over it; {listed} {left_out}",
    )
    chart = None
    if bars:
        chart = bar_chart(
            "section35-chart",
            title,
            desc.strip(),
            bars,
            target=CAP_PERCENT,
            target_label=t(f"เพดาน {CAP_PERCENT:g}%", f"cap {CAP_PERCENT:g}%"),
            legend=(t("ไม่เกินเพดาน", "within the cap"), t("เกินเพดาน", "over the cap")),
            maximum=axis_max([bar.value for bar in bars], CAP_PERCENT + 20),
            over_is_bad=True,
        )
    headline = t(
        f"เกินเพดานร้อยละ {CAP_PERCENT:g}: {over} จาก {len(rows)} อปท.",
        f"Over the {CAP_PERCENT:g}% cap: {over} of {len(rows)} LAOs",
    )
    table = _section35_table(rows, name, year, words)
    download = download_link("section35", query)
    note = left_out if bars else ""
    return Dashboard((Figure("section35", title, chart, (table,), download, note, headline),))


def _shown(row: Section35Row, words: Words) -> str:
    value = _ratio_percent(row.ratio)
    return words.t("ไม่มีงบประมาณรายจ่าย", "no budget enacted") if value is None else f"{value:.2f}%"


def _section35_table(
    rows: Sequence[Section35Row], name: dict[str, str], year: int, words: Words
) -> DataTable:
    t = words.t
    return DataTable(
        "section35-table",
        t(
            f"สัดส่วนค่าใช้จ่ายด้านบุคคล ปีงบประมาณ {year}",
            f"Personnel cost ratio, fiscal year B.E. {year}",
        ),
        (
            t("อปท.", "LAO"),
            t("จังหวัด", "Province"),
            t("บุคลากร (คน)", "Staff"),
            t("ค่าใช้จ่ายด้านบุคคล (บาท)", "Personnel cost (THB)"),
            t("งบประมาณรายจ่าย (บาท)", "Expenditure budget (THB)"),
            t("ร้อยละ", "Ratio"),
            t(f"เกินเพดาน {CAP_PERCENT:g}%", f"Over the {CAP_PERCENT:g}% cap"),
        ),
        tuple(
            (
                Cell(name[row.lao], head=True),
                Cell(row.province),
                count_cell(row.staff),
                Cell(format_money(row.personnel_cost), number=True),
                Cell(format_money(row.budget) or "–", number=True),
                Cell(_shown(row, words), number=True),
                Cell(t("เกิน", "over") if row.over_limit else t("ไม่เกิน", "within")),
            )
            for row in rows
        ),
    )
