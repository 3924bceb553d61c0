"""The registry as of a valid date and as of a transaction time, around a backdated order."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from projections.views.catalogue import Projections
from projections.views.registry_queries import current_registry, registry_as_of
from projections.views.registry_rows import RegistryEntry
from tests import domain_data as d
from tests.ledger_kit import TAK_LAO, LedgerKit


@dataclass
class History:
    """A record whose salary history was written out of valid-time order."""

    stream: uuid.UUID
    before_opening: datetime  # transaction time before anything was recorded
    before_promotion: datetime  # after the 20,000 line, before the 22,000 one
    before_backdated: datetime  # after the 22,000 line, before the backdated 21,000 one
    before_correction: datetime  # after the backdated order, before it was corrected
    projections: Projections


def _adjustment(salary: str) -> dict[str, object]:
    """A salary adjustment order (not a salary round, so any effective date goes)."""
    return d.salary_entry(salary) | {"movement_type": "ปรับอัตราเงินเดือน"}


def _moment() -> datetime:
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment


@pytest.fixture
def history(kit: LedgerKit) -> Iterator[History]:
    """20,000 from 1 Apr 2562; 22,000 from 1 Oct 2562 (recorded next); then a backdated order,
    21,000 from 1 Jul 2562, recorded last and later corrected to 21,500; then a transfer out
    and in, effective 1 Dec 2562."""
    before_opening = _moment()
    stream = kit.open_record()
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(
        kit.hr,
        stream,
        "PositionSalaryEntryAdded",
        d.salary_entry("20000.00"),
        effective=date(2019, 4, 1),
    )
    before_promotion = _moment()
    kit.emit(
        kit.hr,
        stream,
        "PositionSalaryEntryAdded",
        d.salary_entry("22000.00"),
        effective=date(2019, 10, 1),
    )
    before_backdated = _moment()
    backdated = kit.emit(
        kit.hr,
        stream,
        "PositionSalaryEntryAdded",
        _adjustment("21000.00"),
        effective=date(2019, 7, 1),
    )
    before_correction = _moment()
    kit.emit(
        kit.hr,
        stream,
        "EntryCorrected",
        {
            "supersedes": backdated.version,
            "reason": "แก้ไขอัตรา",
            "replacement": _adjustment("21500.00"),
        },
        effective=date(2019, 11, 15),
    )
    kit.emit(
        kit.hr,
        stream,
        "TransferredOut",
        {"to_lao": TAK_LAO.lao, "to_province": TAK_LAO.province, "order": d.order("9/2563")},
        effective=date(2019, 12, 1),
    )
    kit.emit(
        kit.other_hr,
        stream,
        "TransferredIn",
        {"from_lao": "6480101", "order": d.order("10/2563")},
        effective=date(2019, 12, 1),
    )
    projections = Projections.open(kit.ledger)
    projections.catch_up()
    yield History(
        stream, before_opening, before_promotion, before_backdated, before_correction, projections
    )
    projections.close()


def _as_of(history: History, valid: date | None, recorded: datetime | None) -> list[RegistryEntry]:
    with history.projections.read() as cursor:
        return registry_as_of(
            cursor,
            history.projections.tables("registry"),
            valid=valid,
            recorded=recorded,
            streams=[str(history.stream)],
        )


def _salary(history: History, valid: date | None, recorded: datetime | None) -> Decimal | None:
    (entry,) = _as_of(history, valid, recorded)
    return entry.salary


def test_before_the_backdated_order_was_recorded_the_old_line_holds(history: History) -> None:
    """As the ledger knew it before the backdated order, August 2562 paid 20,000."""
    assert Decimal("20000.00") == _salary(history, date(2019, 8, 1), history.before_backdated)


def test_after_it_was_recorded_the_backdated_order_applies_from_its_date(history: History) -> None:
    """As known now, August 2562 paid the backdated order's salary (as corrected)."""
    assert Decimal("21500.00") == _salary(history, date(2019, 8, 1), None)


def test_the_correction_has_its_own_transaction_time(history: History) -> None:
    """Between the backdated order and its correction, the uncorrected amount holds."""
    assert Decimal("21000.00") == _salary(history, date(2019, 8, 1), history.before_correction)


def test_a_later_valid_date_keeps_the_later_order(history: History) -> None:
    """The backdated order does not displace the order of 1 October 2562 after that date."""
    assert Decimal("22000.00") == _salary(history, date(2019, 10, 15), None)


def test_before_the_backdated_date_the_first_line_holds(history: History) -> None:
    """On 1 June 2562 the first line is in force, whatever was recorded later."""
    assert Decimal("20000.00") == _salary(history, date(2019, 6, 1), None)


def test_transaction_time_alone(history: History) -> None:
    """With no valid-time limit: what the ledger knew before the promotion was recorded."""
    assert Decimal("20000.00") == _salary(history, None, history.before_promotion)


def test_nothing_before_the_record_was_recorded_or_opened(history: History) -> None:
    """Before anything was recorded, and on a valid date before the opening, no record."""
    assert [] == _as_of(history, None, history.before_opening)
    assert [] == _as_of(history, date(2019, 3, 1), None)


def test_custody_follows_the_transfer_on_its_valid_date(history: History) -> None:
    """Held by the Nakhon Phanom LAO until the transfer's effective date, by Tak's after."""
    (before,) = _as_of(history, date(2019, 11, 30), None)
    (after,) = _as_of(history, date(2019, 12, 1), None)

    assert ("6480101", "active") == (before.lao, before.status)
    assert (TAK_LAO.lao, "active") == (after.lao, after.status)


def test_by_lao_as_of_finds_the_record_where_it_was(history: History) -> None:
    """Asking for an LAO as of a date lists the record only while that LAO held it."""
    with history.projections.read() as cursor:
        tables = history.projections.tables("registry")
        there_before = registry_as_of(cursor, tables, valid=date(2019, 11, 1), lao="6480101")
        there_after = registry_as_of(cursor, tables, valid=date(2020, 1, 1), lao="6480101")

    assert [str(history.stream)] == [entry.stream for entry in there_before]
    assert [] == there_after


def test_now_is_the_latest_line_by_valid_time(history: History) -> None:
    """The current registry shows the line with the latest valid time, at the new LAO."""
    with history.projections.read() as cursor:
        (entry,) = current_registry(
            cursor, history.projections.tables("registry"), streams=[str(history.stream)]
        )

    assert (Decimal("22000.00"), TAK_LAO.lao) == (entry.salary, entry.lao)
