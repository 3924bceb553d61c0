"""Positions of an LAO's manpower frame (กรอบอัตรากำลัง) and who holds them.

One stream per position, keyed by the LAO's DLA code and the position number
(``position_stream_id``), so a position number is unique within its LAO by construction: a
second ``PositionCreated`` for the same number finds the stream taken. Status: ``Vacant <->
Occupied``, ``Vacant <-> Frozen``, ``Vacant | Frozen -> Abolished``; one holder at a time
(acting appointments are a separate relation, not modelled here). The holder is a personnel
record held by the same LAO, in service or about to start, of the position's staff category; a
record outside the signer's scope is answered as no record (``reference.holder_not_a_record``),
never naming the LAO holding it.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import ClassVar, TypeVar
from uuid import UUID

from pydantic import model_validator

from ledger.domain.base import (
    CheckContext,
    LaoHeldAggregate,
    LedgerEvent,
    broken,
    check_derived_stream,
)
from ledger.domain.employment import EmploymentStatus
from ledger.domain.organizations import (
    LAO_NOT_REGISTERED,
    Organization,
    RegisteredLaoOpening,
    organization_stream_id,
    registered_organization,
)
from ledger.domain.permissions import HR
from ledger.domain.personnel import PersonnelRecord, StaffCategory
from ledger.domain.values import Code, Data, DlaCode, Name, OrderRef, Province, Text, natural_id
from ledger.violations import rule

D = TypeVar("D")

POSITION_STATUS = rule(
    "position.status",
    "บันทึก {event} ไม่ได้ขณะตำแหน่งมีสถานะ {status}",
    "{event} is not allowed while the position is {status}",
)
HOLDER_NOT_A_RECORD = rule(
    "reference.holder_not_a_record",
    "ผู้ครองตำแหน่ง {record} ไม่ใช่ทะเบียนประวัติบุคลากรในระบบ",
    "the holder {record} is not a personnel record",
)
HOLDER_ELSEWHERE = rule(
    "reference.holder_elsewhere",
    "ทะเบียนประวัติของผู้ครองตำแหน่งอยู่ในความดูแลของ อปท. รหัส {held_by} ไม่ใช่ {lao}",
    "the holder's record is held by LAO {held_by}, not {lao}",
)
HOLDER_STATUS = rule(
    "position.holder_status",
    "ผู้ครองตำแหน่งมีสถานภาพ {status}: ผู้ครองตำแหน่งต้องรับราชการอยู่หรือรอบรรจุ",
    "the holder's employment status is {status}: a holder is in service or about to start",
)
HOLDER_CATEGORY = rule(
    "position.holder_category",
    "บุคลากรประเภท {category} ครองตำแหน่งประเภท {position_category} ไม่ได้",
    "a {category} may not hold a {position_category} position",
)


def position_stream_id(lao: str, number: str) -> UUID:
    """The stream of position ``number`` (เลขที่ตำแหน่ง) of the LAO with DLA code ``lao``."""
    return natural_id("position", lao, number)


class PositionStatus(StrEnum):
    VACANT = "vacant"  # ว่าง
    OCCUPIED = "occupied"  # มีผู้ครอง
    FROZEN = "frozen"  # ตรึง / ยังไม่สรรหา
    ABOLISHED = "abolished"  # ยุบเลิก


class PositionCreatedData(Data):
    lao: DlaCode
    province: Province
    number: Code  # เลขที่ตำแหน่ง
    title: Name  # ชื่อตำแหน่ง
    line: Name  # สายงาน
    position_type: Name  # ประเภท (บริหารท้องถิ่น, อำนวยการท้องถิ่น, วิชาการ, ทั่วไป, ...)
    level: Name  # ระดับ / อันดับ
    category: StaffCategory
    unit: Code | None = None  # the org unit (ส่วนราชการ, school, CDC)


class PositionReclassifiedData(Data):
    """A change of title, line, type, level or unit; fields left out keep their value."""

    title: Name | None = None
    line: Name | None = None
    position_type: Name | None = None
    level: Name | None = None
    unit: Code | None = None
    order: OrderRef | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> PositionReclassifiedData:
        if all(
            value is None
            for value in (self.title, self.line, self.position_type, self.level, self.unit)
        ):
            raise ValueError("name at least one of title, line, position_type, level, unit")
        return self


class PositionHolderAssignedData(Data):
    """การเลือกผู้ครองตำแหน่ง: the personnel record ``record`` holds the position."""

    record: UUID
    order: OrderRef


class VacancyReason(StrEnum):
    RETIRED = "retired"
    RESIGNED = "resigned"
    TRANSFERRED = "transferred"
    MOVED = "moved"  # ย้าย within the LAO
    PROMOTED = "promoted"
    DIED = "died"
    DISMISSED = "dismissed"
    OTHER = "other"


class PositionVacatedData(Data):
    reason: VacancyReason
    order: OrderRef | None = None


class PositionStatusChangeData(Data):
    """PositionFrozen, PositionUnfrozen."""

    reason: Text
    order: OrderRef | None = None


class PositionAbolishedData(Data):
    reason: Text
    order: OrderRef


HOLDABLE_BY = frozenset({EmploymentStatus.PENDING, EmploymentStatus.ACTIVE})
"""Record statuses that may take a position: in service, or appointed into it."""


class PositionEvent(LedgerEvent["Position", D]):
    """An event of a position, allowed only from the statuses it names."""

    allowed_from: ClassVar[frozenset[PositionStatus]]

    @classmethod
    def check_with(cls, position: Position, data: D, context: CheckContext) -> None:
        if position.status not in cls.allowed_from:
            status = position.status
            raise broken(cls, POSITION_STATUS, "stream", event=cls.__name__, status=status)


class Position(LaoHeldAggregate):
    """ตำแหน่ง: one position of an LAO's frame, its status and its holder."""

    def __init__(self) -> None:
        self.lao = ""
        self.province = ""
        self.number = ""
        self.title = ""
        self.line = ""
        self.position_type = ""
        self.level = ""
        self.category = StaffCategory.OFFICIAL
        self.unit: str | None = None
        self.status = PositionStatus.VACANT
        self.holder: UUID | None = None
        self.holders: list[tuple[int, UUID]] = []  # (version assigned, record), oldest first

    class PositionCreated(RegisteredLaoOpening["Position", PositionCreatedData]):
        roles = HR

        @classmethod
        def check_opening_with(cls, data: PositionCreatedData, context: CheckContext) -> None:
            expected = position_stream_id(data.lao, data.number)
            check_derived_stream(cls, context, expected, "lao, number")
            organization = registered_organization(cls, context, data.lao, data.province)
            if data.unit is not None:
                organization.check_open_unit(cls, data.unit, "data.unit")

        def evolve(self, position: Position, data: PositionCreatedData) -> None:
            position.lao = data.lao
            position.province = data.province
            position.number = data.number
            position.title = data.title
            position.line = data.line
            position.position_type = data.position_type
            position.level = data.level
            position.category = data.category
            position.unit = data.unit

    class PositionReclassified(PositionEvent[PositionReclassifiedData]):
        roles = HR
        allowed_from = frozenset(PositionStatus) - {PositionStatus.ABOLISHED}

        @classmethod
        def related_streams(
            cls, position: Position | None, data: PositionReclassifiedData
        ) -> Collection[UUID]:
            if data.unit is not None and position is not None:
                return (organization_stream_id(position.lao),)
            return ()

        @classmethod
        def check_with(
            cls, position: Position, data: PositionReclassifiedData, context: CheckContext
        ) -> None:
            super().check_with(position, data, context)
            if data.unit is not None:
                organization = context.find(organization_stream_id(position.lao), Organization)
                if organization is None:
                    raise broken(cls, LAO_NOT_REGISTERED, "data.unit", lao=position.lao)
                organization.check_open_unit(cls, data.unit, "data.unit")

        def evolve(self, position: Position, data: PositionReclassifiedData) -> None:
            for name in ("title", "line", "position_type", "level", "unit"):
                value = getattr(data, name)
                if value is not None:
                    setattr(position, name, value)

    class PositionHolderAssigned(PositionEvent[PositionHolderAssignedData]):
        roles = HR
        allowed_from = frozenset({PositionStatus.VACANT})

        @classmethod
        def related_streams(
            cls, position: Position | None, data: PositionHolderAssignedData
        ) -> Collection[UUID]:
            return (data.record,)

        @classmethod
        def check_with(
            cls, position: Position, data: PositionHolderAssignedData, context: CheckContext
        ) -> None:
            super().check_with(position, data, context)
            record = context.find_seen(data.record, PersonnelRecord)
            field = "data.record"
            if record is None:  # or outside the signer's share: not located for her
                raise broken(cls, HOLDER_NOT_A_RECORD, field, record=str(data.record))
            if record.lao != position.lao:
                raise broken(cls, HOLDER_ELSEWHERE, field, held_by=record.lao, lao=position.lao)
            if record.status not in HOLDABLE_BY:
                raise broken(cls, HOLDER_STATUS, field, status=record.status)
            if record.category is not position.category:
                raise broken(
                    cls,
                    HOLDER_CATEGORY,
                    field,
                    category=record.category,
                    position_category=position.category,
                )

        def evolve(self, position: Position, data: PositionHolderAssignedData) -> None:
            position.status = PositionStatus.OCCUPIED
            position.holder = data.record
            position.holders.append((self.originator_version, data.record))

    class PositionVacated(PositionEvent[PositionVacatedData]):
        roles = HR
        allowed_from = frozenset({PositionStatus.OCCUPIED})

        def evolve(self, position: Position, data: PositionVacatedData) -> None:
            position.status = PositionStatus.VACANT
            position.holder = None

    class PositionFrozen(PositionEvent[PositionStatusChangeData]):
        roles = HR
        allowed_from = frozenset({PositionStatus.VACANT})

        def evolve(self, position: Position, data: PositionStatusChangeData) -> None:
            position.status = PositionStatus.FROZEN

    class PositionUnfrozen(PositionEvent[PositionStatusChangeData]):
        roles = HR
        allowed_from = frozenset({PositionStatus.FROZEN})

        def evolve(self, position: Position, data: PositionStatusChangeData) -> None:
            position.status = PositionStatus.VACANT

    class PositionAbolished(PositionEvent[PositionAbolishedData]):
        roles = HR
        allowed_from = frozenset({PositionStatus.VACANT, PositionStatus.FROZEN})

        def evolve(self, position: Position, data: PositionAbolishedData) -> None:
            position.status = PositionStatus.ABOLISHED
