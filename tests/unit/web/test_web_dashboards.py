"""The dashboards on the demo: each page draws its chart as well-formed, labelled SVG with the
target line where the rule puts it, the table under it holds the report's own numbers, an
empty report says ไม่มีข้อมูล, a bad year is refused naming the field, and the downloads are the
API's CSV and XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.reports.scope import ReadScope
from tests.unit.web.dashboard_kit import (
    app_reports,
    charts,
    shapes,
    tables,
    target_share,
    title_of,
    values,
)
from tests.unit.web.demo_world import (
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    operator_key,
)
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import log_in

PROVINCE = ReadScope(province="นครพนม")
LAO_NAME = "เทศบาลตำบลตัวอย่าง"


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger, demo: DemoFiles) -> Iterator[TestClient]:
    """The web app over the demo's copy on 15 January 2563, the province's officer logged in."""
    with demo_client(settings, ledger) as test_client:
        log_in(test_client, operator_key(demo, "province-nakhonphanom"))
        yield test_client


def _row(html: str, table: str, first_cell: str) -> list[str]:
    return next(row for row in tables(html)[table] if row and row[0] == first_cell)


def test_the_kpi_page_draws_each_lao_against_the_90_percent_target(client: TestClient) -> None:
    """The LAO chart is an image titled by its figure, its target line at 90%, its bar and its
    table row both the report's percent and LPA 2.9 score."""
    response = client.get("/app/dashboards/kpi")
    kpi = app_reports(client).kpi(PROVINCE).laos[0]

    chart = charts(response.text)["kpi-laos-chart"]
    (bar,) = shapes(chart, "bar")
    row = _row(response.text, "kpi-laos-table", LAO_NAME)

    assert 200 == response.status_code
    assert [] == page_problems(response.text)
    assert "img" == chart.attrib["role"]
    assert "ความครบถ้วนราย อปท." == title_of(chart)
    assert 90 == target_share(chart)
    assert (LAO_NAME, f"{kpi.percent:g}") == (bar.attrib["data-label"], bar.attrib["data-value"])
    assert [f"{kpi.percent:g}%", "ไม่ผ่าน", f"{kpi.lpa_2_9} คะแนน"] == row[8:11]
    assert "true" == bar.attrib["data-missed"]


def test_the_province_chart_counts_its_complete_laos(client: TestClient) -> None:
    """The province's bar is the share of its LAOs complete, with the count in its table."""
    html = client.get("/app/dashboards/kpi").text
    province = app_reports(client).kpi(PROVINCE).provinces[0]

    chart = charts(html)["kpi-provinces-chart"]
    row = _row(html, "kpi-provinces-table", "นครพนม")

    assert 90 == target_share(chart)
    assert [str(province.laos), str(province.laos_complete), f"{province.percent:g}%"] == row[1:4]


def test_section35_draws_the_ratio_against_the_40_percent_cap(client: TestClient) -> None:
    """FY2562's ratio is over the cap: the bar is marked over, the table says เกิน with the
    report's ratio and amounts."""
    html = client.get("/app/dashboards/section35", params={"fiscal_year": "2562"}).text
    found = app_reports(client).section35(PROVINCE, 2562).laos[0]
    assert found.ratio is not None
    percent = f"{found.ratio * 100:.2f}%"

    chart = charts(html)["section35-chart"]
    (bar,) = shapes(chart, "bar")
    row = _row(html, "section35-table", LAO_NAME)

    assert 40 == target_share(chart)
    assert "true" == bar.attrib["data-missed"]
    assert Decimal(bar.attrib["data-value"]) == found.ratio * 100
    assert [f"{found.personnel_cost:,.2f}", f"{found.budget:,.2f}", percent, "เกิน"] == row[3:]


def test_certification_progress_counts_the_laos_at_each_state(client: TestClient) -> None:
    """Cycle 2562's stacked bar holds every LAO of the cycle once, in its state, with the
    state's count in the table and the LAO's deadlines in Buddhist-era dates."""
    html = client.get("/app/dashboards/certification").text
    cycles = app_reports(client).certification(PROVINCE, "2562").cycles

    chart = charts(html)["certification-chart"]
    segments = values(chart, "segment")
    lao_row = _row(html, "certification-laos-table", LAO_NAME)

    assert "ความก้าวหน้าการรับรองข้อมูล รอบ 2562" == title_of(chart)
    assert len(cycles) == sum(segments.values())
    assert ["สถ.จ. ตรวจสอบและรับรองแล้ว", "31 ก.ค. 2562", "15 ส.ค. 2562"] == lao_row[2:5]
    assert {"สถ.จ. ตรวจสอบและรับรองแล้ว": 1} == segments


def test_retirements_draw_a_column_per_fiscal_year(client: TestClient) -> None:
    """Five fiscal years from FY2563 (Thai digits accepted), each column the report's total."""
    html = client.get("/app/dashboards/retirements", params={"first_year": "๒๕๖๓"}).text
    groups = app_reports(client).retirements(PROVINCE, 2563, 2567).rows

    chart = charts(html)["retirements-chart"]
    columns = values(chart, "column")
    expected = {
        str(y): sum(g.people for g in groups if g.fiscal_year == y) for y in range(2563, 2568)
    }

    assert expected == columns
    assert sum(expected.values()) > 0
    assert [str(expected["2564"])] == _row(html, "retirements-years-table", "2564")[1:2]


def test_an_empty_report_says_there_is_no_data(client: TestClient) -> None:
    """Years when nobody retires draw no chart and say ไม่มีข้อมูล; a fiscal year without a
    budget has no ratio to draw either."""
    html = client.get("/app/dashboards/retirements", params={"first_year": "2600"}).text
    unbudgeted = client.get("/app/dashboards/section35", params={"fiscal_year": "2600"}).text

    assert {} == charts(html)
    assert '<p class="no-data">ไม่มีข้อมูล' in html
    assert "retirements-years-table" not in tables(html)
    assert {} == charts(unbudgeted)
    assert '<p class="no-data">ไม่มีข้อมูล' in unbudgeted


def test_a_bad_year_is_refused_naming_the_field(client: TestClient) -> None:
    """A year that is not a Buddhist-era year is a 400 page naming fiscal_year in Thai, no chart."""
    response = client.get("/app/dashboards/section35", params={"fiscal_year": "20x9"})

    assert 400 == response.status_code
    assert 'data-field="fiscal_year"' in response.text
    assert "ต้องเป็นปี พ.ศ." in response.text
    assert {} == charts(response.text)


def test_the_downloads_are_the_reports_csv_and_xlsx(client: TestClient) -> None:
    """The figure's links download the report as CSV (Thai headings, the LAO's name) and XLSX."""
    html = client.get("/app/dashboards/kpi").text
    csv = client.get("/app/dashboards/kpi/download", params={"format": "csv"})
    xlsx = client.get(
        "/app/dashboards/section35/download", params={"format": "xlsx", "fiscal_year": "2562"}
    )

    assert 'href="/app/dashboards/kpi/download?format=csv"' in html
    assert 'attachment; filename="kpi.csv"' == csv.headers["content-disposition"]
    assert LAO_NAME in csv.text
    assert "ร้อยละ" in csv.text
    assert 'attachment; filename="section35-2562.xlsx"' == xlsx.headers["content-disposition"]
    assert xlsx.content.startswith(b"PK")


def test_english_switch_titles_the_charts_in_english(client: TestClient) -> None:
    """With the lang cookie set to en the chart's title and the table's headings are English."""
    client.cookies.set("lang", "en")
    html = client.get("/app/dashboards/kpi").text

    assert "Completeness per LAO" == title_of(charts(html)["kpi-laos-chart"])
    assert "Percent" in tables(html)["kpi-laos-table"][0]


def test_the_hr_officer_sees_only_their_lao(client: TestClient, demo: DemoFiles) -> None:
    """The LAO's HR officer reads its own LAO's figures; asking for Tak is the 403 page."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/dashboards/kpi").text
    elsewhere = client.get("/app/dashboards/kpi", params={"province": "ตาก"})

    assert [LAO_NAME] == [row[0] for row in tables(html)["kpi-laos-table"][1:]]
    assert LAO in client.get("/app/dashboards/kpi/download?format=csv").text
    assert 403 == elsewhere.status_code


def test_a_national_chart_draws_the_laos_with_data_and_the_table_lists_all(
    client: TestClient, demo: DemoFiles
) -> None:
    """The auditor sees Tak's 69 LAOs and the demo LAO: the charts draw only those with records
    (KPI) or a budget (Section 35) and say so; the tables list every LAO of the report."""
    log_in(client, operator_key(demo, "auditor"))
    everywhere = ReadScope()
    kpi = client.get("/app/dashboards/kpi").text
    ratios = client.get("/app/dashboards/section35", params={"fiscal_year": "2562"}).text
    laos = app_reports(client).kpi(everywhere).laos
    section35 = app_reports(client).section35(everywhere, 2562).laos

    drawn = values(charts(kpi)["kpi-laos-chart"], "bar")
    budgeted = values(charts(ratios)["section35-chart"], "bar")

    assert len([k for k in laos if k.records]) == len(drawn)
    assert len(laos) == len(tables(kpi)["kpi-laos-table"]) - 1
    assert "ยังไม่มีทะเบียนประวัติ" in kpi
    assert [LAO_NAME] == list(budgeted)
    assert len(section35) == len(tables(ratios)["section35-table"]) - 1
    assert len(section35) > len(budgeted)


def test_the_index_sums_up_each_dashboard(client: TestClient) -> None:
    """The list of dashboards gives each one's headline now: the LAOs meeting the target out of
    the report's, and this fiscal year's retirements (FY2563 on the demo's day)."""
    html = client.get("/app/dashboards").text
    laos = app_reports(client).kpi(PROVINCE).laos
    met = sum(kpi.meets_target for kpi in laos)

    assert [] == page_problems(html)
    assert f"ถึงเป้าหมาย {met} จาก {len(laos)} อปท." in html
    assert "ปีงบประมาณ 2563–2567" in html
    assert 4 == html.count('class="dashboard-card"')
