"""The personnel record (ทะเบียนประวัติ ก.พ.๗): one stream per person, in the custody of an LAO.

This is the foundation's slice of the record: opening it and adding education and
position-and-salary entries. The full ก.พ.๗ (every section, corrections, employment status,
retirement) grows here on the same signed path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import is_valid_cid
from ledger.domain.signed import SignedAggregate
from ledger.errors import InvalidDataError
from ledger.statement import Statement


class StaffCategory(StrEnum):
    """ประเภทบุคลากร."""

    OFFICIAL = "official"  # ข้าราชการส่วนท้องถิ่น
    TEACHER = "teacher"  # ข้าราชการครูและบุคลากรทางการศึกษา
    EMPLOYEE = "employee"  # ลูกจ้างประจำ
    CONTRACT = "contract"  # พนักงานจ้าง


class OrderRef(BaseModel):
    """The legal order behind an entry (คำสั่ง เลขที่ ... ลงวันที่ ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: str = Field(min_length=1, max_length=50)  # e.g. "123/2562"
    date: date
    issuer: str = Field(min_length=1, max_length=200)


class RecordOpenedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cid: str
    category: StaffCategory
    lao: str = Field(pattern=r"^\d{7}$")  # DLA organization code
    province: str = Field(min_length=1, max_length=100)
    birth_date: date

    @field_validator("cid")
    @classmethod
    def _cid_checksum(cls, cid: str) -> str:
        if not is_valid_cid(cid):
            raise ValueError("citizen ID must be 13 digits with a valid check digit")
        return cid


class EducationAddedData(BaseModel):
    """ประวัติการศึกษา."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    institution: str = Field(min_length=1, max_length=300)
    qualification: str = Field(min_length=1, max_length=300)
    major: str | None = Field(default=None, max_length=300)
    started: date | None = None
    finished: date

    @model_validator(mode="after")
    def _order(self) -> EducationAddedData:
        if self.started is not None and self.started > self.finished:
            raise ValueError("started must not be after finished")
        return self


class PositionSalaryEntryAddedData(BaseModel):
    """ตำแหน่งและอัตราเงินเดือน: one line of the position-and-salary history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    movement_type: str = Field(min_length=1, max_length=100)
    position_no: str = Field(min_length=1, max_length=30)
    position_title: str = Field(min_length=1, max_length=200)
    level: str = Field(min_length=1, max_length=100)
    salary: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    allowance: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    order: OrderRef


class PersonnelRecord(SignedAggregate):
    """ทะเบียนประวัติ ก.พ.๗ of one person."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, int, Any]] = []
        self.cid = ""
        self.category = StaffCategory.OFFICIAL
        self.lao = ""
        self.province = ""
        self.birth_date = date.min

    class RecordOpened(SignedAggregate.Created):
        Data = RecordOpenedData
        roles = frozenset({Role.LAO_HR_OFFICER})

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.cid = data.cid
            aggregate.category = data.category
            aggregate.lao = data.lao
            aggregate.province = data.province
            aggregate.birth_date = data.birth_date

    class EducationAdded(SignedAggregate.Event):
        Data = EducationAddedData
        roles = frozenset({Role.LAO_HR_OFFICER})

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.entries.append(("education", self.originator_version, data))

    class PositionSalaryEntryAdded(SignedAggregate.Event):
        Data = PositionSalaryEntryAddedData
        roles = frozenset({Role.LAO_HR_OFFICER})

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.entries.append(("position_salary", self.originator_version, data))

    def check(self, event_class: type[SignedAggregate.Event], data: Any) -> None:
        if (
            event_class is PersonnelRecord.PositionSalaryEntryAdded
            and data.order.date < self.birth_date
        ):
            raise InvalidDataError(
                "PositionSalaryEntryAdded", ["order.date is before the person's birth date"]
            )

    def target_scope(self, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        return Scope(level="lao", province=self.province, lao=self.lao)

    @classmethod
    def opening_scope(cls, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        return Scope(level="lao", province=data.province, lao=data.lao)

    def read_scope(self) -> Scope:
        # The record is in the custody of its LAO: that LAO, its province and DLA may read it.
        return Scope(level="lao", province=self.province, lao=self.lao)
