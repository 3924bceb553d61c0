"""CertificateIssued (``ledger.domain.certificates``): a certificate says only what the record
says on its day, is issued by the LAO holding the record, never about the future or about
someone out of service; it is its own stream and leaves the record's version alone."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ledger.domain.certificates import Certificate
from ledger.domain.permissions import NATIONAL, Role
from ledger.errors import ForbiddenError, InvalidDataError
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit


def _record(kit: LedgerKit) -> uuid.UUID:
    """A record in service since 1 April 2562 at 21,010.00 baht."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.hr, stream, "PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"])
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry())
    return stream


def _issue(kit: LedgerKit, data: dict[str, Any], effective: date = date(2019, 5, 1)) -> uuid.UUID:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "CertificateIssued", data, effective=effective)
    return stream


def _rules(error: InvalidDataError) -> list[str]:
    return [violation.rule.id for violation in error.violations]


def test_a_certificate_of_the_records_facts_is_its_own_stream(kit: LedgerKit) -> None:
    """The salary of the record's line on the day is accepted; the record's version stays."""
    record = _record(kit)
    version = kit.ledger.head(record)[0]

    stream = _issue(kit, d.certificate(record))

    certificate = kit.ledger.aggregate(stream)
    assert isinstance(certificate, Certificate)
    assert record == certificate.certified_record
    assert "6480101" == certificate.lao
    assert version == kit.ledger.head(record)[0]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"salary": "25000.00"}, "certificate.facts_differ"),
        ({"level": "ชำนาญการ"}, "certificate.facts_differ"),
        ({"as_of": "2019-06-01"}, "certificate.as_of_future"),
        ({"as_of": "2019-03-01"}, "certificate.not_in_service"),
    ],
)
def test_what_the_record_did_not_say_is_refused(
    kit: LedgerKit, change: dict[str, str], rule: str
) -> None:
    """Another salary or level, a day after the issue, or a day before service: refused."""
    record = _record(kit)
    with pytest.raises(InvalidDataError) as refused:
        _issue(kit, d.certificate(record) | change)
    assert [rule] == _rules(refused.value)


def test_no_record_no_name_and_no_salary_line(kit: LedgerKit) -> None:
    """A certificate of no record, of a record without a name, or of a record without a salary
    line, is refused."""
    bare = uuid.uuid4()
    kit.emit(kit.hr, bare, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(kit.hr, bare, "EmploymentStarted", d.status_data("EmploymentStarted"))

    with pytest.raises(InvalidDataError) as missing:
        _issue(kit, d.certificate(uuid.uuid4()))
    with pytest.raises(InvalidDataError) as nameless:
        _issue(kit, d.certificate(bare, kind="employment"))
    kit.emit(kit.hr, bare, "PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"])
    with pytest.raises(InvalidDataError) as unpaid:
        _issue(kit, d.certificate(bare, kind="employment"))

    assert ["certificate.record_missing"] == _rules(missing.value)
    assert ["certificate.no_name"] == _rules(nameless.value)
    assert ["certificate.no_position"] == _rules(unpaid.value)


def test_salary_only_on_salary_certificates(kit: LedgerKit) -> None:
    """An employment certificate names no salary; a salary certificate must name it."""
    record = _record(kit)
    salary = d.certificate(record)
    employment = d.certificate(record, kind="employment")

    with pytest.raises(InvalidDataError):
        _issue(kit, employment | {"salary": "21010.00"})
    with pytest.raises(InvalidDataError):
        _issue(kit, {k: v for k, v in salary.items() if k != "salary"})
    assert _issue(kit, employment) is not None


def test_another_lao_may_not_certify(kit: LedgerKit) -> None:
    """The HR officer of another LAO is refused by scope, naming the record's LAO; naming
    her own LAO, she is told of the record what she would be of one that does not exist
    (never the LAO holding it)."""
    record = _record(kit)
    tak = d.certificate(record) | {"lao": "6630101", "province": "ตาก"}

    with pytest.raises(ForbiddenError):
        kit.emit(kit.other_hr, uuid.uuid4(), "CertificateIssued", d.certificate(record))
    with pytest.raises(InvalidDataError) as elsewhere:
        kit.emit(kit.other_hr, uuid.uuid4(), "CertificateIssued", tak, effective=date(2019, 5, 1))
    assert ["certificate.record_missing"] == _rules(elsewhere.value)
    assert "6480101" not in str(elsewhere.value)


def test_a_scope_covering_the_record_is_told_where_it_is(kit: LedgerKit) -> None:
    """An HR officer whose scope covers both LAOs, certifying for the wrong one, is told
    which LAO holds the record."""
    record = _record(kit)
    national = kit.operator([Role.LAO_HR_OFFICER], NATIONAL)
    tak = d.certificate(record) | {"lao": "6630101", "province": "ตาก"}

    with pytest.raises(InvalidDataError) as elsewhere:
        kit.emit(national, uuid.uuid4(), "CertificateIssued", tak, effective=date(2019, 5, 1))
    assert ["certificate.record_elsewhere"] == _rules(elsewhere.value)
