"""Valid time on PostgreSQL and SQLite: as of a date, a stream opened (in valid time) after it
does not exist, whatever its backdated entries say, in the registry, replays, LAO listings and
reports; a backdated order counts from its date once recorded, and not before it was recorded."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledger.domain.certification import certification_stream_id
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from replay.asof import activity_report, lao_streams, stream_as_of
from replay.source import DatabaseSource
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.people import made_up_cid

LAO, CODE = NAKHON_PHANOM_LAO, str(NAKHON_PHANOM_LAO.lao)
BEFORE = date(2019, 5, 1)
AFTER = date(2021, 7, 1)


@dataclass
class Later:
    """A record opened in 2019 with a backdated order, one opened in 2020 with a history
    backdated to 2015, and a certification cycle opened in 2021."""

    early: uuid.UUID
    late: uuid.UUID
    cycle: uuid.UUID
    before_backdated: datetime
    source: DatabaseSource
    reports: Reports


def _adjustment(salary: str) -> dict[str, object]:
    """A salary adjustment order (not a salary round, so any effective date goes)."""
    return d.salary_entry(salary) | {"movement_type": "ปรับอัตราเงินเดือน"}


def _open(kit: LedgerKit, n: int, opened: date, started: date) -> uuid.UUID:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, made_up_cid(n)), effective=opened)
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"), started)
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry("20000.00"), started)
    return stream


@pytest.fixture
def later(kit: LedgerKit) -> Iterator[Later]:
    """The records and the cycle (the kit registered the LAO), then a backdated order on the
    early record."""
    early = _open(kit, 701, date(2019, 4, 1), date(2019, 4, 1))
    late = _open(kit, 702, date(2020, 1, 15), date(2015, 4, 1))
    cycle = certification_stream_id(CODE, "2564")
    kit.emit(kit.admin, cycle, "CycleOpened", d.cycle(LAO, "2564"), effective=date(2021, 6, 1))
    time.sleep(0.01)
    before_backdated = datetime.now(UTC)
    time.sleep(0.01)
    adjustment = _adjustment("21000.00")
    kit.emit(kit.hr, early, "PositionSalaryEntryAdded", adjustment, effective=date(2019, 7, 1))
    source = DatabaseSource(kit.ledger.settings.database_url, kit.ledger.name)
    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        yield Later(early, late, cycle, before_backdated, source, Reports(projections))
    source.close()


def _registry(
    later: Later, valid_on: date, recorded_at: datetime | None = None
) -> dict[str, Decimal | None]:
    table = later.reports.registry(EVERYWHERE, valid_on=valid_on, recorded_at=recorded_at)
    return {row.stream: row.salary for row in table.rows}


def test_a_record_opened_later_is_not_in_the_registry_before(later: Later) -> None:
    """As of 1 May 2562 the record opened in 2563 is not there, though its history begins
    in 2558; as of 2564 it is."""
    before, after = _registry(later, BEFORE), _registry(later, AFTER)

    assert {str(later.early)} == set(before)
    assert {str(later.early), str(later.late)} == set(after)


def test_a_stream_opened_later_does_not_exist_in_a_replay_before(
    later: Later, kit: LedgerKit
) -> None:
    """Replayed as of 1 May 2562, the 2563 record and the 2564 cycle have no events."""
    record = stream_as_of(kit.ledger, later.late, valid_on=BEFORE)
    cycle = stream_as_of(kit.ledger, later.cycle, valid_on=BEFORE)
    then = stream_as_of(kit.ledger, later.late, valid_on=AFTER)

    assert (False, False) == (record.exists, cycle.exists)
    assert ["RecordOpened", "EmploymentStarted", "PositionSalaryEntryAdded"] == [
        event.type for event in then.events
    ]


def test_the_laos_streams_and_activity_as_of_a_date_leave_out_what_opened_later(
    later: Later,
) -> None:
    """As of 1 May 2562 the LAO holds only the early record: not the 2563 record, not the 2564
    cycle; the activity report counts only the early record's events in effect then."""
    before = lao_streams(later.source, CODE, valid_on=BEFORE)
    after = lao_streams(later.source, CODE, valid_on=AFTER)
    activity = {line.lao: line for line in activity_report(later.source, valid_on=BEFORE)}

    assert [later.early] == before
    assert sorted([later.early, later.late, later.cycle], key=str) == after
    assert (1, 3) == (activity[CODE].records, activity[CODE].events)


def test_a_backdated_order_counts_from_its_date_once_recorded(later: Later, kit: LedgerKit) -> None:
    """August 2562 paid the backdated 21,000 as known now, 20,000 as known before it was
    recorded; June 2562, before its date, 20,000 either way."""
    known_now = _registry(later, date(2019, 8, 1))
    known_then = _registry(later, date(2019, 8, 1), later.before_backdated)
    june = _registry(later, date(2019, 6, 1))
    replayed = stream_as_of(
        kit.ledger, later.early, as_of=later.before_backdated, valid_on=date(2019, 8, 1)
    )

    assert Decimal("21000.00") == known_now[str(later.early)]
    assert Decimal("20000.00") == known_then[str(later.early)]
    assert Decimal("20000.00") == june[str(later.early)]
    assert 3 == len(replayed.events)
