"""The dates of a person's life a record may not contradict (ledger.domain.life_dates): nothing
before birth, a minimum age at appointment, a death not ahead, a birth date neither ahead nor
over 120 years ago. Each refusal names its rule and field in Thai and English and appends
nothing. Through the ledger on in-memory SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.dates import thai_today
from ledger.domain.rules import full_years
from ledger.errors import InvalidDataError
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, first_rule, memory_ledger

LAO = NAKHON_PHANOM_LAO
BORN = "1975-01-15"
STARTED = date(2019, 4, 1)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    yield from memory_ledger("life_dates")


def opened(kit: LedgerKit, effective: date = STARTED, **fields: Any) -> uuid.UUID:
    stream = uuid.uuid4()
    data = d.record(LAO, **{"birth_date": BORN, **fields})
    kit.emit(kit.hr, stream, "RecordOpened", data, effective=effective)
    return stream


def in_service(kit: LedgerKit, **fields: Any) -> uuid.UUID:
    stream = opened(kit, **fields)
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"), STARTED)
    return stream


def refused(
    kit: LedgerKit, stream: uuid.UUID, type_: str, data: dict[str, Any], effective: date
) -> tuple[str, str]:
    """The rule and field refusing the statement, checking it speaks both languages and that
    the stream did not grow."""
    head = kit.ledger.head(stream)
    with pytest.raises(InvalidDataError) as error:
        kit.emit(kit.hr, stream, type_, data, effective=effective)
    violation = error.value.violations[0]
    assert violation.en.isascii()
    assert not violation.th.isascii()  # Thai
    assert head == kit.ledger.head(stream)
    return first_rule(error)


# The trial's findings, each refused.


def test_a_record_opened_before_the_birth_date_is_refused(kit: LedgerKit) -> None:
    """Born 15/01/2568, opened effective 01/04/2562: six years before birth."""
    stream = uuid.uuid4()
    data = d.record(LAO, birth_date="2025-01-15")

    with pytest.raises(InvalidDataError) as error:
        kit.emit(kit.hr, stream, "RecordOpened", data, effective=STARTED)

    assert ("record.before_birth", "effective") == first_rule(error)
    assert "01/04/2562" in error.value.violations[0].th
    assert "15/01/2568" not in str(error.value.violations[0].details)  # no birth date shown
    assert 0 == kit.ledger.head(stream)[0]


def test_employment_before_the_minimum_age_is_refused(kit: LedgerKit) -> None:
    """An official starts service at 18 at the earliest: at 17 is refused, at 18 accepted."""
    stream = opened(kit, effective=date(2019, 1, 1), birth_date="2001-06-01")
    start = d.status_data("EmploymentStarted")

    at_17 = refused(kit, stream, "EmploymentStarted", start, date(2019, 4, 1))
    kit.emit(kit.hr, stream, "EmploymentStarted", start, effective=date(2019, 6, 1))

    assert ("record.under_age", "effective") == at_17


@pytest.mark.parametrize(("category", "youngest"), [("employee", 15), ("contract", 15)])
def test_staff_on_contract_may_start_younger(kit: LedgerKit, category: str, youngest: int) -> None:
    """Employees and contract staff: 15 at the earliest (the labour law's floor)."""
    born = date(2003, 6, 1)
    stream = opened(kit, effective=date(2017, 1, 1), birth_date=born.isoformat(), category=category)
    start = {**d.status_data("EmploymentStarted"), "kind": "contracted"}
    too_young = full_years(born, youngest) - timedelta(days=1)

    rule = refused(kit, stream, "EmploymentStarted", start, too_young)
    kit.emit(kit.hr, stream, "EmploymentStarted", start, effective=full_years(born, youngest))

    assert ("record.under_age", "effective") == rule


def test_age_counts_full_years_from_the_day_before_the_birthday() -> None:
    """N full years are reached the day before the Nth birthday, as the retirement rule counts
    them; a 29 February birthday falls on 1 March in a common year."""
    assert date(2019, 5, 31) == full_years(date(2001, 6, 1), 18)
    assert date(2022, 2, 28) == full_years(date(2004, 2, 29), 18)


def test_a_death_in_the_future_is_refused(kit: LedgerKit) -> None:
    """Died on 01/01/2600 (2057) is refused: a death is not recorded ahead."""
    stream = in_service(kit)
    died = {"died_on": "2057-01-01"}

    on_data = refused(kit, stream, "Died", died, STARTED)
    effective = refused(kit, stream, "Died", d.status_data("Died"), thai_today() + timedelta(1))

    assert ("record.death_in_future", "data.died_on") == on_data
    assert ("record.death_in_future", "effective") == effective


def test_a_death_before_birth_is_refused(kit: LedgerKit) -> None:
    """The date of death is a date of the record like any: not before birth."""
    stream = in_service(kit)

    rule = refused(kit, stream, "Died", {"died_on": "1970-01-01"}, STARTED)

    assert ("record.before_birth", "data.died_on") == rule


def test_schooling_finished_before_birth_is_refused(kit: LedgerKit) -> None:
    """Finished 01/01/2483 (1940) for a person born in 1975."""
    stream = in_service(kit)

    rule = refused(
        kit, stream, "EducationAdded", {**d.education(), "finished": "1940-01-01"}, STARTED
    )

    assert ("record.before_birth", "data.finished") == rule


def test_schooling_finished_before_the_age_of_five_is_refused(kit: LedgerKit) -> None:
    """No schooling on a ก.พ.๗ is finished by a child under five."""
    stream = in_service(kit)

    rule = refused(
        kit, stream, "EducationAdded", {**d.education(), "finished": "1978-03-31"}, STARTED
    )

    assert ("record.under_age", "data.finished") == rule


@pytest.mark.parametrize(
    ("type_", "data", "field"),
    [
        ("TrainingRecorded", {"started": "1960-01-01", "finished": "1960-01-02"}, "data.started"),
        ("LeaveTaken", {"start": "1970-01-01", "end": "1970-01-02"}, "data.start"),
        ("PositionSalaryEntryAdded", {"order": d.order("1/2500", "1957-01-01")}, "data.order.date"),
        ("LicenseRecorded", {"valid_from": "1970-01-01"}, "data.valid_from"),
        ("DecorationRecorded", {"received": "1970-01-01"}, "data.received"),
    ],
)
def test_no_date_of_an_entry_lies_before_birth(
    kit: LedgerKit, type_: str, data: dict[str, Any], field: str
) -> None:
    """Every date an entry's data carries, nested ones included, is on or after birth."""
    stream = in_service(kit)
    base = d.salary_entry() if type_ == "PositionSalaryEntryAdded" else d.ENTRY_DATA[type_]

    assert ("record.before_birth", field) == refused(kit, stream, type_, {**base, **data}, STARTED)


def test_no_entry_takes_effect_before_birth(kit: LedgerKit) -> None:
    """An entry effective before birth is refused on ``effective``."""
    stream = in_service(kit)

    rule = refused(kit, stream, "AddressChanged", d.ENTRY_DATA["AddressChanged"], date(1970, 1, 1))

    assert ("record.before_birth", "effective") == rule


def test_the_appointment_on_the_header_respects_the_minimum_age(kit: LedgerKit) -> None:
    """วันสั่งบรรจุ at 10 years old is refused."""
    stream = in_service(kit)
    data = {**d.ENTRY_DATA["PersonalDataRecorded"], "appointed_on": "1985-05-01"}

    assert ("record.under_age", "data.appointed_on") == refused(
        kit, stream, "PersonalDataRecorded", data, STARTED
    )


def test_a_correction_is_checked_as_the_entry(kit: LedgerKit) -> None:
    """A replacement naming a date before birth is refused under ``data.replacement``."""
    stream = in_service(kit)
    education = kit.emit(kit.hr, stream, "EducationAdded", d.education()).version
    wrong = {**d.education(), "finished": "1940-01-01"}
    fix = {"supersedes": education, "reason": "พิมพ์ผิด", "replacement": wrong}

    rule = refused(kit, stream, "EntryCorrected", fix, STARTED)

    assert ("record.before_birth", "data.replacement.finished") == rule


# The birth date itself.


@pytest.mark.parametrize(
    ("birth_date", "rule"),
    [
        ((thai_today() + timedelta(days=1)).isoformat(), "record.birth_in_future"),
        (full_years(thai_today(), -121).isoformat(), "record.birth_too_old"),
    ],
    ids=["tomorrow", "over 120 years ago"],
)
def test_a_birth_date_ahead_or_too_long_ago_is_refused(
    kit: LedgerKit, birth_date: str, rule: str
) -> None:
    """Nobody on a record is born tomorrow, nor over 120 years old."""
    stream = uuid.uuid4()
    data = d.record(LAO, birth_date=birth_date)

    with pytest.raises(InvalidDataError) as error:
        kit.emit(kit.hr, stream, "RecordOpened", data, effective=thai_today())

    assert (rule, "data.birth_date") == first_rule(error)
    assert birth_date not in str(error.value.violations[0].details)
    assert 0 == kit.ledger.head(stream)[0]


def test_a_corrected_birth_date_after_the_record_began_is_refused(kit: LedgerKit) -> None:
    """The header corrected to a birth after the record's first day is refused; voiding nothing
    can fix that, so the header keeps its birth date until the record is put right."""
    stream = in_service(kit)
    header = d.record(LAO, birth_date="2020-01-15")
    fix = {"supersedes": 1, "reason": "พิมพ์ผิด", "replacement": header}

    rule = refused(kit, stream, "EntryCorrected", fix, STARTED)

    assert ("record.before_birth", "data.replacement.birth_date") == rule


def test_dates_on_and_after_birth_are_accepted(kit: LedgerKit) -> None:
    """A career that fits the person's life goes through."""
    stream = in_service(kit)

    kit.emit(kit.hr, stream, "EducationAdded", d.education(), STARTED)
    kit.emit(kit.hr, stream, "Died", {"died_on": "2020-01-01"}, date(2020, 1, 1))

    assert 4 == kit.ledger.head(stream)[0]
