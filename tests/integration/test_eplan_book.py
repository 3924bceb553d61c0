"""The e-Plan book view on PostgreSQL and SQLite: its totals are the aggregates' own, and small
batches, a second pass and a rebuild all give the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledger.domain.eplan import PlanProject, Subsidy, subsidy_stream_id
from ledger.domain.eplan_execution import approved_budget, contracted
from projections.log import read_log
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE, ReadScope
from projections.views.catalogue import Projections
from tests.eplan_world import SUBSIDIES, add_eplan
from tests.ledger_kit import LedgerKit
from tests.projection_world import LAO, ProjectionWorld, build_projection_world
from tests.view_tables import snapshot


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    built = build_projection_world(kit)
    add_eplan(built)
    return built


@pytest.fixture
def projections(world: ProjectionWorld) -> Iterator[Projections]:
    """Every view, caught up in batches of 4 events."""
    opened = Projections.open(world.kit.ledger, batch_size=4)
    opened.catch_up()
    yield opened
    opened.close()


def test_totals_are_the_aggregates(world: ProjectionWorld, projections: Projections) -> None:
    """Each project's budget, contracts, payments and carry-over, and each subsidy's money,
    equal what the ledger's aggregates hold."""
    reports = Reports(projections)
    listed = {item["id"]: item for item in reports.projects(EVERYWHERE, size=500).body["items"]}
    subsidies = reports.subsidies(ReadScope(lao=LAO.lao)).body

    for stream in world.projects.values():
        project = world.kit.ledger.aggregate(stream)
        assert isinstance(project, PlanProject)
        item = listed[str(stream)]
        assert [approved_budget(project), contracted(project), project.disbursed] == [
            Decimal(str(item[name])) for name in ("budget", "contracted", "disbursed")
        ]
        assert (str(project.status), project.fiscal_year) == (item["status"], item["fiscal_year"])
    held = [
        world.kit.ledger.aggregate(subsidy_stream_id(str(LAO.lao), year, "general", item))
        for item, _, year in SUBSIDIES
    ]
    assert all(isinstance(subsidy, Subsidy) for subsidy in held)
    assert sum(s.amount for s in held if isinstance(s, Subsidy)) == Decimal(
        str(subsidies["amount"])
    )
    assert sum(s.disbursed for s in held if isinstance(s, Subsidy)) == Decimal(
        str(subsidies["disbursed"])
    )


def test_batches_a_second_pass_and_a_rebuild_agree(
    world: ProjectionWorld, projections: Projections
) -> None:
    batched = snapshot(projections)
    events = read_log(world.kit.ledger, 0, 10_000)
    view = projections.runner.view("eplan_book")

    with projections.db.transaction() as cursor:
        view.handle(cursor, events, projections.tables("eplan_book"))
    again = snapshot(projections)
    projections.rebuild("eplan_book")

    assert batched == again == snapshot(projections)
    assert batched["eplan_book.money"]
    assert batched["eplan_book.subsidies"]
