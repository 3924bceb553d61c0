"""Positions of an LAO's manpower frame (กรอบอัตรากำลัง) and who holds them.

One stream per position, keyed by the LAO's DLA code and the position number
(``position_stream_id``), so a position number is unique within its LAO by construction: a
second ``PositionCreated`` for the same number finds the stream taken. Status: ``Vacant <->
Occupied``, ``Vacant <-> Frozen``, ``Vacant | Frozen -> Abolished``; one holder at a time
(acting appointments are a separate relation, not modelled here). The holder is a personnel
record held by the same LAO, in service or about to start, of the position's staff category.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from pydantic import model_validator

from ledger.domain.base import CheckContext, LaoHeldAggregate, invalid
from ledger.domain.employment import EmploymentStatus
from ledger.domain.organizations import (
    Organization,
    organization_stream_id,
    registered_organization,
)
from ledger.domain.permissions import HR
from ledger.domain.personnel import PersonnelRecord, StaffCategory
from ledger.domain.signed import SignedAggregate
from ledger.domain.values import Code, Data, DlaCode, Name, OrderRef, Province, Text, natural_id
from ledger.statement import Statement


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

    class PositionCreated(SignedAggregate.Created):
        Data = PositionCreatedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            for name in (
                "lao",
                "province",
                "number",
                "title",
                "line",
                "position_type",
                "level",
                "category",
                "unit",
            ):
                setattr(aggregate, name, getattr(data, name))

    class PositionReclassified(SignedAggregate.Event):
        Data = PositionReclassifiedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            for name in ("title", "line", "position_type", "level", "unit"):
                value = getattr(data, name)
                if value is not None:
                    setattr(aggregate, name, value)

    class PositionHolderAssigned(SignedAggregate.Event):
        Data = PositionHolderAssignedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PositionStatus.OCCUPIED
            aggregate.holder = data.record
            aggregate.holders.append((self.originator_version, data.record))

    class PositionVacated(SignedAggregate.Event):
        Data = PositionVacatedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PositionStatus.VACANT
            aggregate.holder = None

    class PositionFrozen(SignedAggregate.Event):
        Data = PositionStatusChangeData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PositionStatus.FROZEN

    class PositionUnfrozen(SignedAggregate.Event):
        Data = PositionStatusChangeData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PositionStatus.VACANT

    class PositionAbolished(SignedAggregate.Event):
        Data = PositionAbolishedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.status = PositionStatus.ABOLISHED

    # Rules.

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: Any, current: Self | None
    ) -> Collection[UUID]:
        if event_class is Position.PositionCreated:
            return (organization_stream_id(data.lao),)
        if event_class is Position.PositionReclassified and data.unit is not None and current:
            return (organization_stream_id(current.lao),)
        if event_class is Position.PositionHolderAssigned:
            return (data.record,)
        return ()

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        expected = position_stream_id(data.lao, data.number)
        if context.stream != expected:
            raise invalid(
                event_class,
                f"position {data.number} of LAO {data.lao} lives on stream {expected}",
            )
        organization = registered_organization(event_class, context, data.lao, data.province)
        if data.unit is not None and not organization.has_open_unit(data.unit):
            raise invalid(event_class, f"unit: {data.unit} is not an open unit of the LAO")

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        allowed_from = {
            Position.PositionReclassified: set(PositionStatus) - {PositionStatus.ABOLISHED},
            Position.PositionHolderAssigned: {PositionStatus.VACANT},
            Position.PositionVacated: {PositionStatus.OCCUPIED},
            Position.PositionFrozen: {PositionStatus.VACANT},
            Position.PositionUnfrozen: {PositionStatus.FROZEN},
            Position.PositionAbolished: {PositionStatus.VACANT, PositionStatus.FROZEN},
        }[event_class]
        if self.status not in allowed_from:
            raise invalid(event_class, f"not allowed while the position is {self.status}")
        if event_class is Position.PositionReclassified and data.unit is not None:
            organization = context.find(organization_stream_id(self.lao), Organization)
            if organization is None or not organization.has_open_unit(data.unit):
                raise invalid(event_class, f"unit: {data.unit} is not an open unit of the LAO")
        elif event_class is Position.PositionHolderAssigned:
            self._check_holder(event_class, data, context)

    def _check_holder(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        record = context.find(data.record, PersonnelRecord)
        if record is None:
            raise invalid(event_class, f"record: {data.record} is not a personnel record")
        if record.lao != self.lao:
            raise invalid(event_class, f"record: it is held by LAO {record.lao}, not {self.lao}")
        if record.status not in HOLDABLE_BY:
            raise invalid(event_class, f"record: the person's status is {record.status}")
        if record.category is not self.category:
            raise invalid(
                event_class, f"record: a {record.category} may not hold a {self.category} position"
            )
