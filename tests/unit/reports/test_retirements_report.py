"""The retirements report counts a person retired in a fiscal year as a retirement of that
year: it is the report of retirements by fiscal year, not of the people still in service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, build_kit
from tests.people import made_up_cid


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[LedgerKit]:
    """A kit on a SQLite ledger of its own (the projections read it)."""
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="ret"))
    try:
        yield build_kit(ledger)
    finally:
        ledger.close()


def _retirements(kit: LedgerKit) -> dict[int, int]:
    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        table = Reports(projections, today=lambda: date(2020, 9, 1)).retirements(
            EVERYWHERE, 2563, 2564
        )
    return {group.fiscal_year: group.people for group in table.rows}


def test_a_retired_person_still_counts_in_the_year_of_retirement(kit: LedgerKit) -> None:
    """Two officials due in FY2563 count 2 before and after one of them is recorded retired
    (effective 01/10/2563); one resigned is not a retirement."""
    streams = [uuid.uuid4() for _ in range(3)]
    for n, stream in enumerate(streams):
        opened = d.record(NAKHON_PHANOM_LAO, cid=made_up_cid(800 + n), birth_date="1960-05-10")
        kit.emit(kit.hr, stream, "RecordOpened", opened)
        kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.hr, streams[2], "Resigned", d.status_data("Resigned"), date(2020, 1, 1))
    before = _retirements(kit)

    retired = {"last_day": "2020-09-30", "order": d.order("9/2563", "2020-08-20")}
    kit.emit(kit.hr, streams[0], "Retired", retired, effective=date(2020, 10, 1))

    assert {2563: 2} == before
    assert {2563: 2} == _retirements(kit)
