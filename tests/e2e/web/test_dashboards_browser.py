"""The dashboards in Chromium on the served demo, as its HR officer: every page draws its chart
with the target line and a table under it, axe-core finds nothing, the English switch keeps the
figures, and a screenshot of each is kept under var/screenshots/."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser_kit import Shots, WebDemo, check_axe

PAGES = {
    "kpi": ("kpi-laos-chart", "ความครบถ้วนราย อปท."),
    "certification": ("certification-chart", "ความก้าวหน้าการรับรองข้อมูล รอบ 2562"),
    "retirements?first_year=2563": ("retirements-chart", "ผู้เกษียณอายุราชการ ปีงบประมาณ 2563–2567"),
    "section35?fiscal_year=2562": (
        "section35-chart",
        "สัดส่วนค่าใช้จ่ายด้านบุคคล (มาตรา 35) ปีงบประมาณ 2562",
    ),
}


def test_each_dashboard_draws_its_chart_and_table(
    hr_page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """From the menu to each dashboard: the chart is an image named by its Thai title, drawn
    with a size on screen, followed by its data table and downloads; axe-core clean."""
    page = hr_page
    page.goto(f"{web_demo.base_url}/app/")
    page.locator("#nav-dashboards").click()
    page.wait_for_url("**/app/dashboards")
    check_axe(page)
    shot(page, "index")

    for path, (chart_id, title) in PAGES.items():
        page.goto(f"{web_demo.base_url}/app/dashboards/{path}")
        chart = page.get_by_role("img", name=title)
        box = chart.bounding_box()
        shot(page, path.split("?")[0])
        check_axe(page)

        assert chart_id == chart.get_attribute("id")
        assert box is not None
        assert box["width"] > 500
        assert page.locator(f"section:has(#{chart_id}) table caption").count() >= 1
        assert page.locator("a.download-csv").first.is_visible()


def test_the_target_line_is_drawn_at_90_percent(hr_page: Page, web_demo: WebDemo) -> None:
    """On screen the KPI's target line stands at 90% of the axis's length."""
    page = hr_page
    page.goto(f"{web_demo.base_url}/app/dashboards/kpi")
    axis = page.locator("#kpi-laos-chart .axis").bounding_box()
    target = page.locator("#kpi-laos-chart .target-line").bounding_box()
    assert axis is not None
    assert target is not None

    share = (target["x"] + target["width"] / 2 - axis["x"]) / axis["width"]

    assert abs(share - 0.9) < 0.01


def test_the_english_switch_keeps_the_figures(
    hr_page: Page, web_demo: WebDemo, shot: Shots
) -> None:
    """Switching to English redraws the same dashboard with English titles; axe-core clean."""
    page = hr_page
    page.goto(f"{web_demo.base_url}/app/dashboards/kpi")
    page.locator("#lang-en").click()
    page.wait_for_load_state()
    shot(page, "kpi-en")
    check_axe(page)

    assert "en" == page.locator("html").get_attribute("lang")
    assert page.get_by_role("img", name="Completeness per LAO").is_visible()
