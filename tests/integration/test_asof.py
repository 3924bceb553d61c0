"""Replay as of a transaction time or a valid date: records, differences, LAOs, a report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from replay.asof import activity_report, lao_streams, stream_as_of, stream_diff
from replay.errors import ScopeError
from replay.source import DatabaseSource
from tests.audit_kit import position_data
from tests.ledger_kit import TAK_LAO, LedgerKit, education_data, record_data


@dataclass
class History:
    """A record opened in 2005, with entries effective in 2010 and 2020, recorded at known
    moments."""

    stream: uuid.UUID
    opened_at: datetime
    before_2020_entry: datetime


@pytest.fixture
def history(kit: LedgerKit) -> History:
    """Open a record (effective 2005), add a 2010 education entry, then a 2020 salary entry."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(), effective=date(2005, 1, 1))
    opened_at = datetime.now(UTC)
    kit.submit(
        kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1),
                 effective=date(2010, 3, 31))
    )  # fmt: skip
    before_2020_entry = datetime.now(UTC)
    kit.submit(
        kit.sign(kit.hr, stream=stream, type="PositionSalaryEntryAdded", data=position_data(2),
                 effective=date(2020, 4, 1))
    )  # fmt: skip
    return History(stream, opened_at, before_2020_entry)


@pytest.fixture
def source(kit: LedgerKit) -> Iterator[DatabaseSource]:
    """Read-only access to the kit's database."""
    opened = DatabaseSource(kit.ledger.settings.database_url, kit.ledger.name)
    yield opened
    opened.close()


def types(kit: LedgerKit, stream: uuid.UUID, **when: object) -> list[str]:
    return [event.type for event in stream_as_of(kit.ledger, stream, **when).events]  # type: ignore[arg-type]


def test_as_of_a_transaction_time_the_record_is_what_was_recorded(
    kit: LedgerKit, history: History
) -> None:
    """As of a moment, only the events recorded by then count."""
    at_opening = types(kit, history.stream, as_of=history.opened_at)
    before_salary = types(kit, history.stream, as_of=history.before_2020_entry)

    assert ["RecordOpened"] == at_opening
    assert ["RecordOpened", "EducationAdded"] == before_salary


def test_as_of_a_valid_date_the_record_is_what_was_in_effect(
    kit: LedgerKit, history: History
) -> None:
    """On 2015-01-01 the 2010 entry is in effect and the 2020 one is not (yet); in 2000,
    before its opening, the record did not exist."""
    assert ["RecordOpened", "EducationAdded"] == types(
        kit, history.stream, valid_on=date(2015, 1, 1)
    )
    assert ["RecordOpened"] == types(kit, history.stream, valid_on=date(2005, 1, 1))
    assert not stream_as_of(kit.ledger, history.stream, valid_on=date(2000, 1, 1)).exists


def test_both_axes_together_ask_what_was_known_then_about_a_date(
    kit: LedgerKit, history: History
) -> None:
    """Known before the 2020 entry was recorded, about 2021: the 2010 entry only."""
    assert ["RecordOpened", "EducationAdded"] == types(
        kit, history.stream, as_of=history.before_2020_entry, valid_on=date(2021, 1, 1)
    )


def test_the_replayed_state_is_the_aggregates(kit: LedgerKit, history: History) -> None:
    """The state shown is the replayed aggregate's public fields, JSON-ready."""
    state = stream_as_of(kit.ledger, history.stream)

    assert "PersonnelRecord" == state.aggregate
    assert "6480101" == state.state["lao"]
    assert 3 == state.version


def test_the_difference_between_two_dates_lists_what_came_into_effect(
    kit: LedgerKit, history: History
) -> None:
    """Between 2015 and 2021 the salary entry came into effect, and the record's state moved."""
    change = stream_diff(
        kit.ledger, history.stream, before=date(2015, 1, 1), after=date(2021, 1, 1)
    )

    assert ["PositionSalaryEntryAdded"] == [event.type for event in change.added]
    assert [] == change.removed
    assert change.changed


def test_an_unknown_stream_cannot_be_replayed(kit: LedgerKit) -> None:
    """Replaying a stream the ledger does not hold is refused."""
    with pytest.raises(ScopeError, match="no stream"):
        stream_as_of(kit.ledger, uuid.uuid4())


def test_an_laos_records_as_of_a_time(
    kit: LedgerKit, history: History, source: DatabaseSource
) -> None:
    """The LAO holds the records opened in it by then, not those of another LAO."""
    later = kit.open_record(kit.other_hr, TAK_LAO)
    tak_before = lao_streams(source, TAK_LAO.lao or "", as_of=history.opened_at)

    assert [history.stream] == lao_streams(source, "6480101")
    assert [later] == lao_streams(source, TAK_LAO.lao or "")
    assert [] == tak_before


def test_the_activity_report_counts_records_and_events_per_lao(
    kit: LedgerKit, history: History, source: DatabaseSource
) -> None:
    """As of now: one record and three events in the LAO; as of 2015, two events in effect."""
    now = [line.as_json() for line in activity_report(source)]
    in_2015 = activity_report(source, valid_on=date(2015, 1, 1))

    assert [
        {
            "lao": "6480101",
            "records": 1,
            "events": 3,
            "by_type": {"EducationAdded": 1, "PositionSalaryEntryAdded": 1, "RecordOpened": 1},
        }
    ] == now
    assert [2] == [line.events for line in in_2015]
