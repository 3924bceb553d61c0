"""A plan's page lists its projects by number as people count them: "ที่ 2" before "ที่ 10",
strategy 2 before strategy 10 (the store's text order put "ที่ 121" before "ที่ 25")."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from projections.reports.eplan_reads import number_order, plan_detail_json
from projections.views.eplan_book_queries import PlanRow, ProjectRow

PLAN = PlanRow(
    stream="plan", lao="6480101", lao_name=None, province="นครพนม", first_year=2566,
    last_year=2566, title=None, status="approved", vision=None, amendment=0,
    approved_amendment=0, drafted_on="2022-10-01", projects=0,
)  # fmt: skip
PROJECT = ProjectRow(
    stream="p", plan="plan", lao="6480101", lao_name=None, province="นครพนม", strategy="1",
    title="", target=None, unit=None, amendment=0, status="planned", deferred_to=None,
    fiscal_year=None, planned={2566: Decimal(1000)}, budget=Decimal(0),
    contracted=Decimal(0), disbursed=Decimal(0), carried_over=Decimal(0), progress=None,
    progress_on=None, geometry=None,
)  # fmt: skip


def test_digit_runs_sort_as_numbers() -> None:
    """Runs of digits (Arabic or Thai) compare as numbers, the text around them as text."""
    titles = ["ถนน ที่ 25", "ถนน ที่ 121", "ถนน ที่ 1", "ถนน ที่ ๓", "ประปา ที่ 2", "ถนน ที่ 145"]

    ordered = sorted(titles, key=number_order)

    assert ["ถนน ที่ 1", "ถนน ที่ ๓", "ถนน ที่ 25", "ถนน ที่ 121", "ถนน ที่ 145", "ประปา ที่ 2"] == (ordered)


def test_a_plans_year_lists_projects_by_strategy_then_number() -> None:
    """Within a year: strategy 2 before 10, and each strategy's projects by their number."""
    projects = [
        replace(PROJECT, stream=f"s{strategy}-{n}", strategy=strategy, title=f"ถนน ที่ {n}")
        for strategy, n in [("10", 1), ("2", 121), ("2", 25), ("2", 1), ("2", 145)]
    ]

    year = plan_detail_json(PLAN, [], [], projects)["years"][0]

    assert ["s2-1", "s2-25", "s2-121", "s2-145", "s10-1"] == [p["id"] for p in year["projects"]]
