"""Fixtures of the reports' tests: the projection world on a SQLite ledger (no services), built
once for the module, its views caught up, and the reports over them on a fixed day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.reports.facade import Reports
from projections.views.catalogue import Projections
from tests.ledger_kit import build_kit
from tests.projection_world import ProjectionWorld, build_projection_world

TODAY = date(2020, 1, 15)
"""The reports' today: fiscal year 2563."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProjectionWorld]:
    """The projection world (three LAOs, records, positions, cycles, plans) on SQLite."""
    folder: Path = tmp_path_factory.mktemp("reports")
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{folder}/l.sqlite", name="reports"))
    try:
        yield build_projection_world(build_kit(ledger))
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def reports(world: ProjectionWorld) -> Iterator[Reports]:
    """The reports of the world's views, caught up, with ``TODAY`` as today."""
    with Projections.open(world.kit.ledger) as projections:
        projections.catch_up()
        yield Reports(projections, today=lambda: TODAY)
