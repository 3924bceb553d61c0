"""Certificates an LAO issues about a person it employs: หนังสือรับรองเงินเดือน (salary) and
หนังสือรับรองการเป็นบุคลากร (employment), each as of a date.

One stream per certificate (``Certificate``), opened by ``CertificateIssued``, signed by an HR
officer of the LAO holding the record. The certificate's event hash is its verification code:
anyone holding the paper can ask the ledger (``GET /verify/{code}``) whether it was issued and
whether what it certifies still stands.

What the statement carries is what the paper certifies and nothing more of the person: the
record it is about (its stream id, never a citizen ID or a name: the printed name is read from
the record as of the certificate's day), the position and level, and for a salary certificate
the salary, as the record stood on ``as_of``. The ledger checks those facts against the record
when the certificate is signed, so a certificate can only say what the ก.พ.๗ said:

* the record exists and is held by the LAO issuing (``certificate.record_*``); a record the
  signer's scope does not cover is answered as one that does not exist
  (``certificate.record_missing``), never naming the LAO holding it;
* ``as_of`` is not after the day the statement takes effect (no certifying the future);
* the person was in service that day (active or suspended), and the record had a name then
  (the printed certificate names the person);
* the position, level and salary are those of the record's position-and-salary line in effect
  that day (``certificate.facts_differ``); a salary certificate names the salary, an employment
  certificate does not (``data.invalid``).

A certificate changes nothing on the record: it is a separate stream, so issuing one neither
moves the record's version nor makes a certification stale.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field, model_validator

from ledger.domain.base import CheckContext, LaoHeldAggregate, LaoOpening, broken
from ledger.domain.employment import IN_SERVICE, EmploymentStatus
from ledger.domain.permissions import HR
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.values import Amount, Data, DlaCode, EventDate, Line, Name, Province
from ledger.statement import Statement
from ledger.violations import rule

RECORD_MISSING = rule(
    "certificate.record_missing",
    "ไม่พบทะเบียนประวัติ {record} ที่จะออกหนังสือรับรอง",
    "there is no personnel record {record} to certify",
)
RECORD_ELSEWHERE = rule(
    "certificate.record_elsewhere",
    "ทะเบียนประวัตินี้อยู่ในความดูแลของ อปท. รหัส {held_by} ไม่ใช่ {lao}: "
    "ผู้ออกหนังสือรับรองคือ อปท. ที่ดูแลทะเบียนประวัติ",
    "the record is held by LAO {held_by}, not {lao}: the LAO holding it issues its certificates",
)
AS_OF_FUTURE = rule(
    "certificate.as_of_future",
    "รับรองข้อมูล ณ วันที่ {as_of} ซึ่งยังมาไม่ถึง (วันที่ออกหนังสือ {effective})",
    "the certificate is as of {as_of}, after the day it is issued ({effective})",
)
NOT_IN_SERVICE = rule(
    "certificate.not_in_service",
    "ณ วันที่ {as_of} บุคคลนี้มีสถานภาพ {status} จึงรับรองการเป็นบุคลากรหรือเงินเดือนไม่ได้",
    "on {as_of} the person's employment status was {status}: not in service",
)
NO_POSITION = rule(
    "certificate.no_position",
    "ทะเบียนประวัติไม่มีรายการตำแหน่งและอัตราเงินเดือนที่มีผล ณ วันที่ {as_of}",
    "the record has no position-and-salary line in effect on {as_of}",
)
NO_NAME = rule(
    "certificate.no_name",
    "ทะเบียนประวัติยังไม่มีชื่อ-นามสกุลที่มีผล ณ วันที่ {as_of} หนังสือรับรองจึงไม่มีชื่อให้พิมพ์",
    "the record has no name in effect on {as_of}: the certificate would name no one",
)
FACTS_DIFFER = rule(
    "certificate.facts_differ",
    "ข้อมูลที่รับรอง ({certified}) ไม่ตรงกับทะเบียนประวัติ ณ วันที่ {as_of} ({recorded})",
    "the certified value ({certified}) is not the record's on {as_of} ({recorded})",
)

NAME_CHECKS = rule(
    "certificate.name_checks",
    "ตรวจชื่อบ่อยเกินไป (ไม่เกิน {tries} ครั้งใน {minutes} นาที) กรุณาลองใหม่ในอีก {wait} นาที",
    "too many name checks (at most {tries} in {minutes} minutes): try again in {wait} minutes",
)
"""The public check of a typed name against a certificate, tried too often (``?name=``)."""

RULES = (
    RECORD_MISSING,
    RECORD_ELSEWHERE,
    AS_OF_FUTURE,
    NOT_IN_SERVICE,
    NO_NAME,
    NO_POSITION,
    FACTS_DIFFER,
)
"""The rules ``CertificateIssued``'s own check may raise."""


class CertificateKind(StrEnum):
    """What a certificate certifies."""

    SALARY = "salary"  # หนังสือรับรองเงินเดือน
    EMPLOYMENT = "employment"  # หนังสือรับรองการเป็นบุคลากร


class CertificateIssuedData(Data):
    """หนังสือรับรอง: what it certifies about one record, as of a day, and what it is for."""

    kind: CertificateKind
    record: UUID
    lao: DlaCode
    province: Province
    as_of: EventDate
    position_title: Name
    level: Name
    salary: Amount | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    purpose: Line = Field(min_length=1, max_length=200)  # เพื่อใช้ประกอบการ...

    @model_validator(mode="after")
    def _salary_on_salary_certificates(self) -> CertificateIssuedData:
        if self.kind is CertificateKind.SALARY and self.salary is None:
            raise ValueError("a salary certificate names the salary")
        if self.kind is CertificateKind.EMPLOYMENT and self.salary is not None:
            raise ValueError("an employment certificate names no salary")
        return self


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What a record says on one day, in the terms a certificate certifies."""

    status: EmploymentStatus
    named: bool
    position_title: str | None
    level: str | None
    salary: Decimal | None


def facts_on(record: PersonnelRecord, day: date) -> RecordFacts:
    """The record's status and its position-and-salary line in effect on ``day`` (the latest
    live line effective by then; the latest status change effective by then)."""
    status = EmploymentStatus.PENDING
    for _version, changed_to, effective in record.status_history:
        if effective <= day:
            status = changed_to
    named = any(
        entry.effective <= day for entry in record.entries_of(PersonnelRecord.PersonalDataRecorded)
    ) or any(entry.effective <= day for entry in record.entries_of(PersonnelRecord.NameChanged))
    lines = [
        entry
        for entry in record.entries_of(PersonnelRecord.PositionSalaryEntryAdded)
        if entry.is_live and entry.effective <= day
    ]
    if not lines:
        return RecordFacts(status, named, None, None, None)
    line = max(lines, key=lambda entry: (entry.effective, entry.id)).data
    return RecordFacts(status, named, line.position_title, line.level, line.salary)


class Certificate(LaoHeldAggregate):
    """One certificate: which record, what it certifies, as of when (``read_scope``: the LAO)."""

    def __init__(self) -> None:
        super().__init__()
        self.certified_record: UUID | None = None
        self.kind = CertificateKind.EMPLOYMENT
        self.as_of = date.min

    class CertificateIssued(LaoOpening["Certificate", CertificateIssuedData]):
        """An HR officer of the LAO holding the record issues a certificate about it."""

        roles = HR

        @classmethod
        def related_streams(
            cls, aggregate: Certificate | None, data: CertificateIssuedData
        ) -> Collection[UUID]:
            return (data.record,)

        @classmethod
        def check_opening_with(cls, data: CertificateIssuedData, context: CheckContext) -> None:
            record = context.find_seen(data.record, PersonnelRecord)
            if record is None:  # or outside the signer's share: where it is is not hers to know
                raise broken(cls, RECORD_MISSING, "data.record", record=str(data.record))
            if (record.lao, record.province) != (data.lao, data.province):
                raise broken(cls, RECORD_ELSEWHERE, "data.lao", held_by=record.lao, lao=data.lao)
            as_of = data.as_of.isoformat()
            if data.as_of > context.effective:
                effective = context.effective.isoformat()
                raise broken(cls, AS_OF_FUTURE, "data.as_of", as_of=as_of, effective=effective)
            facts = facts_on(record, data.as_of)
            if facts.status not in IN_SERVICE:
                status = str(facts.status)
                raise broken(cls, NOT_IN_SERVICE, "data.as_of", as_of=as_of, status=status)
            if not facts.named:
                raise broken(cls, NO_NAME, "data.as_of", as_of=as_of)
            if facts.position_title is None:
                raise broken(cls, NO_POSITION, "data.as_of", as_of=as_of)
            _same(cls, "position_title", data.position_title, facts.position_title, as_of)
            _same(cls, "level", data.level, facts.level, as_of)
            if data.salary is not None:
                _same(cls, "salary", data.salary, facts.salary, as_of)

        def evolve_with(
            self, certificate: Certificate, statement: Statement, data: CertificateIssuedData
        ) -> None:
            certificate.province, certificate.lao = data.province, data.lao
            certificate.certified_record = data.record
            certificate.kind = data.kind
            certificate.as_of = data.as_of


def _same(event: Any, field: str, certified: Any, recorded: Any, as_of: str) -> None:
    if certified != recorded:
        raise broken(
            event,
            FACTS_DIFFER,
            f"data.{field}",
            certified=str(certified),
            recorded=str(recorded),
            as_of=as_of,
        )


__all__ = [
    "RULES",
    "Certificate",
    "CertificateIssuedData",
    "CertificateKind",
    "RecordFacts",
    "facts_on",
]
